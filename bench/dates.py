"""Hand-checked dates: the date each time expression of real news articles resolves to, against
the date a reader gives it (bench/date_labels.tsv).

    .venv/bin/python bench/dates.py [--data DIR] [--labels bench/date_labels.tsv]
        [--floors bench/floors.toml] [--show N]
    .venv/bin/python bench/dates.py --candidates FILE [--count N] [--seed S]

Articles: DIR/basil/triplets.jsonl (Fox News, The New York Times, HuffPost; each dated) and the
dev compartment of DIR/polnear/articles.jsonl (seven US outlets, dated). Each article's text is
analysed as the pipeline does (pipeline.analyse); its expressions are the DATE entities outside
direct quotes, the ones analyse.timeline.dated_events reads, each resolved by
analyse.timeline.date_of.

Labels: one line per expression, ``key<TAB>gold``. The key is the first 16 hex digits of the
SHA-1 of "article key|expression as written|n" (n: its occurrence in the article, from 0), so
no text of the data is kept. The gold, given by reading the sentence against the publication
date: ``YYYY-MM-DD`` (a day), ``week YYYY-MM-DD`` (the week starting that Monday), ``YYYY-MM``
(a month; a season by its first month), ``YYYY`` (a year), ``unknown`` (it tells when, but the
text cannot say: "recently"), ``none`` (no point in time: a duration, an age, "every
Tuesday") or ``skip`` (the reader could not tell; not scored).

Score, by half (the SHA-1 of the article key, even or odd: calibration or report): an
expression is right when ours is the gold at the gold's granularity (a day for a day, a month
for a month), or both are unknown, or both none. Date accuracy is over the labelled
expressions that are a point in time (gold a date); "none" and "unknown" are counted apart.
A labelled key no expression of ours carries (the entity recogniser changed) is reported as
missing. ``--candidates`` writes unlabelled expressions (JSON lines: key, outlet, published,
sentence, expression) for labelling, weighted toward the relative ones.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from rich.console import Console
from rich.table import Table

import floors
from newsbrief import nlp, pipeline
from newsbrief.analyse.timeline import date_of
from newsbrief.records import Analysis, Article, Block, Span, content_id
from newsbrief.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
DEFAULT_LABELS = Path(__file__).resolve().with_name("date_labels.tsv")
console = Console(highlight=False)


@dataclass(frozen=True, slots=True)
class Expression:
    key: str
    article: str  # the article's key in its set
    outlet: str
    published: str
    sentence: str
    said: str
    ours: str  # in the labels' notation


def articles(data: Path) -> Iterator[tuple[str, Article]]:
    """(article key, article) of the dated dev articles of BASIL and PolNeAR."""
    basil = data / "basil" / "triplets.jsonl"
    if basil.exists():
        for line in basil.open(encoding="utf-8"):
            triplet = json.loads(line)
            for a in triplet["articles"]:
                yield (
                    f"basil/{a['file']}",
                    _article(
                        "\n\n".join(a["paragraphs"]), a.get("title") or "", a["source"], a["date"]
                    ),
                )
    else:
        console.print(f"skipped BASIL: no {basil}")
    polnear = data / "polnear" / "articles.jsonl"
    if polnear.exists():
        for line in polnear.open(encoding="utf-8"):
            row = json.loads(line)
            if row.get("compartment") == "dev":
                yield (
                    f"polnear/{row['filename']}",
                    _article(
                        row["text"],
                        row.get("title") or "",
                        row["publisher"],
                        row["publication_date"],
                    ),
                )
    else:
        console.print(f"skipped PolNeAR: no {polnear}")


def _article(text: str, title: str, outlet: str, published: str) -> Article:
    blocks, start = [], 0
    for part in text.split("\n"):
        if part.strip():
            blocks.append(Block(span=Span(start=start, end=start + len(part)), kind="paragraph"))
        start += len(part) + 1
    return Article(
        id=content_id(title, text),
        title=title,
        text=text,
        outlet=outlet,
        url=None,
        published=published,
        origin=outlet,
        blocks=tuple(blocks),
    )


def notation(found: tuple[date | None, str] | None) -> str:
    if found is None:
        return "none"
    start, granularity = found
    if start is None or granularity == "relative":
        return "unknown"
    return {
        "day": start.isoformat(),
        "week": f"week {start.isoformat()}",
        "month": start.isoformat()[:7],
        "season": start.isoformat()[:7],  # its first month, as the labels write a season
        "year": str(start.year),
    }.get(granularity, "unknown")


def expressions(key: str, article: Article, analysis: Analysis) -> list[Expression]:
    quoted = [p for q in analysis.quotes if q.direct for p in q.pieces]
    sentences = {s.index: s for s in analysis.sentences}
    seen: Counter[str] = Counter()
    out = []
    for ent in analysis.entities:
        if ent.label != "DATE" or any(ent.span in q for q in quoted):
            continue
        sentence = sentences.get(ent.sentence)
        n = seen[ent.text]
        seen[ent.text] += 1
        found = date_of(
            article.text, ent.span, sentence.span.start if sentence else None,
            article.published_date,
        )  # fmt: skip
        digest = hashlib.sha1(f"{key}|{ent.text}|{n}".encode()).hexdigest()[:16]
        out.append(
            Expression(
                key=digest,
                article=key,
                outlet=article.outlet or "",
                published=article.published or "",
                sentence=sentence.text if sentence else ent.text,
                said=ent.text,
                ours=notation(found),
            )
        )
    return out


def half(article_key: str) -> str:
    return "calibration" if hashlib.sha1(article_key.encode()).digest()[0] % 2 == 0 else "report"


def load_labels(path: Path) -> dict[str, str]:
    labels = {}
    if not path.exists():
        return labels
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, sep, gold = line.partition("\t")
        if not sep or not gold.strip():
            raise SystemExit(f"{path}:{number}: expected key<TAB>gold")
        labels[key.strip()] = gold.strip()
    return labels


def right(ours: str, gold: str) -> bool:
    return ours == gold


@dataclass(slots=True)
class Tally:
    dated: int = 0  # labelled expressions whose gold is a date
    dated_right: int = 0
    other: int = 0  # gold none or unknown
    other_right: int = 0
    missing: int = 0

    def row(self, name: str) -> list[str]:
        accuracy = self.dated_right / self.dated if self.dated else 0.0
        other = self.other_right / self.other if self.other else 0.0
        return [
            name, str(self.dated), f"{accuracy:.3f}", str(self.other), f"{other:.3f}",
            str(self.missing),
        ]  # fmt: skip


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    parser.add_argument("--show", type=int, default=0, help="Print N misses of each half.")
    parser.add_argument("--candidates", type=Path, help="Write expressions to label here.")
    parser.add_argument("--count", type=int, default=240, help="Candidates to write.")
    parser.add_argument("--seed", type=int, default=16)
    args = parser.parse_args(argv)

    labels = load_labels(args.labels)
    if not labels and not args.candidates:
        console.print(f"no labels in {args.labels}: nothing scored")
        return 1
    pairs = list(articles(args.data))
    if not pairs:
        console.print("no set found: nothing scored")
        return 1
    settings = load_settings(env={}, db=":memory:")
    analyses = pipeline.analyse([a for _, a in pairs], settings, workers=nlp.processes(settings))
    found = [
        e
        for (key, article), analysis in zip(pairs, analyses, strict=True)
        for e in expressions(key, article, analysis)
    ]
    if args.candidates:
        return write_candidates(found, labels, args.candidates, args.count, args.seed)

    tallies = {"calibration": Tally(), "report": Tally()}
    by_key = {e.key: e for e in found}
    misses: dict[str, list[str]] = {"calibration": [], "report": []}
    for key, gold in labels.items():
        if gold == "skip":
            continue  # the reader could not tell
        e = by_key.get(key)
        if e is None:
            tallies["calibration"].missing += 1  # its half is unknown without the expression
            continue
        tally = tallies[half(e.article)]
        ok = right(e.ours, gold)
        if gold in ("none", "unknown"):
            tally.other += 1
            tally.other_right += ok
        else:
            tally.dated += 1
            tally.dated_right += ok
        if not ok:
            misses[half(e.article)].append(
                f"{e.outlet} {e.published} · {e.said!r} → {e.ours}, gold {gold}: {e.sentence[:110]}"
            )
    table = Table(title="dates of time expressions, against hand labels (bench/date_labels.tsv)")
    for column in ("half", "dated", "date accuracy", "none/unknown", "accuracy", "missing"):
        table.add_column(column, justify="right")
    for name, tally in tallies.items():
        table.add_row(*tally.row(name))
    console.print(table)
    for name, lines in misses.items():
        for line in lines[: args.show]:
            console.print(f"{name}: {line}")
    measured = {
        f"{name}_date_accuracy": t.dated_right / t.dated if t.dated else 0.0
        for name, t in tallies.items()
    } | {"labelled": float(sum(t.dated for t in tallies.values()))}
    return floors.check("dates", measured, args.floors, console)


def write_candidates(
    found: Sequence[Expression], labels: dict[str, str], path: Path, count: int, seed: int
) -> int:
    """Unlabelled expressions, two in three of them relative ones (a weekday, a month or a day
    without its year, "last", "next", "this"), the others drawn from the rest."""
    rng = random.Random(seed)
    fresh = [e for e in found if e.key not in labels]
    rng.shuffle(fresh)

    def hard(e: Expression) -> bool:
        return not any(ch.isdigit() for ch in e.said) or len(e.said.split()) <= 2

    first = [e for e in fresh if hard(e)][: 2 * count // 3]
    rest = [e for e in fresh if e not in first][: count - len(first)]
    chosen = first + rest
    rng.shuffle(chosen)
    with path.open("w", encoding="utf-8") as out:
        for e in chosen:
            out.write(
                json.dumps(
                    {
                        "key": e.key,
                        "outlet": e.outlet,
                        "published": e.published,
                        "sentence": e.sentence,
                        "expression": e.said,
                    },
                    ensure_ascii=False,
                )
                + "\n"
            )
    console.print(f"wrote {len(chosen)} expressions to label to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
