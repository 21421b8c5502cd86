"""Reader for web archives (``.warc``, ``.warc.gz``, e.g. Common Crawl News): the article of
every HTTP response record that holds an HTML page; every other record is skipped and counted.

An article's origin is ``FILE#OFFSET URL``: the record's byte offset in the (compressed) file,
where ``warcio extract FILE OFFSET`` finds it again.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbrief.errors import InputError, describe
from newsbrief.ingest.html import read_html
from newsbrief.ingest.meta import Metadata, page_published
from newsbrief.records import RawArticle, Rejected, Skipped
from newsbrief.settings import Settings

if TYPE_CHECKING:
    from warcio.archiveiterator import ArchiveIterator

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
# What warcio may read of one record. A header line (WARC's or HTTP's) is a few hundred bytes,
# a long URL a few kilobytes; warcio reads lines without a bound, so a gzip bomb (65 KB of
# gzip inflating to 64 MB of zeros, no newline) became one 64 MB "first line", read in 20 s and
# 1.7 GB and then echoed whole in the error. A longer line is cut here: a first line that long
# is no record (refused as corrupt), a header that long is cut short.
MAX_WARC_LINE_BYTES = 64 * 1024
# A record is read to its end to reach the next one: inflating it all, whatever its ratio. News
# pages are kilobytes to a few megabytes (the largest of the zyte and trafilatura-eval dev sets
# is 1.6 MB); a record declaring more than this (or no length, which WARC requires) is a media
# file or a bomb, and reading stops there: the records before it are kept.
MAX_WARC_RECORD_BYTES = 256 * 1024 * 1024
# Without a Content-Type, a payload is taken as HTML when it starts (after blanks and a BOM)
# with one of these, as a browser would sniff it.
_HTML_SNIFF = (b"<!doctype html", b"<html", b"<head", b"<body")


def read_warc(
    path: Path, meta: Metadata, settings: Settings
) -> Iterator[RawArticle | Rejected | Skipped]:
    """The articles of a WARC file, in record order.

    1. iterate the records with warcio (which reads plain and gzipped WARC alike), its lines
       bounded; a record above MAX_WARC_RECORD_BYTES ends the reading;
    2. skip every record that is not an HTTP 200 response holding HTML, by kind;
    3. read the payload, capped at ``settings.max_input_bytes``, and check that the record is
       whole (a truncated file ends inside a record: that record is not read as an article);
    4. extract the page with ``read_html``; the URL is WARC-Target-URI and, only when the page
       itself has no date, the capture date (WARC-Date) stands in, with a warning: a news
       archive is captured within hours of publication, but an old page captured late would be
       misdated, so the warning says which date it is;
    5. after the last record, data left that warcio could not read is one Rejected: what came
       before it is kept, and the run goes on.
    """
    cap = settings.max_input_bytes
    size = path.stat().st_size
    end = 0  # where the last whole record ends
    index = 0
    with path.open("rb") as handle:
        records = _archive(handle)
        try:
            # 1. records
            for index, record in enumerate(records):
                url = record.rec_headers.get_header("WARC-Target-URI") or ""
                kind = record.rec_type or "unknown"
                if record.length is None or record.length > MAX_WARC_RECORD_BYTES:
                    declared = "none" if record.length is None else f"{record.length:,} bytes"
                    yield Rejected(
                        origin=f"{path}#{end}",
                        stage="read",
                        reason=f"{path}: expected WARC records of at most "
                        f"{MAX_WARC_RECORD_BYTES:,} bytes, found a Content-Length of {declared} "
                        f"after byte {end:,} (record {index + 1}); the records before it were read",
                    )
                    return
                # 2. not an article
                skip = _skip_reason(record, kind)
                payload = b"" if skip else record.content_stream().read(cap + 1)
                if not skip and not _content_type(record) and not _looks_like_html(payload):
                    skip = "warc response record (not HTML)"
                # 3. whole?
                offset = records.get_record_offset()  # reads the record to its end
                origin = f"{path}#{offset} {url}".rstrip()
                if record.raw_stream.limit > 0:
                    yield Rejected(
                        origin=origin,
                        stage="read",
                        reason=f"{origin}: the WARC file ends inside this record "
                        f"(truncated after {offset + records.get_record_length():,} of "
                        f"{size:,} bytes); the records before it were read",
                    )
                    return
                end = offset + records.get_record_length()
                if skip:
                    yield Skipped(origin=origin, reason=skip)
                    continue
                # 4. the page
                try:
                    raw = read_html(payload, origin=origin, meta=meta, settings=settings, url=url)
                except InputError as exc:
                    yield Rejected(origin=origin, stage="read", reason=str(exc))
                    continue
                except Exception as exc:  # one page's fault never costs the records after it
                    yield Rejected(origin=origin, stage="read", reason=f"{origin}: {describe(exc)}")
                    continue
                yield _dated(raw, record.rec_headers.get_header("WARC-Date"))
        # whatever warcio raises (ArchiveLoadFailed, zlib.error, EOFError, a parser's
        # exception …), the stream is lost from there on: what came before is kept
        except Exception as exc:
            yield Rejected(
                origin=f"{path}#{end}",
                stage="read",
                reason=f"{path}: corrupt WARC data after byte {end:,} (record {index + 1}): "
                f"{describe(exc)}; the records before it were read",
            )
            return
    # 5. anything left unread
    if end < size and _has_data(path, end):
        yield Rejected(
            origin=f"{path}#{end}",
            stage="read",
            reason=f"{path}: truncated or corrupt WARC data after byte {end:,} of {size:,}; "
            "the records before it were read",
        )


def _archive(handle: Any) -> ArchiveIterator:
    """warcio's record iterator over ``handle``, its lines bounded (MAX_WARC_LINE_BYTES)."""
    from warcio.archiveiterator import ArchiveIterator
    from warcio.bufferedreaders import DecompressingBufferedReader
    from warcio.recordloader import ArcWarcRecordLoader

    class BoundedLines(DecompressingBufferedReader):  # type: ignore[misc]  # warcio: untyped
        """warcio's reader, with every line cut at MAX_WARC_LINE_BYTES."""

        def readline(self, length: int | None = None) -> bytes:
            bounded = MAX_WARC_LINE_BYTES if length is None else min(length, MAX_WARC_LINE_BYTES)
            return bytes(super().readline(bounded))

    class UriOptional(ArcWarcRecordLoader):  # type: ignore[misc]  # warcio: untyped
        """warcio's record loader, taking a record without WARC-Target-URI as one without
        HTTP headers (warcio calls ``uri.startswith`` on None, and the iterator is lost)."""

        def load_http_headers(self, rec_type: str, uri: str | None, *args: Any) -> Any:
            return super().load_http_headers(rec_type, uri or "", *args)

    records = ArchiveIterator(handle)
    # The iterator reads through its public ``reader`` (nothing is read yet): the same reader,
    # bounded. warcio has no option for it. Likewise its ``loader``.
    records.reader = BoundedLines(records.fh, block_size=records.reader.block_size)
    records.loader = UriOptional(verify_http=False, arc2warc=False)  # the iterator's defaults
    # warcio writes this warning to stderr itself, with the line it found: the offset will do.
    records.INC_RECORD = "warning: a WARC record is not followed by a blank line (byte {0})\n"
    return records


