"""Shown corroboration: whether each further citation of a brief item states the item's fact,
against hand verdicts (bench/corroboration_labels.tsv).

    .venv/bin/python bench/corroboration.py [--data DIR] [--labels FILE] [--floors FILE]
        [--show N] [--candidates FILE]

Stories: the BASIL triplets of DIR/basil (one event, three outlets). Each story's brief is
composed as `newsbrief brief` composes it (with the sentence encoder); every item of the
Executive Summary, The Story So Far and Why This Matters that cites more than its own sentence
gives one pair per further citation: (the item's sentence, the cited sentence of another
outlet). A reader's verdict says whether the cited sentence states the item's fact
(``supports``) or not (``not``: it tells something else of the story, a part of the fact
only, or another figure). Keys: the first 16 hex digits of the SHA-1 of the two sentences'
texts, so no text is kept; a line is ``key<TAB>supports|not<TAB>half``.

Printed by half (the SHA-1 of the story's name, even or odd: calibration or report): pairs
shown, pairs with a verdict, and the precision of shown corroboration (supports / judged).
Recall: of the judged pairs that support, the share still shown. ``--candidates FILE`` writes
the shown pairs without a verdict (JSON lines) to label.

Found on the 577 pairs first labelled (2026-12-03): only about half of the further citations
state the item's fact (precision 0.537 calibration / 0.470 report). Tests on the pair's own
words and vectors cannot fix it: fit on the calibration half, the best test at precision 0.95
(the item's content words 40% in the cited sentence, cosine 0.8) keeps 18% of the true
support and scores 0.929 / 22% on the report half; at 0.8 (40%, 0.65) the report half gets
0.686 / 41%; each drops the seeds' own corroboration (the Alaska meeting, cosine 0.63). So no
such test is applied: a citation needs the event's arguments compared (issue 17) or an
entailment model.

With the event arguments (analyse/events.py, compare.corroborates; 2026-12-03) the brief cites
a further outlet only when its sentence tells the same event: the same action (or each verb
among the other's words), two participants in common, or a clause verb and a named participant
or place in common; with no negation, figure or day in conflict. Fit on the calibration half
(the rule of highest precision among those that keep the seeds' Alaska corroboration):
precision 0.891 / 0.789 (calibration / report), recall 0.280 / 0.254.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

import floors
from compare import basil, load_verdicts
from newsbrief import nlp, pipeline
from newsbrief.brief.compose import compose
from newsbrief.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
DEFAULT_LABELS = Path(__file__).resolve().with_name("corroboration_labels.tsv")
PROSE = ("executive_summary", "story_so_far", "why_it_matters")
console = Console(highlight=False)


@dataclass(frozen=True, slots=True)
class Pair:
    key: str
    story: str
    item: str
    cited: str


def pair_key(item: str, cited: str) -> str:
    return hashlib.sha1(f"{item}|{cited}".encode()).hexdigest()[:16]


def half(story: str) -> str:
    return "calibration" if hashlib.sha1(story.encode()).digest()[0] % 2 == 0 else "report"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    parser.add_argument("--show", type=int, default=0, help="Print N wrong pairs of each half.")
    parser.add_argument("--candidates", type=Path, help="Write unlabelled pairs here.")
    args = parser.parse_args(argv)
    stories = basil(args.data)
    if stories is None:
        console.print(f"[red]no set scored: no BASIL under {args.data}[/]")
        return 1
    verdicts = load_verdicts(args.labels, yes="supports", no="not")
    halves = _halves(args.labels)
    settings = load_settings(env={}, db=":memory:")
    encoder = nlp.load_encoder(settings)
    every = [a for _, articles in stories for a in articles]
    analysed = iter(pipeline.analyse(every, settings, workers=nlp.processes(settings)))
    pairs: list[Pair] = []
    for story, articles in stories:
        analyses = [next(analysed) for _ in articles]
        brief = compose(analyses, encoder=encoder)
        for section in brief.sections:
            if section.key not in PROSE:
                continue
            for item in section.items:
                own, *further = item.citations
                for cited in further:
                    key = pair_key(own.text, cited.text)
                    pairs.append(Pair(key, story, own.text, cited.text))
    if args.candidates:
        fresh = {p.key: p for p in pairs if p.key not in verdicts}
        with args.candidates.open("w", encoding="utf-8") as out:
            for p in fresh.values():
                line = {"key": p.key, "half": half(p.story), "item": p.item, "cited": p.cited}
                out.write(json.dumps(line, ensure_ascii=False) + "\n")
        console.print(f"wrote {len(fresh)} pairs to label to {args.candidates}")
        return 0

    table = Table(title="further citations shown, against hand verdicts")
    for column in ("half", "shown", "judged", "precision", "supports judged", "recall"):
        table.add_column(column, justify="right")
    scores: dict[str, float] = {}
    supporting = {k for k, v in verdicts.items() if v}
    for name in ("calibration", "report"):
        mine = [p for p in pairs if half(p.story) == name]
        judged = [verdicts[p.key] for p in mine if p.key in verdicts]
        precision = sum(judged) / len(judged) if judged else 0.0
        # the supporting pairs of this half's stories that were ever labelled: how many the
        # brief still shows
        shown = {p.key for p in mine}
        ever = {k for k in supporting if halves.get(k) == name}
        recall = len(ever & shown) / len(ever) if ever else 0.0
        table.add_row(
            name, str(len(mine)), str(len(judged)), f"{precision:.3f}", str(len(ever)),
            f"{recall:.3f}",
        )  # fmt: skip
        scores[f"{name}_precision"] = precision
        scores[f"{name}_recall"] = recall
        wrong = [p for p in mine if verdicts.get(p.key) is False]
        for p in wrong[: args.show]:
            console.print(f"{name} · {p.story}: {p.item[:90]!r} ⇐ {p.cited[:90]!r}")
    console.print(table)
    return floors.check("corroboration", scores, args.floors, console)


def _halves(path: Path) -> dict[str, str]:
    """The half of each labelled pair: the labels' third column."""
    if not path.exists():
        return {}
    rows = (line.split("\t") for line in path.read_text("utf-8").splitlines())
    return {r[0]: r[2].strip() for r in rows if len(r) > 2 and not r[0].startswith("#")}


if __name__ == "__main__":
    sys.exit(main())
