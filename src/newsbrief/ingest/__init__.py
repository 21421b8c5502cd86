"""Ingest: readers for each input kind, then cleaning into :class:`~newsbrief.records.Article`.

``read_inputs`` walks paths (files, directories recursively, ``-`` for stdin) and yields a
:class:`RawArticle` or a :class:`Rejected` per article; ``prepare`` cleans one raw article.
"""

from __future__ import annotations

import itertools
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from newsbrief.errors import EmptyInput, InputError
from newsbrief.ingest.clean import clean_text, clean_title
from newsbrief.ingest.jsonl import read_jsonl
from newsbrief.ingest.meta import SIDECAR_SUFFIX, Metadata, read_sidecar
from newsbrief.ingest.text import read_text
from newsbrief.records import Article, RawArticle, Rejected, content_id

TEXT_SUFFIXES = frozenset({".txt", ".text"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
SUPPORTED = ", ".join(sorted(TEXT_SUFFIXES | JSONL_SUFFIXES))
STDIN = "-"


@dataclass(frozen=True, slots=True)
class InputFile:
    """One file (or stdin) to read, found by :func:`expand`."""

    path: Path | None  # None for stdin


def expand(paths: Sequence[str]) -> Iterator[InputFile | Rejected]:
    """The files behind ``paths``: directories walked recursively in name order, hidden files
    and metadata sidecars skipped; a missing path or an unsupported file is a Rejected."""
    for name in paths:
        if name == STDIN:
            yield InputFile(None)
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
    suffix = path.suffix.lower()
    if suffix in TEXT_SUFFIXES | JSONL_SUFFIXES:
        return InputFile(path)
    return Rejected(
        origin=str(path),
        stage="read",
        reason=f"{path}: unsupported file type {suffix or '(none)'!r}; supported: {SUPPORTED}",
    )


def read_file(
    item: InputFile, *, meta: Metadata, cap: int, stdin: BinaryIO | None = None
) -> Iterator[RawArticle | Rejected]:
    """The articles of one input file. Stdin holds JSON lines when it starts with ``{``, else
    one scraped-text article."""
    origin = "<stdin>" if item.path is None else str(item.path)
    try:
        if item.path is None:
            yield from _read_stdin(stdin or sys.stdin.buffer, meta=meta, cap=cap)
            return
        if item.path.suffix.lower() in JSONL_SUFFIXES:
            with item.path.open("rb") as lines:
                yield from read_jsonl(lines, origin=origin, meta=meta, cap=cap)
            return
        with item.path.open("rb") as handle:  # never read more than the cap allows
            data = handle.read(cap + 1)
        file_meta = read_sidecar(item.path).over(meta)
        yield read_text(data, origin=origin, meta=file_meta, cap=cap)
    except InputError as exc:
        yield Rejected(origin=origin, stage="read", reason=str(exc))
    except OSError as exc:
        yield Rejected(origin=origin, stage="read", reason=f"{origin}: {exc.strerror or exc}")


def _read_stdin(stream: BinaryIO, *, meta: Metadata, cap: int) -> Iterator[RawArticle | Rejected]:
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
    paths: Sequence[str], *, meta: Metadata, cap: int, stdin: BinaryIO | None = None
) -> Iterator[RawArticle | Rejected]:
    for item in expand(paths):
        if isinstance(item, Rejected):
            yield item
        else:
            yield from read_file(item, meta=meta, cap=cap, stdin=stdin)


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
