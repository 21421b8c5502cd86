"""Reader for scraped ``.txt`` articles: the first non-empty line is the headline."""

from __future__ import annotations

from newsbrief.errors import BinaryInput, EmptyInput
from newsbrief.ingest.charset import check_size
from newsbrief.ingest.meta import Metadata
from newsbrief.records import RawArticle

# A text file has no NUL bytes and few control characters; calibrated so that UTF-16 files and
# images/PDFs are refused while scraped text with stray form feeds passes.
MAX_CONTROL_SHARE = 0.05


def decode(data: bytes, *, origin: str, cap: int) -> tuple[str, tuple[str, ...]]:
    """UTF-8 text from bytes, with warnings; refuses binary data and data above ``cap``."""
    check_size(data, origin=origin, cap=cap)
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if b"\x00" in sample or (sample and controls / len(sample) > MAX_CONTROL_SHARE):
        raise BinaryInput(f"{origin}: expected text, found binary data")
    try:
        return data.decode("utf-8-sig"), ()
    except UnicodeDecodeError as exc:
        text = data.decode("utf-8", errors="replace")
        bad = text.count("\ufffd")
        return text, (
            f"{origin}: invalid UTF-8 at byte {exc.start}; {bad} undecodable byte sequence(s) "
            "replaced with U+FFFD",
        )


def read_text(data: bytes, *, origin: str, meta: Metadata, cap: int) -> RawArticle:
    """One article from scraped text."""
    text, warnings = decode(data, origin=origin, cap=cap)
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if line.strip():
            headline, body = line.strip(), "\n".join(lines[i + 1 :])
            break
    else:
        raise EmptyInput(f"{origin}: expected article text, found an empty file")
    if not body.strip() and not meta.title:
        raise EmptyInput(f"{origin}: expected a headline line followed by text, found one line")
    if meta.title:  # the title is known: the first line is text too
        headline, body = meta.title, text
    return meta.article(origin=origin, title=headline, text=body, warnings=warnings)
