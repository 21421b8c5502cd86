"""Ingest: readers for each input kind, then cleaning into :class:`~newsbrief.records.Article`.

``expand`` turns paths into inputs (files, directories recursively, ``-`` for stdin, URLs);
``read`` yields a :class:`RawArticle`, :class:`Rejected` or :class:`Skipped` per item found in
one input, through the reader registered for its kind (``READERS``); ``prepare`` cleans one raw
article.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from newsbrief.errors import EmptyInput, InputError
from newsbrief.ingest.clean import clean_text, clean_title
from newsbrief.ingest.feed import read_feed_file, read_xml_file
from newsbrief.ingest.html import read_html_file
from newsbrief.ingest.jsonl import read_jsonl
from newsbrief.ingest.meta import SIDECAR_SUFFIX, Metadata, read_sidecar
from newsbrief.ingest.text import read_text
from newsbrief.ingest.warc import read_warc
from newsbrief.records import Article, RawArticle, Rejected, Skipped, content_id
from newsbrief.settings import Settings

STDIN = "-"
Found = RawArticle | Rejected | Skipped
# A reader: the items of one file, given the metadata the user gave and the settings.
Reader = Callable[[Path, Metadata, Settings], Iterator[Found]]


def _text_file(path: Path, meta: Metadata, settings: Settings) -> Iterator[Found]:
    cap = settings.max_input_bytes
    with path.open("rb") as handle:  # never read more than the cap allows
        data = handle.read(cap + 1)
    yield read_text(data, origin=str(path), meta=read_sidecar(path).over(meta), cap=cap)


def _jsonl_file(path: Path, meta: Metadata, settings: Settings) -> Iterator[Found]:
    with path.open("rb") as lines:
        yield from read_jsonl(lines, origin=str(path), meta=meta, cap=settings.max_input_bytes)


# File kinds by (compound) suffix, lower case. A new input kind is a module of its own plus a
# line here.
READERS: dict[str, Reader] = {
    ".txt": _text_file,
    ".text": _text_file,
    ".jsonl": _jsonl_file,
    ".ndjson": _jsonl_file,
    ".rss": read_feed_file,
    ".atom": read_feed_file,
    ".xml": read_xml_file,  # feeds only, known by their first element
    ".html": read_html_file,
    ".htm": read_html_file,
    ".html.gz": read_html_file,
    ".htm.gz": read_html_file,
    ".warc": read_warc,
    ".warc.gz": read_warc,
}


def kind_of(path: Path) -> str | None:
    """The registered suffix of ``path`` ("page.html.gz" → ".html.gz"), or None."""
    name = path.name.lower()
    matches = [suffix for suffix in READERS if name.endswith(suffix)]
    return max(matches, key=len) if matches else None


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file (or stdin) to read, found by :func:`expand`."""

    path: Path | None  # None for stdin


@dataclass(frozen=True, slots=True)
class InputURL:
    """One URL to fetch: an article page or a feed."""

    url: str


Input = InputFile | InputURL


def expand(paths: Sequence[str]) -> Iterator[Input | Rejected]:
    """The inputs behind ``paths``: URLs as they are, directories walked recursively in name
    order (hidden files and metadata sidecars skipped); a missing path or an unsupported file is
    a Rejected."""
    for name in paths:
        if name == STDIN:
            yield InputFile(None)
            continue
        if name.lower().startswith(("http://", "https://")):
            yield InputURL(name)
            continue
        path = Path(name)
        if path.is_dir():
            for child in sorted(path.rglob("*")):
                rel = child.relative_to(path).parts
                if child.is_file() and not any(p.startswith(".") for p in rel):
                    if child.name.endswith(SIDECAR_SUFFIX):
                        continue
                    yield _file(child)
        elif path.is_file():
            yield _file(path)
        else:
            yield Rejected(origin=name, stage="read", reason=f"{name}: no such file or directory")


def _file(path: Path) -> InputFile | Rejected:
    if kind_of(path):
        return InputFile(path)
    return Rejected(origin=str(path), stage="read", reason=_unsupported(path))


def _unsupported(path: Path) -> str:
    supported = ", ".join(sorted(READERS))
    return (
        f"{path}: unsupported file type {path.suffix.lower() or '(none)'!r}; supported: {supported}"
    )


def read(
    item: Input, *, meta: Metadata, settings: Settings, stdin: BinaryIO | None = None
) -> Iterator[Found]:
    """The articles of one input. Stdin holds JSON lines when it starts with ``{``, else one
    scraped-text article."""
    if isinstance(item, InputURL):
        origin = item.url
    else:
        origin = "<stdin>" if item.path is None else str(item.path)
    try:
        if isinstance(item, InputURL):
            from newsbrief.ingest.url import read_url  # httpx loads only when a URL is read

            yield from read_url(item.url, meta=meta, settings=settings)
            return
        if item.path is None:
            yield from _read_stdin(
                stdin or sys.stdin.buffer, meta=meta, cap=settings.max_input_bytes
            )
        else:
            kind = kind_of(item.path)
            if kind is None:
                raise InputError(_unsupported(item.path))
            yield from READERS[kind](item.path, meta, settings)
    except InputError as exc:
        yield Rejected(origin=origin, stage="read", reason=str(exc))
    except OSError as exc:
        yield Rejected(origin=origin, stage="read", reason=f"{origin}: {exc.strerror or exc}")


def _read_stdin(stream: BinaryIO, *, meta: Metadata, cap: int) -> Iterator[Found]:
    """JSON lines, capped line by line like a file, when the first non-blank line starts with
    ``{``; else one scraped-text article, capped as a whole."""
    head: list[bytes] = []
    while line := stream.readline(cap + 1):
        head.append(line)
        if line.strip():
            break
    if head and head[-1].lstrip(b"\xef\xbb\xbf \t").startswith(b"{"):
        yield from read_jsonl(itertools.chain(head, stream), origin="<stdin>", meta=meta, cap=cap)
        return
    data = b"".join(head)
    data += stream.read(max(0, cap + 1 - len(data)))
    yield read_text(data, origin="<stdin>", meta=meta, cap=cap)


def read_inputs(
    paths: Sequence[str], *, meta: Metadata, settings: Settings, stdin: BinaryIO | None = None
) -> Iterator[Found]:
    for item in expand(paths):
        if isinstance(item, Rejected):
            yield item
        else:
            yield from read(item, meta=meta, settings=settings, stdin=stdin)


def prepare(raw: RawArticle) -> Article:
    """Clean a raw article; its id is the hash of its clean title and text."""
    cleaned = clean_text(raw.text)
    if not cleaned.text.strip():
        reasons = sorted({r.reason for r in cleaned.removed})
        found = f"only {', '.join(reasons)}" if reasons else "no text"
        raise EmptyInput(f"{raw.origin}: expected article text after the headline, found {found}")
    title = clean_title(raw.title)
    return Article(
        id=content_id(title, cleaned.text),
        title=title,
        text=cleaned.text,
        outlet=raw.outlet,
        url=raw.url,
        published=raw.published,
        authors=raw.authors,
        language=raw.language,
        origin=raw.origin,
        blocks=cleaned.blocks,
        removed=cleaned.removed,
    )
