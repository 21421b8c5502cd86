"""Ingest: readers for each input kind, then cleaning into :class:`~newsbrief.records.Article`.

``expand`` turns paths into inputs (files, directories recursively, ``-`` for stdin, URLs);
``read`` yields a :class:`RawArticle`, :class:`Rejected` or :class:`Skipped` per item found in
one input, through the reader registered for its kind (``READERS``), and never raises;
``prepare`` cleans one raw article, and ``admit`` refuses an article that ingest does not take
(too short, too long to analyse, a date out of range).
"""

from __future__ import annotations

import errno
import itertools
import os
import stat
import sys
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from newsbrief.errors import EmptyInput, InputError, InputTooLarge, TooShort, describe
from newsbrief.ingest.clean import clean_text, clean_title
from newsbrief.ingest.feed import read_feed_file, read_xml_file
from newsbrief.ingest.html import read_html_file
from newsbrief.ingest.jsonl import read_jsonl
from newsbrief.ingest.meta import (
    SIDECAR_SUFFIX,
    Metadata,
    normalize_published,
    read_sidecar,
    user_published,
)
from newsbrief.ingest.text import read_text
from newsbrief.ingest.warc import read_warc
from newsbrief.records import Article, RawArticle, Rejected, Skipped, content_id
from newsbrief.settings import Settings

STDIN = "-"
# A directory's file of no supported type is passed over with this reason, counted; a file
# named on the command line is a failure.
NOT_AN_ARTICLE = "not an article type"
# An article has at least this many characters of text, spaces left out (its headline apart):
# "Ten chars." is no article. Counted in characters so that scripts written without spaces
# count alike. The shortest real bodies of the dev sets pass: ECB+'s shortest document, one
# sentence of 8 words, has 42 ("The parliament election is over in Turkmenistan ."),
# PolNeAR's shortest body 73, Zyte's 301; what falls below is furniture (Multi-News's error
# pages have 64 and up, so they pass: cleaning, not this, is what keeps them out).
MIN_ARTICLE_CHARS = 40
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


def expand(paths: Sequence[str]) -> Iterator[Input | Rejected | Skipped]:
    """The inputs behind ``paths``: URLs as they are, directories walked recursively in name
    order (see ``_walk``); a missing or unreadable path, or a file named here of an unsupported
    type, is a Rejected."""
    for name in paths:
        if name == STDIN:
            yield InputFile(None)
            continue
        if name.lower().startswith(("http://", "https://")):
            yield InputURL(name)
            continue
        path = Path(name)
        try:
            mode = path.stat().st_mode
        except OSError as exc:  # missing, a name too long for the file system, a loop of links …
            found = "no such file or directory" if exc.errno == errno.ENOENT else exc.strerror
            yield Rejected(origin=name, stage="read", reason=f"{name}: {found or exc}")
            continue
        except ValueError:  # a NUL in the name
            yield Rejected(origin=name, stage="read", reason=f"{name}: no such file or directory")
            continue
        if stat.S_ISDIR(mode):
            yield from _walk(path)
        elif not stat.S_ISREG(mode):
            reason = (
                f"{name}: expected a file or directory, found another kind (a pipe, a device …)"
            )
            yield Rejected(origin=name, stage="read", reason=reason)
        elif kind_of(path):
            yield InputFile(path)
        else:
            yield Rejected(origin=name, stage="read", reason=_unsupported(path))


def _walk(root: Path) -> Iterator[InputFile | Rejected | Skipped]:
    """The files under ``root``, depth first in name order (as ``sorted(root.rglob("*"))``):
    hidden files and folders and metadata sidecars left out, links to folders not followed; a
    file of no supported type is a Skipped, a folder that cannot be read a Rejected."""
    pending = [_listing(root)]
    while pending:
        child = next(pending[-1], None)
        if child is None:
            pending.pop()
        elif isinstance(child, Rejected):
            yield child
        elif (folder := _is_folder(child)) is None:
            reason = f"{child}: cannot tell a file from a directory (no permission)"
            yield Rejected(origin=str(child), stage="read", reason=reason)
        elif folder:
            pending.append(_listing(child))
        elif not child.is_file() or child.name.endswith(SIDECAR_SUFFIX):
            continue
        elif kind_of(child):
            yield InputFile(child)
        else:
            yield Skipped(origin=str(child), reason=NOT_AN_ARTICLE)


