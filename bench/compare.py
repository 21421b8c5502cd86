"""Source comparison harness: the disagreements newsbrief flags between the outlets of a story,
with a hand check of them.

    .venv/bin/python bench/compare.py [--data DIR] [--floors bench/floors.toml]
        [--checked bench/compare_checked.tsv] [--show N] [--limit N]

Stories:
- DIR/basil/triplets.jsonl: one event told by Fox News, the New York Times and HuffPost (dated);
- DIR/multinews/multinews.jsonl: the source documents of each cluster, each taken as its own
  outlet (the set names none), undated;
- DIR/ecbplus/docs.jsonl: the documents of each gold event (not of each topic: a topic holds
  two events), each its own outlet, undated; the set's tokenised text is joined back
  ("Reid , 33" → "Reid, 33");
- DIR/allsides/allsides.jsonl: the lead paragraphs of a left, a centre and a right outlet on one
  story (the set names them in random order, so each is "outlet N"), undated.
Each story goes through pipeline.analyse and compare, with the sentence encoder (as `newsbrief
brief` does). The table counts statements, those aligned across outlets, and the flagged
disagreements by kind.

Hand check: bench/compare_checked.tsv holds a verdict for flags, one a line, "key<TAB>right|wrong
<TAB>why" (the key is printed with each flag). Precision is the share of right verdicts among
flags of this run that have one; strict precision counts a flag without a verdict as wrong, so
that a new flag no one has read cannot pass. ``--show N`` prints N flags (at random, seed 0),
unchecked ones first, with the sentences that hold each version.

Recall: bench/disagreement_labels.tsv lists every factual disagreement a reader found in 40 dev
stories (each side by the keys of the sentences stating it, see sentence_key). A flag finds a
labelled disagreement when one of its versions cites a sentence of one side and another version
a sentence of the other. On those stories a flag that finds none is wrong, whatever its verdict
in the checked file. Printed by half (calibration / report, as bench/corroboration.py splits
stories): recall, precision and the flags. ``--labelled`` runs the labelled stories only.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import re
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

import floors
from newsbrief import nlp, pipeline
from newsbrief.compare import align, disagreements, outlet_keys, statements
from newsbrief.errors import InputError
from newsbrief.ingest import prepare
from newsbrief.records import Article, Disagreement, RawArticle
from newsbrief.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
DEFAULT_CHECKED = Path(__file__).resolve().with_name("compare_checked.tsv")
DEFAULT_LABELS = Path(__file__).resolve().with_name("disagreement_labels.tsv")
console = Console(highlight=False)


def basil(data: Path) -> list[tuple[str, list[Article]]] | None:
    path = data / "basil" / "triplets.jsonl"
    if not path.exists():
        return None
    stories = []
    for line in path.open(encoding="utf-8"):
        triplet = json.loads(line)
        articles = [
            prepare(
                RawArticle(
                    origin=a["file"],
                    title=a["title"],
                    text="\n\n".join(a["paragraphs"]),
                    outlet=a["source"],
                    published=a["date"],
                )
            )
            for a in triplet["articles"]
        ]
        stories.append((f"basil {triplet['main_event'][:50]}", articles))
    return stories


def multinews(data: Path) -> list[tuple[str, list[Article]]] | None:
    path = data / "multinews" / "multinews.jsonl"
    if not path.exists():
        return None
    stories = []
    for line in path.open(encoding="utf-8"):
        cluster = json.loads(line)
        articles = []
        for i, document in enumerate(cluster["documents"]):
            head, _, _ = document.strip().partition("\n")
            raw = RawArticle(
                origin=f"{cluster['id'][:8]}/{i}",
                title=head[:120],
                text=document,
                outlet=f"outlet {i + 1}",
            )
            try:
                articles.append(prepare(raw))
            except InputError:
                continue  # a document that is only boilerplate, rejected as ingest would
        if articles:
            stories.append((f"multinews {cluster['id'][:8]}", articles))
    return stories


def ecbplus(data: Path) -> list[tuple[str, list[Article]]] | None:
    path = data / "ecbplus" / "docs.jsonl"
    if not path.exists():
        return None
    events: dict[str, list[Article]] = {}
    for line in path.open(encoding="utf-8"):
        doc = json.loads(line)
        sentences = [detokenise(s) for s in doc["sentences"]]
        if not sentences:
            continue
        articles = events.setdefault(doc["event_cluster"], [])
        articles.append(
            prepare(
                RawArticle(
                    origin=doc["doc_id"],
                    title=sentences[0],
                    text="\n\n".join(sentences),
                    outlet=f"doc {doc['doc_id']}",
                )
            )
        )
    return [(f"ecbplus {event}", articles) for event, articles in events.items()]


def allsides(data: Path) -> list[tuple[str, list[Article]]] | None:
    path = data / "allsides" / "allsides.jsonl"
    if not path.exists():
        return None
    stories = []
    for line in path.open(encoding="utf-8"):
        story = json.loads(line)
        articles = [
            prepare(
                RawArticle(
                    origin=f"{story['id']}/{i}",
                    title=source["title"],
                    text=source["article"],
                    outlet=f"outlet {i + 1}",
                )
            )
            for i, source in enumerate(story["source_articles"])
            if source["article"].strip()
        ]
        stories.append((f"allsides {story['id']}", articles))
    return stories


def detokenise(text: str) -> str:
    """ECB+ text as it was written: no space before punctuation or a clitic, quotes curled."""
    text = re.sub(r"``\s*", "“", text)
    text = re.sub(r"\s*''", "”", text)
    text = re.sub(r"\s+([,.;:!?%)]|'s\b|n't\b|'re\b|'ve\b|'ll\b|'d\b)", r"\1", text)
    text = re.sub(r"([$(])\s+", r"\1", text)
    text = re.sub(r"(\w)\s+’(s\b|\s)", r"\1’\2", text)  # "Charles ’ 226" → "Charles’ 226"
    text = re.sub(r"(\w) - (?=\w)", r"\1-", text)  # "29 - year - old" → "29-year-old"
    return re.sub(r"(\d):\s+(\d)", r"\1:\2", text)


def flag_key(d: Disagreement) -> str:
    """A stable key for a flag: its kind and versions, with the sentences citing each."""
    parts = [d.kind, d.subject] + [
        v.text + "|" + "|".join(c.text for c in v.citations) for v in d.versions
    ]
    return hashlib.sha1("\n".join(parts).encode("utf-8")).hexdigest()[:12]


def sentence_key(text: str) -> str:
    return hashlib.sha1(text.strip().encode("utf-8")).hexdigest()[:10]


def half(story: str) -> str:
    """The half of a story: the first byte of the SHA-1 of its name, even or odd."""
    return "calibration" if hashlib.sha1(story.encode()).digest()[0] % 2 == 0 else "report"


@dataclass(frozen=True, slots=True)
class Labelled:
    """A disagreement a reader found: its story, kind and the sentence keys of each side."""

    story: str
    kind: str
    a: frozenset[str]
    b: frozenset[str]

    def found_by(self, d: Disagreement) -> bool:
        sides = [{sentence_key(c.text) for c in v.citations} for v in d.versions]
        return any(sa & self.a and sb & self.b for sa in sides for sb in sides if sa is not sb)


def load_labels(path: Path) -> tuple[set[str], list[Labelled]]:
    """The labelled stories and their disagreements ("none" lines label a story only)."""
    if not path.exists():
        return set(), []
    stories, found = set(), []
    for line in path.read_text("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        story, kind, a, b = [*line.split("\t"), "", ""][:4]
        stories.add(story)
        if kind != "none":
            found.append(Labelled(story, kind, frozenset(a.split(",")), frozenset(b.split(","))))
    return stories, found


def load_verdicts(path: Path, yes: str = "right", no: str = "wrong") -> dict[str, bool]:
    """Hand verdicts of a TSV file, "key<TAB>yes|no<TAB>why" a line ("#" lines are notes):
    key → whether the verdict is ``yes``. Missing file: none."""
    if not path.exists():
        return {}
    verdicts = {}
    for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        key, verdict, *_ = line.split("\t")
        if verdict not in (yes, no):
            raise SystemExit(f"{path}:{number}: the verdict is {yes} or {no}, not {verdict!r}")
        verdicts[key] = verdict == yes
    return verdicts


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    parser.add_argument("--checked", type=Path, default=DEFAULT_CHECKED)
    parser.add_argument("--show", type=int, default=0, help="Print N flags, unchecked first.")
    parser.add_argument("--limit", type=int, default=0, help="Stories of each set (0: all).")
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument(
        "--labelled", action="store_true", help="Only the stories with disagreement labels."
    )
    args = parser.parse_args(argv)
    settings = load_settings(env={}, db=":memory:")
    encoder = nlp.load_encoder(settings)
    checked = load_verdicts(args.checked)
    labelled_stories, labelled = load_labels(args.labels)
    table = Table(title="disagreements between the outlets of a story")
    for col in ("set", "stories", "statements", "aligned", "flags", "by kind", "s"):
        table.add_column(col, justify="right")
    flags: list[tuple[str, str, Disagreement]] = []
    sets = (
        ("basil", basil),
        ("multinews", multinews),
        ("ecbplus", ecbplus),
        ("allsides", allsides),
    )
    for name, load in sets:
        stories = load(args.data)
        if stories is None:
            console.print(f"[yellow]skipped {name}: no data under {args.data / name}[/]")
            continue
        stories = stories[: args.limit] if args.limit else stories
        if args.labelled:
            stories = [s for s in stories if s[0] in labelled_stories]
        started = time.perf_counter()
        every = [a for _, articles in stories for a in articles]
        analysed = iter(pipeline.analyse(every, settings, workers=nlp.processes(settings)))
        n_units = n_aligned = 0
        kinds: Counter[str] = Counter()
        for story, articles in stories:
            analyses = [next(analysed) for _ in articles]
            units = statements(analyses, outlet_keys(analyses))
            aligned = align(units, encoder.encode)
            n_units += len(units)
            n_aligned += len(aligned)
            for d in disagreements(analyses, units, aligned, encoded=True):
                kinds[d.kind] += 1
                flags.append((story, flag_key(d), d))
        table.add_row(
            name,
            str(len(stories)),
            str(n_units),
            str(n_aligned),
            str(sum(kinds.values())),
            ", ".join(f"{k} {n}" for k, n in sorted(kinds.items())),
            f"{time.perf_counter() - started:.0f}",
        )
    console.print(table)
    scores: dict[str, float] = {}
    if labelled_stories:
        scores |= recall_table(flags, labelled_stories, labelled)
        # on labelled stories the labels are the verdicts
        for story, key, d in flags:
            if story in labelled_stories:
                checked[key] = any(g.story == story and g.found_by(d) for g in labelled)
    judged = [checked[key] for _, key, _ in flags if key in checked]
    precision = sum(judged) / len(judged) if judged else 0.0
    strict = sum(judged) / len(flags) if flags else 0.0
    console.print(
        f"hand-checked precision {precision:.3f} on {len(judged)} flags with a verdict"
        f" ({len(flags) - len(judged)} flags unchecked; verdicts in {args.checked.name});"
        f" strict precision {strict:.3f} on all {len(flags)} flags (unchecked counted wrong)"
    )
    show(flags, checked, args.show)
    scores |= {"precision": precision, "strict_precision": strict, "right": sum(judged)}
    return floors.check("compare", scores, args.floors, console)


def recall_table(
    flags: list[tuple[str, str, Disagreement]], stories: set[str], labelled: list[Labelled]
) -> dict[str, float]:
    """Recall and precision against the labelled disagreements, by half; the scores to pin."""
    table = Table(title="against every disagreement a reader found (disagreement_labels.tsv)")
    for col in ("half", "stories", "labelled", "found", "recall", "flags", "right", "precision"):
        table.add_column(col, justify="right")
    scores = {}
    for name in ("calibration", "report"):
        mine = [g for g in labelled if half(g.story) == name]
        n_stories = len({s for s in stories if half(s) == name})
        mine_flags = [(s, d) for s, _, d in flags if s in stories and half(s) == name]
        found = [g for g in mine if any(s == g.story and g.found_by(d) for s, d in mine_flags)]
        right = [d for s, d in mine_flags if any(g.story == s and g.found_by(d) for g in mine)]
        recall = len(found) / len(mine) if mine else 0.0
        precision = len(right) / len(mine_flags) if mine_flags else 0.0
        table.add_row(
            name, str(n_stories), str(len(mine)), str(len(found)), f"{recall:.3f}",
            str(len(mine_flags)), str(len(right)), f"{precision:.3f}",
        )  # fmt: skip
        scores[f"{name}_recall"] = recall
        scores[f"{name}_labelled_precision"] = precision
    console.print(table)
    return scores


def show(flags: list[tuple[str, str, Disagreement]], checked: dict[str, bool], n: int) -> None:
    picked = list(flags)
    random.Random(0).shuffle(picked)
    picked.sort(key=lambda f: f[1] in checked)  # unchecked first, shuffled within
    for story, key, d in picked[:n]:
        verdict = ("wrong", "right")[checked[key]] if key in checked else "unchecked"
        console.print(f"\n[bold]{key}[/] {verdict} · {story} · {d.kind}: {d.subject}")
        for v in d.versions:
            console.print(f"  [cyan]{v.text}[/] ({', '.join(v.outlets)})")
            for c in v.citations[:2]:
                console.print(f"    [dim]{c.text[:220]}[/]")


if __name__ == "__main__":
    sys.exit(main())
