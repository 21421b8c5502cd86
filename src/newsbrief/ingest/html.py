"""Reader for HTML pages: the article in the page, extracted by trafilatura.

``read_html`` is shared by the file reader (``.html``, ``.htm``, gzipped too), the WARC reader
and the URL fetcher; ``read_html_file`` is the file reader registered in ``ingest.READERS``.
"""

from __future__ import annotations

import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsbrief.errors import EmptyInput, InputError, InputTooLarge, describe
from newsbrief.ingest.charset import CHARSET_SCAN_BYTES, check_size, decode_markup
from newsbrief.ingest.meta import Metadata, page_published, read_sidecar
from newsbrief.records import RawArticle, Rejected, Skipped
from newsbrief.settings import Settings

_LANG = re.compile(
    r"""<html\b[^>]*?\blang\s*=\s*["']?([A-Za-z]{2,3})(?:[-_][A-Za-z0-9]+)*["'\s>/]""", re.I
)
# An article has at least one paragraph this long; what trafilatura returns from a page of menus,
# link lists or a gallery is only short lines. Scripts written without spaces (Japanese,
# Chinese) count characters instead: a line of MIN_UNSPACED_CHARS whose "words" average more
# than UNSPACED_WORD_CHARS characters. Every gold article body of the zyte dev set passes (127
# by words, the 2 Japanese ones by characters).
MIN_PARAGRAPH_WORDS = 10
MIN_UNSPACED_CHARS = 40
UNSPACED_WORD_CHARS = 12
GZIP_MAGIC = b"\x1f\x8b"
GZIP_CHUNK = 64 * 1024

# trafilatura's options, chosen on bench/extraction.py (zyte and trafilatura-eval dev sets;
# whitespace-token F1 on zyte after prepare()):
# - include_comments=False: reader comments are not the article (with them: zyte F1 0.9554 vs
#   0.9592, snippet accuracy 0.9224 vs 0.9245);
# - include_tables=True: tables in news pages are mostly figures the article states; without
#   them zyte recall drops (0.973 → 0.966; F1 0.9579) and snippet accuracy too (0.9202);
# - favor_precision / favor_recall off: favor_recall lowered both sets (zyte F1 0.9571, snippet
#   accuracy 0.9184); favor_precision only traded recall for precision on zyte (F1 equal);
# - fast=False (readability/jusText fallback on): without it zyte is the same (F1 0.9595) but
#   the multilingual set loses recall (snippet accuracy 0.9192 vs 0.9245), at ~1.4× the speed;
# - dates from the markup and the URL only (set_date_params(False)): htmldate's free-text search
#   dates an undated article by a year its text mentions ("an inspection in 2023" became
#   2023-01-01), and a wrong date misplaces every relative date of the timeline; no date lets
#   a better source (a feed, a WARC capture date, the user) stand in.
_EXTRACT_OPTIONS: dict[str, Any] = {
    "include_comments": False,
    "include_tables": True,
    "include_images": False,
    "include_links": False,
    "favor_precision": False,
    "favor_recall": False,
    "fast": False,
    "with_metadata": True,
    "output_format": "python",
}


def read_html(
    data: bytes, *, origin: str, meta: Metadata, settings: Settings, url: str | None = None
) -> RawArticle:
    """One article from an HTML page; the metadata the user gave wins over the page's.

    1. decode (refusing binary data and pages above ``settings.max_input_bytes``);
    2. extract the main text and metadata with trafilatura, paragraphs as lines;
    3. date fallback with htmldate when trafilatura finds none;
    4. merge: user metadata, then the page's, then the URL's host as outlet.
    """
    import trafilatura  # imported on first use: ingest of plain text never needs it
    from trafilatura.settings import Document, set_date_params

    # 1. text
    check_size(data, origin=origin, cap=settings.max_input_bytes)
    html, warnings = decode_markup(data, origin=origin)

    # 2. extraction
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, date_extraction_params=set_date_params(False), **_EXTRACT_OPTIONS
        )
    # Whatever lxml, trafilatura or htmldate raise on one page is that page's fault: lxml
    # refuses some malformed documents (ValueError), htmldate asserts on a lone <svg> with a
    # <title> (AssertionError in lxml's drop_tree), and so on.
    except Exception as exc:
        raise InputError(
            f"{origin}: expected an HTML page, found markup the parser fails on ({describe(exc)})"
        ) from exc
    text = _without_headline(doc.text or "", doc.title) if isinstance(doc, Document) else ""
    if not isinstance(doc, Document) or not _has_prose(text):
        raise EmptyInput(
            f"{origin}: expected an article in the HTML page, found no main text "
            f"(no paragraph of {MIN_PARAGRAPH_WORDS} words or more: navigation, links or "
            "boilerplate only)"
        )

    # 3. date
    page_date = doc.date or _fallback_date(html, url)
    # a page's odd date is no reason to refuse its article: it is kept undated, with a warning
    published, notes = page_published(page_date, where=origin)
    warnings += notes

    # 4. metadata
    authors = tuple(a.strip() for a in re.split(r";|\band\b", doc.author or "") if a.strip())
    page = Metadata(
        source=_text_or_none(doc.sitename) or _host(url or meta.url),
        url=url or _text_or_none(doc.url),
        published=published,
        authors=authors,
        language=_text_or_none(doc.language) or _html_lang(html),
        title=_text_or_none(doc.title),
    )
    merged = meta.over(page)
    return merged.article(origin=origin, title=merged.title or "", text=text, warnings=warnings)