def _is_folder(path: Path) -> bool | None:
    """Whether ``path`` is a folder to walk (a link to one is not), None when it cannot tell."""
    try:
        return path.is_dir() and not path.is_symlink()
    except OSError:  # no search permission on its folder
        return None


def _listing(folder: Path) -> Iterator[Path | Rejected]:
    """The entries of ``folder`` in name order, hidden ones left out; a Rejected when the folder
    cannot be read (its files are not read, and the run says so)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        reason = (
            f"{folder}: cannot read the directory ({exc.strerror or exc}); its files were not read"
        )
        yield Rejected(origin=str(folder), stage="read", reason=reason)
        return
    for name in names:
        if not name.startswith("."):
            yield folder / name


def _unsupported(path: Path) -> str:
    supported = ", ".join(sorted(READERS))
    return (
        f"{path}: unsupported file type {path.suffix.lower() or '(none)'!r}; supported: {supported}"
    )


def read(
    item: Input, *, meta: Metadata, settings: Settings, stdin: BinaryIO | None = None
) -> Iterator[Found]:
    """The articles of one input, at least one outcome for each (an input with no article,
    no record and no line in it, such as an empty .jsonl or .warc file, is an EmptyInput).
    Stdin holds JSON lines when it starts with ``{``, else one scraped-text article."""
    if isinstance(item, InputURL):
        origin = item.url
    else:
        origin = "<stdin>" if item.path is None else str(item.path)
    found = False
    for outcome in _outcomes(item, origin, meta=meta, settings=settings, stdin=stdin):
        found = True
        yield outcome
    if not found:
        reason = f"{origin}: expected an article, found none (no record, entry or line in it)"
        yield Rejected(origin=origin, stage="read", reason=reason)


def _outcomes(
    item: Input, origin: str, *, meta: Metadata, settings: Settings, stdin: BinaryIO | None
) -> Iterator[Found]:
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
    # Per-input isolation: whatever else a reader runs into (a fault of ours, or of a library
    # on input it chokes on) costs this input only; what it yielded before stays.
    except Exception as exc:
        yield Rejected(origin=origin, stage="read", reason=f"{origin}: {describe(exc)}")


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
        if isinstance(item, Rejected | Skipped):
            yield item
        else:
            yield from read(item, meta=meta, settings=settings, stdin=stdin)


def prepare(raw: RawArticle) -> Article:
    """Clean a raw article; its id is the hash of its clean title and text. Its publication
    date is normalised: a RawArticle handed in straight (the API, ``watch``) has had no reader
    check it, and one that is no ISO 8601 date is a MetadataError."""
    published = normalize_published(raw.published, where=raw.origin)
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
        published=published,
        authors=raw.authors,
        language=raw.language,
        origin=raw.origin,
        blocks=cleaned.blocks,
        removed=cleaned.removed,
    )


def admit(article: Article, settings: Settings) -> Article:
    """``article`` when ingest takes it; else the InputError that says why: too little text to
    be an article (MIN_ARTICLE_CHARS), more than the analysis takes (the setting
    max_article_chars), or a publication date out of range (see meta.user_published)."""
    size = len(article.text)
    if size > settings.max_article_chars:
        raise InputTooLarge(
            f"{article.origin}: expected an article of at most {settings.max_article_chars:,} "
            f"characters (setting max_article_chars), found {size:,}"
        )
    letters = len("".join(article.text.split()))
    if letters < MIN_ARTICLE_CHARS:
        raise TooShort(
            f"{article.origin}: expected an article of at least {MIN_ARTICLE_CHARS} characters "
            f"(spaces apart), found {letters}: too short to be an article"
        )
    user_published(article.published, where=article.origin)
    return article
