"""Extraction harness: how much of a page's article, and only the article, ingest keeps.

    .venv/bin/python bench/extraction.py [--data DIR] [--floors bench/floors.toml] [--limit N]

Two systems on the same pages, in the same run: plain trafilatura (``trafilatura.extract``
with its defaults, bytes in) and ours (``read_html`` then ``prepare``: the clean text).

1. DIR/zyte: per page, whitespace tokens of the output against the gold article body,
   multiset overlap (true positives = tokens in both, counted with multiplicity); precision,
   recall and F1 per page, then the mean over pages. A page with no output scores 0 (unless its
   gold body is empty too: 1). This is the method of ../shared/data/README.md; the published
   scores (trafilatura 2.0 0.958) come from the benchmark's own evaluate.py (\\w+ tokens in
   4-gram shingles, F1 of the mean P and R), so they compare only roughly;
2. DIR/trafilatura-eval: every "with" snippet found in the output and every "without" snippet
   not found, as a share of all snippets (accuracy), with precision/recall/F1 of the snippet
   counts as trafilatura's evaluation reports them; whitespace is collapsed on both sides;
3. pages/s of each system over both sets.

A set missing from DIR is skipped with a note. The floors in ``--floors`` ([extraction]) are
checked, and ours must score at least plain trafilatura's zyte F1 of this run. Exit code 0 when
every check holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import functools
import gzip
import json
import logging
import sys
import tarfile
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

import floors

if TYPE_CHECKING:
    from newsbrief.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
SYSTEMS = ("trafilatura", "newsbrief")

Extractor = Callable[[bytes, str | None], str]


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    id: str
    url: str | None
    html: bytes


@dataclass(slots=True)
class Scores:
    """Per-system totals of one set."""

    precision: list[float] = field(default_factory=list)
    recall: list[float] = field(default_factory=list)
    f1: list[float] = field(default_factory=list)
    kept: int = 0  # "with" snippets found
    missed: int = 0
    dropped: int = 0  # "without" snippets absent
    leaked: int = 0
    seconds: float = 0.0
    pages: int = 0
    failures: int = 0  # pages with no output

    @staticmethod
    def mean(values: list[float]) -> float:
        return sum(values) / len(values) if values else 0.0

    @property
    def snippet_accuracy(self) -> float:
        total = self.kept + self.missed + self.dropped + self.leaked
        return (self.kept + self.dropped) / total if total else 0.0

    @property
    def snippet_prf(self) -> tuple[float, float, float]:
        p = self.kept / (self.kept + self.leaked) if self.kept + self.leaked else 0.0
        r = self.kept / (self.kept + self.missed) if self.kept + self.missed else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    @property
    def pages_per_s(self) -> float:
        return self.pages / self.seconds if self.seconds else 0.0


def plain_trafilatura(html: bytes, url: str | None) -> str:
    import trafilatura

    return trafilatura.extract(html, url=url) or ""


def ours(html: bytes, url: str | None) -> str:
    from newsbrief.errors import InputError
    from newsbrief.ingest import prepare
    from newsbrief.ingest.html import read_html
    from newsbrief.ingest.meta import Metadata

    settings = _settings()
    try:
        raw = read_html(html, origin=url or "page", meta=Metadata(), settings=settings, url=url)
        return prepare(raw).text
    except InputError:
        return ""


@functools.cache
def _settings() -> Settings:
    from newsbrief.settings import load_settings

    return load_settings(env={})


EXTRACTORS: dict[str, Extractor] = {"trafilatura": plain_trafilatura, "newsbrief": ours}


def token_prf(predicted: str, gold: str) -> tuple[float, float, float]:
    """Whitespace-token multiset precision, recall and F1 of one page."""
    pred, ref = Counter(predicted.split()), Counter(gold.split())
    if not pred or not ref:
        score = 1.0 if not pred and not ref else 0.0
        return score, score, score
    tp = sum((pred & ref).values())
    p, r = tp / sum(pred.values()), tp / sum(ref.values())
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def zyte_pages(folder: Path, limit: int | None) -> Iterator[tuple[Page, str]]:
    with (folder / "ground_truth.jsonl").open(encoding="utf-8") as lines:
        for n, line in enumerate(lines):
            if limit is not None and n >= limit:
                return
            row = json.loads(line)
            html = gzip.decompress((folder / row["html_path"]).read_bytes())
            yield Page(id=row["id"], url=row["url"], html=html), row["gold_article_body"]


def eval_pages(folder: Path, limit: int | None) -> Iterator[tuple[Page, dict[str, list[str]]]]:
    """The annotated pages of the trafilatura evaluation set, read from the tar.xz as it is."""
    wanted: dict[str, dict[str, object]] = {}
    with (folder / "evaldata.normalized.jsonl").open(encoding="utf-8") as lines:
        for line in lines:
            row = json.loads(line)
            wanted[row["file"]] = row
    seen = 0
    with tarfile.open(folder / "trafilatura-eval-html.tar.xz", "r:xz") as archive:
        for member in archive:
            name = PurePosixPath(member.name).name
            if not member.isfile() or name not in wanted:
                continue
            if limit is not None and seen >= limit:
                return
            handle = archive.extractfile(member)
            if handle is None:
                continue
            row = wanted.pop(name)
            seen += 1
            snippets = {"with": list(row["with"]), "without": list(row["without"])}  # type: ignore[call-overload]
            yield Page(id=name, url=str(row["url"]), html=handle.read()), snippets


def collapse(text: str) -> str:
    return " ".join(text.split())


def run_zyte(folder: Path, limit: int | None) -> dict[str, Scores]:
    scores = {name: Scores() for name in SYSTEMS}
    for page, gold in zyte_pages(folder, limit):
        for name in SYSTEMS:
            start = time.perf_counter()
            text = EXTRACTORS[name](page.html, page.url)
            s = scores[name]
            s.seconds += time.perf_counter() - start
            s.pages += 1
            s.failures += not text.strip()
            p, r, f = token_prf(text, gold)
            s.precision.append(p)
            s.recall.append(r)
            s.f1.append(f)
    return scores


def run_eval(folder: Path, limit: int | None) -> dict[str, Scores]:
    scores = {name: Scores() for name in SYSTEMS}
    for page, snippets in eval_pages(folder, limit):
        for name in SYSTEMS:
            start = time.perf_counter()
            text = collapse(EXTRACTORS[name](page.html, page.url))
            s = scores[name]
            s.seconds += time.perf_counter() - start
            s.pages += 1
            s.failures += not text
            for snippet in snippets["with"]:
                if collapse(snippet) in text:
                    s.kept += 1
                else:
                    s.missed += 1
            for snippet in snippets["without"]:
                if collapse(snippet) in text:
                    s.leaked += 1
                else:
                    s.dropped += 1
    return scores


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS, help="pinned limits")
    parser.add_argument("--limit", type=int, default=None, help="at most N pages per set")
    args = parser.parse_args(argv)
    # trafilatura logs its doubts about odd pages at WARNING/ERROR; the scores say it all
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    console = Console(highlight=False, width=110)

    values: dict[str, float] = {}
    zyte, evalset = args.data / "zyte", args.data / "trafilatura-eval"
    speed = {name: Scores() for name in SYSTEMS}
    if (zyte / "ground_truth.jsonl").is_file():
        console.print("[dim]… zyte[/dim]")
        scores = run_zyte(zyte, args.limit)
        table = Table(
            title=f"zyte: whitespace-token P/R/F1, mean over {scores['newsbrief'].pages} pages"
        )
        for column in ("system", "precision", "recall", "F1", "no output"):
            table.add_column(column, justify="left" if column == "system" else "right")
        for name, s in scores.items():
            table.add_row(
                name,
                f"{s.mean(s.precision):.4f}",
                f"{s.mean(s.recall):.4f}",
                f"{s.mean(s.f1):.4f}",
                str(s.failures),
            )
            speed[name].pages += s.pages
            speed[name].seconds += s.seconds
        console.print(table)
        values["zyte_f1"] = Scores.mean(scores["newsbrief"].f1)
        values["zyte_f1_trafilatura"] = Scores.mean(scores["trafilatura"].f1)
    else:
        console.print(f"zyte: skipped (not in {args.data})")
    if (evalset / "evaldata.normalized.jsonl").is_file():
        console.print("[dim]… trafilatura-eval[/dim]")
        scores = run_eval(evalset, args.limit)
        table = Table(title=f"trafilatura-eval: snippets, {scores['newsbrief'].pages} pages")
        for column in ("system", "accuracy", "precision", "recall", "F1", "no output"):
            table.add_column(column, justify="left" if column == "system" else "right")
        for name, s in scores.items():
            p, r, f = s.snippet_prf
            table.add_row(
                name,
                f"{s.snippet_accuracy:.4f}",
                f"{p:.4f}",
                f"{r:.4f}",
                f"{f:.4f}",
                str(s.failures),
            )
            speed[name].pages += s.pages
            speed[name].seconds += s.seconds
        console.print(table)
        values["snippet_accuracy"] = scores["newsbrief"].snippet_accuracy
        values["snippet_accuracy_trafilatura"] = scores["trafilatura"].snippet_accuracy
    else:
        console.print(f"trafilatura-eval: skipped (not in {args.data})")

    table = Table(title="speed (both sets)")
    for column in ("system", "pages", "seconds", "pages/s"):
        table.add_column(column, justify="left" if column == "system" else "right")
    for name, s in speed.items():
        table.add_row(name, str(s.pages), f"{s.seconds:.1f}", f"{s.pages_per_s:.1f}")
    console.print(table)
    if speed["newsbrief"].pages:
        values["pages_per_s"] = speed["newsbrief"].pages_per_s

    # checks: the pinned floors, and ours against plain trafilatura of this run
    passed = floors.check("extraction", values, args.floors, console) == 0
    if "zyte_f1" in values:
        ok = values["zyte_f1"] >= values["zyte_f1_trafilatura"]
        passed &= ok
        verdict = "[green]pass[/green]" if ok else "[red]FAIL[/red]"
        console.print(
            f"{verdict}  zyte F1 ours ≥ plain trafilatura: {values['zyte_f1']:.4f} vs "
            f"{values['zyte_f1_trafilatura']:.4f}"
        )
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
