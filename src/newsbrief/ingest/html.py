"""Reader for HTML pages: the article in the page, extracted by trafilatura.

``read_html`` is shared by the file reader (``.html``, ``.htm``, gzipped too), the WARC reader
and the URL fetcher; ``read_html_file`` is the file reader registered in ``ingest.READERS``.
"""

from __future__ import annotations

import codecs
import re
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsbrief.errors import BinaryInput, EmptyInput, InputError, InputTooLarge, MetadataError
from newsbrief.ingest.meta import Metadata, normalize_published, read_sidecar
from newsbrief.records import RawArticle, Rejected, Skipped
from newsbrief.settings import Settings

# A page is text: few control characters (as ingest.text.MAX_CONTROL_SHARE). Unlike a text
# file, a stray NUL is no proof of binary data: real pages carry a few (one in the
# trafilatura-eval dev set has 22 in 190 KB), while images, PDFs and archives are far above
# the share. UTF-16 pages pass only with their byte-order mark, decoded before this check.
MAX_CONTROL_SHARE = 0.05
# Where a page declares its charset: <meta charset>, <meta http-equiv content="…; charset=…">
# or an XML declaration, all of which HTML requires in the first 1024 bytes; 4096 allows for
# pages that put comments or scripts first.
CHARSET_SCAN_BYTES = 4096
_DECLARED = re.compile(rb"""(?:charset|encoding)\s*=\s*["']?\s*([A-Za-z0-9_.:-]+)""", re.I)
# Declared names that browsers read as windows-1252 (WHATWG Encoding Standard): a page saying
# "iso-8859-1" with curly quotes in 0x80–0x9F means windows-1252.
_AS_CP1252 = {"iso8859-1", "latin-1", "ascii", "us-ascii", "iso-8859-1", "latin1", "cp1252"}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
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


def decode_html(data: bytes, *, origin: str, cap: int) -> tuple[str, tuple[str, ...]]:
    """The page as text, with warnings; refuses binary data and data above ``cap``.

    1. a byte-order mark decides;
    2. valid UTF-8 is UTF-8 (a legacy page is almost never valid UTF-8 by chance, while pages
       that declare latin-1 but hold UTF-8 are common);
    3. the charset the page declares;
    4. windows-1252, undecodable bytes replaced, with a warning.
    """
    if len(data) > cap:  # callers read at most cap + 1 bytes: the true size may be larger
        raise InputTooLarge(
            f"{origin}: more than the size cap of {cap:,} bytes (setting max_input_bytes)"
        )
    # 1. byte-order mark
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(encoding, errors="replace"), ()
    sample = data[:65536]
    controls = sum(1 for b in sample if b < 32 and b not in (9, 10, 12, 13))
    if sample and controls / len(sample) > MAX_CONTROL_SHARE:
        raise BinaryInput(f"{origin}: expected an HTML page, found binary data")
    data = data.replace(b"\x00", b"")  # no character of a page, and lxml refuses them
    # 2. UTF-8
    try:
        return data.decode("utf-8"), ()
    except UnicodeDecodeError:
        pass
    # 3. declared
    declared = _DECLARED.search(data[:CHARSET_SCAN_BYTES])
    if declared:
        name = declared[1].decode("ascii", errors="replace").lower()
        encoding = "cp1252" if name in _AS_CP1252 else name
        try:
            text = data.decode(encoding, errors="replace")
        except LookupError:
            pass
        else:
            bad = text.count("\ufffd")
            warnings = (f"{origin}: {bad} byte(s) undecodable as {name}",) if bad else ()
            return text, warnings
    # 4. windows-1252
    text = data.decode("cp1252", errors="replace")
    return text, (f"{origin}: not UTF-8 and no usable charset declared; read as windows-1252",)


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
    html, warnings = decode_html(data, origin=origin, cap=settings.max_input_bytes)

    # 2. extraction
    try:
        doc = trafilatura.bare_extraction(
            html, url=url, date_extraction_params=set_date_params(False), **_EXTRACT_OPTIONS
        )
    except ValueError as exc:  # lxml refuses some malformed documents outright
        raise InputError(
            f"{origin}: expected an HTML page, found unparsable markup ({exc})"
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
    try:
        published = normalize_published(page_date, where=origin)
    except MetadataError:  # a page's odd date is no reason to refuse its article
        published = None
        warnings += (f"{origin}: ignored the page's unreadable date {page_date!r}",)

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
    except ValueError:  # htmldate refuses markup lxml cannot parse
        return None
    return str(found) if found else None


def _host(url: str | None) -> str | None:
    """The host of ``url`` without "www.", as an outlet name of last resort."""
    if not url:
        return None
    host = urlsplit(url).hostname or ""
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