def _skip_reason(record: object, kind: str) -> str | None:
    """Why a record holds no article, or None when it is an HTTP 200 response with HTML."""
    if kind != "response":
        return f"warc {kind} record"
    http = getattr(record, "http_headers", None)
    if http is None:  # a response of another protocol (dns:, ftp:)
        return "warc response record (not HTTP)"
    if http.get_statuscode() != "200":
        return "warc response record (HTTP status not 200)"
    content_type = (http.get_header("Content-Type") or "").split(";")[0].strip().lower()
    if content_type and content_type not in HTML_TYPES:
        return "warc response record (not HTML)"
    return None


def _content_type(record: object) -> str:
    http = getattr(record, "http_headers", None)
    return (http.get_header("Content-Type") or "") if http is not None else ""


def _looks_like_html(payload: bytes) -> bool:
    return payload[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower().startswith(_HTML_SNIFF)


def _dated(raw: RawArticle, capture: str | None) -> RawArticle:
    """``raw``, dated by the capture date when neither the user nor the page gave a date."""
    if raw.published or not capture:
        return raw
    published, notes = page_published(capture, where=f"{raw.origin} (WARC-Date)")
    if published is not None:
        notes = (f"{raw.origin}: the page has no date; dated by its capture (WARC-Date {capture})",)
    return dataclasses.replace(raw, published=published, warnings=(*raw.warnings, *notes))


def _has_data(path: Path, start: int) -> bool:
    """Whether ``path`` holds anything but blank padding after byte ``start``."""
    with path.open("rb") as handle:
        handle.seek(start)
        while chunk := handle.read(65536):
            if chunk.strip(b"\r\n\t \x00"):
                return True
    return False