def _has_prose(text: str) -> bool:
    """Whether ``text`` holds a paragraph long enough to be prose (see MIN_PARAGRAPH_WORDS)."""
    for line in text.splitlines():
        words, chars = len(line.split()), len(line.strip())
        if words >= MIN_PARAGRAPH_WORDS:
            return True
        if chars >= MIN_UNSPACED_CHARS and chars > UNSPACED_WORD_CHARS * words:
            return True
    return False


def _without_headline(text: str, title: str | None) -> str:
    """The text without its first line when that line repeats the page title: the headline
    is the article's title, not a paragraph of its text."""
    first, _, rest = text.lstrip().partition("\n")
    if title and " ".join(first.split()).casefold() == " ".join(title.split()).casefold():
        return rest
    return text


def _text_or_none(value: str | None) -> str | None:
    return " ".join(value.split()) or None if value else None


def _fallback_date(html: str, url: str | None) -> str | None:
    """The page's date by htmldate when trafilatura found none. trafilatura asked htmldate for
    the *original* publication date; this asks the markup and the URL again for any date, a
    modification date included, which is still the best guess at when the page was written.
    Markup only, for the reason given at _EXTRACT_OPTIONS."""
    from htmldate import find_date

    try:
        found = find_date(html, extensive_search=False, original_date=False, url=url)
    except Exception:  # a fallback: whatever htmldate raises on the markup means no date
        return None
    return str(found) if found else None


def _host(url: str | None) -> str | None:
    """The host of ``url`` without "www.", as an outlet name of last resort."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:  # not a URL ("http://[::1")
        return None
    return host.removeprefix("www.") or None


def _html_lang(html: str) -> str | None:
    """The language the page declares on its <html> element ("en-GB" → "en")."""
    found = _LANG.search(html[: CHARSET_SCAN_BYTES * 4])
    return found[1].lower() if found else None


def gunzip_capped(read: Iterator[bytes], *, origin: str, cap: int) -> bytes:
    """The bytes of a gzip stream (one or more members), never inflating more than ``cap`` + 1
    bytes: a gzip bomb is refused after ``cap`` bytes of output, whatever its ratio."""
    out = bytearray()
    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
    try:
        for chunk in read:
            pending = chunk
            while pending:
                if inflater.eof:  # another gzip member follows
                    inflater = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
                out += inflater.decompress(pending, cap + 1 - len(out))
                if len(out) > cap:
                    raise InputTooLarge(
                        f"{origin}: decompresses to more than the size cap of {cap:,} bytes "
                        "(setting max_input_bytes); refused without inflating it further"
                    )
                pending = inflater.unused_data if inflater.eof else inflater.unconsumed_tail
    except zlib.error as exc:
        raise InputError(
            f"{origin}: expected gzip-compressed data, found corrupt data ({exc})"
        ) from exc
    if not inflater.eof:
        raise InputError(f"{origin}: the gzip data is truncated (ends inside a member)")
    return bytes(out)


def _chunks(path: Path) -> Iterator[bytes]:
    with path.open("rb") as handle:
        while chunk := handle.read(GZIP_CHUNK):
            yield chunk


def read_html_file(
    path: Path, meta: Metadata, settings: Settings
) -> Iterator[RawArticle | Rejected | Skipped]:
    """The article of an ``.html``/``.htm`` file, gzipped or not (by suffix or by its magic
    bytes); metadata from the sidecar ``NAME.meta.json`` (for ``NAME.html.gz`` too)."""
    cap = settings.max_input_bytes
    origin = str(path)
    gzipped = path.name.lower().endswith(".gz")
    base = path.with_suffix("") if gzipped else path  # page.html.gz → page.html → page.meta.json
    with path.open("rb") as handle:
        head = handle.read(len(GZIP_MAGIC))
    if head == GZIP_MAGIC:
        data = gunzip_capped(_chunks(path), origin=origin, cap=cap)
    elif gzipped:
        raise InputError(f"{origin}: expected gzip-compressed data (.gz), found none")
    else:
        with path.open("rb") as handle:  # never read more than the cap allows
            data = handle.read(cap + 1)
    yield read_html(data, origin=origin, meta=read_sidecar(base).over(meta), settings=settings)
