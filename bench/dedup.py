"""Duplicate bench: are near-copies of wire stories grouped, and different articles of one story
kept apart?

    .venv/bin/python bench/dedup.py [--data DIR] [--copies 3] [--real 20] [--floors FILE]

1. originals: every document of DIR/multinews with at least ``--min-words`` words of clean text;
   documents that already duplicate another one in the data (scraping stubs such as "Tweet with
   a location …", repeated across clusters) are left out and counted;
2. copies: 1 to ``--copies`` per original (seeded), each under a new headline and outlet, with
   ~10% of its sentences edited (two words swapped, a word replaced or a word dropped) and 1–3
   boilerplate lines added, published a day or more after the original;
3. fast path: every article cleaned (``ingest.prepare``), fingerprinted (``dedup.fingerprint``,
   timed: articles/s) and written with ``Store.add`` — the same transaction, candidates and
   grouping as a real ingest, without the NLP — into a fresh SQLite store, in a shuffled order;
   then again in the reverse order, to check that the groups do not depend on it;
4. scores, pairwise over pairs of articles (a pair is positive when both come from the same
   original): precision, recall; false groups between different articles of one multinews
   cluster (same story, different outlets: must be 0); originals found (the earliest published
   member of each group is the true original);
5. calibration: the estimated Jaccard of copy pairs and of same-story pairs (dedup.NEAR_JACCARD
   must sit between them);
6. real path: the articles of ``--real`` originals through ``pipeline.ingest`` (NLP included),
   timed, with the same scores.

A missing data set is skipped with a note. Exit code 0 when every floor of [dedup] in
``--floors`` holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table

import floors
from newsbrief import dedup
from newsbrief.errors import InputError
from newsbrief.ingest import InputFile, prepare
from newsbrief.records import Analysis, Article, RawArticle
from newsbrief.store import Store

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
SEED = 20251022
EDIT_SHARE = 0.10  # of each copy's sentences
# Lines that syndicating sites add around wire copy.
BOILERPLATE = [
    "Copyright 2025 The Associated Press. All rights reserved. This material may not be "
    "published, broadcast, rewritten or redistributed.",
    "Sign up for our daily newsletter to get the top stories delivered to your inbox.",
    "Follow us on Facebook and Twitter for the latest updates on this story.",
    "Related: More coverage from our newsroom",
    "This article was originally published by a partner news agency.",
    "Have a news tip? Email our newsroom or call the tip line.",
]
REPLACEMENTS = "reportedly officials several major local new however nearly residents".split()
_SENTENCE = re.compile(r"(?<=[.!?”\"'])\s+(?=[A-Z“\"])")


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    """One article of the bench: an original (copy == 0) or a copy of it."""

    title: str
    text: str
    outlet: str
    published: str
    cluster: str
    original: int  # index of the original it comes from
    copy: int


@dataclass(frozen=True, slots=True, kw_only=True)
class Scores:
    precision: float
    recall: float
    true_pairs: int
    predicted_pairs: int
    same_story_false_pairs: int
    same_story_false_groups: int
    other_false_pairs: int
    originals_found: float


def originals(data: Path, min_words: int) -> tuple[list[Item], int] | None:
    """The usable documents of DIR/multinews, and how many were left out as duplicates of
    others in the data; None when the set is absent."""
    files = sorted((data / "multinews").glob("*.jsonl"))
    if not files:
        return None
    found: list[Item] = []
    shingle_sets: list[set[bytes]] = []
    for path in files:
        with path.open(encoding="utf-8") as lines:
            for line in lines:
                cluster = json.loads(line)
                for i, text in enumerate(cluster["documents"], start=1):
                    try:
                        clean = prepare(RawArticle(origin="bench", title="x", text=text)).text
                    except InputError:
                        continue
                    if len(clean.split()) < min_words:
                        continue
                    found.append(
                        Item(
                            title=f"Multi-News {cluster['id'][:12]} #{i}",
                            text=clean,
                            outlet=f"outlet {cluster['id'][:6]}-{i}",
                            published="2025-05-01",
                            cluster=cluster["id"],
                            original=len(found),
                            copy=0,
                        )
                    )
                    shingle_sets.append(dedup.shingles(clean))
    # the data's own duplicates (identical scraping stubs) would be true groups without a label
    dropped = set()
    for a, b in itertools.combinations(range(len(found)), 2):
        if b not in dropped and _jaccard(shingle_sets[a], shingle_sets[b]) >= 0.5:
            dropped |= {a, b}
    kept = [item for i, item in enumerate(found) if i not in dropped]
    renumbered = [Item(**{**_fields(item), "original": n}) for n, item in enumerate(kept)]
    return renumbered, len(dropped)


def _fields(item: Item) -> dict[str, object]:
    return {k: getattr(item, k) for k in Item.__slots__}


def _jaccard(a: set[bytes], b: set[bytes]) -> float:
    return len(a & b) / len(a | b) if a and b else 0.0


def edit_sentence(sentence: str, rng: random.Random) -> str:
    words = sentence.split()
    if len(words) < 4:
        return sentence
    i = rng.randrange(1, len(words) - 1)
    match rng.choice(("swap", "replace", "drop")):
        case "swap":
            words[i], words[i + 1] = words[i + 1], words[i]
        case "replace":
            words[i] = rng.choice(REPLACEMENTS)
        case _:
            del words[i]
    return " ".join(words)


def near_copy(item: Item, n: int, rng: random.Random) -> Item:
    """A syndicated copy: new headline and outlet, ~10% of sentences edited, boilerplate."""
    paragraphs = item.text.split("\n\n")
    sentences = [(p, s) for p, para in enumerate(paragraphs) for s in _SENTENCE.split(para)]
    chosen = set(rng.sample(range(len(sentences)), max(1, round(EDIT_SHARE * len(sentences)))))
    out: list[list[str]] = [[] for _ in paragraphs]
    for k, (p, sentence) in enumerate(sentences):
        out[p].append(edit_sentence(sentence, rng) if k in chosen else sentence)
    body = [" ".join(para) for para in out]
    lines = rng.sample(BOILERPLATE, rng.randint(1, 3))
    head, tail = lines[:1], lines[1:]
    text = (
        "\n\n".join([*head, *body, *tail]) if rng.random() < 0.5 else "\n\n".join([*body, *lines])
    )
    words = item.text.split()
    start = rng.randrange(0, max(1, len(words) - 8))
    title = " ".join(words[start : start + 8]).strip(".,;:\"“”'") + f" ({n})"
    return Item(
        title=title,
        text=text,
        outlet=f"syndicator {item.original}-{n}",
        published=f"2025-05-{1 + n + rng.randint(0, 3):02d}",
        cluster=item.cluster,
        original=item.original,
        copy=n,
    )


def workload(items: Sequence[Item], copies: int, seed: int) -> list[Item]:
    rng = random.Random(seed)
    out = []
    for item in items:
        out.append(item)
        out.extend(near_copy(item, n, rng) for n in range(1, rng.randint(1, copies) + 1))
    return out


def article_of(item: Item) -> Article:
    raw = RawArticle(
        origin=f"{item.cluster}/{item.original}/{item.copy}",
        title=item.title,
        text=item.text,
        outlet=item.outlet,
        published=item.published,
    )
    return prepare(raw)


def score(store: Store, items: Sequence[Item], ids: Sequence[str]) -> Scores:
    """Pairwise precision/recall of the store's groups against the originals."""
    groups = store.duplicate_groups(ids)
    found = store.duplicates(ids)
    truth = {i: item.original for i, item in zip(ids, items, strict=True)}
    cluster = {i: item.cluster for i, item in zip(ids, items, strict=True)}
    by_original: dict[int, list[str]] = {}
    for i, o in truth.items():
        by_original.setdefault(o, []).append(i)
    true_pairs = {frozenset(p) for m in by_original.values() for p in itertools.combinations(m, 2)}
    by_group: dict[str, list[str]] = {}
    for i, g in groups.items():
        by_group.setdefault(g, []).append(i)
    predicted = {frozenset(p) for m in by_group.values() for p in itertools.combinations(m, 2)}
    hits = len(true_pairs & predicted)
    false = [tuple(p) for p in predicted - true_pairs]
    same_story = [(a, b) for a, b in false if cluster[a] == cluster[b]]
    false_groups = {groups[a] for a, _ in same_story}
    originals = {item.original: i for i, item in zip(ids, items, strict=True) if item.copy == 0}
    right = sum(
        1
        for members in by_group.values()
        if found[members[0]].original == originals[truth[members[0]]]
    )
    return Scores(
        precision=hits / len(predicted) if predicted else 1.0,
        recall=hits / len(true_pairs) if true_pairs else 1.0,
        true_pairs=len(true_pairs),
        predicted_pairs=len(predicted),
        same_story_false_pairs=len(same_story),
        same_story_false_groups=len(false_groups),
        other_false_pairs=len(false) - len(same_story),
        originals_found=right / len(by_group) if by_group else 1.0,
    )


def partition(store: Store, ids: Iterable[str]) -> set[frozenset[str]]:
    by_group: dict[str, set[str]] = {}
    for i, g in store.duplicate_groups(list(ids)).items():
        by_group.setdefault(g, set()).add(i)
    return {frozenset(m) for m in by_group.values()}


@dataclass(frozen=True, slots=True, kw_only=True)
class FastRun:
    ids: list[str]
    fingerprint_s: float
    store_s: float
    scores: Scores
    groups: set[frozenset[str]]


def fast_path(items: Sequence[Item], order: Sequence[int], db: Path) -> FastRun:
    articles = [article_of(item) for item in items]
    start = time.perf_counter()
    prints = [dedup.fingerprint(a.text) for a in articles]
    fingerprint_s = time.perf_counter() - start
    with Store.open(str(db)) as store:
        start = time.perf_counter()
        for k in order:
            store.add(Analysis(article=articles[k], sentences=(), fingerprint=prints[k]))
        store_s = time.perf_counter() - start
        ids = [a.id for a in articles]
        return FastRun(
            ids=ids,
            fingerprint_s=fingerprint_s,
            store_s=store_s,
            scores=score(store, items, ids),
            groups=partition(store, ids),
        )


def calibration(items: Sequence[Item], articles: Sequence[Article]) -> dict[str, list[float]]:
    """Estimated Jaccard of copy pairs, and of different articles of one cluster."""
    prints = [dedup.fingerprint(a.text) for a in articles]
    by_cluster: dict[str, list[int]] = {}
    for k, item in enumerate(items):
        by_cluster.setdefault(item.cluster, []).append(k)
    copies, same_story = [], []
    for members in by_cluster.values():
        for a, b in itertools.combinations(members, 2):
            if items[a].original == items[b].original:
                copies.append(dedup.similarity(prints[a], prints[b]))
            elif items[a].copy == items[b].copy == 0:
                same_story.append(dedup.similarity(prints[a], prints[b]))
    return {"copy pairs": copies, "same-story pairs (originals)": same_story}


def real_path(items: Sequence[Item], tmp: Path) -> tuple[float, Scores, set[frozenset[str]]]:
    """The items through pipeline.ingest (read, clean, NLP, fingerprint, store), timed."""
    from newsbrief.pipeline import ingest
    from newsbrief.settings import load_settings

    inputs = tmp / "real.jsonl"
    with inputs.open("w", encoding="utf-8") as out:
        for item in items:
            line = {
                "title": item.title,
                "text": item.text,
                "source": item.outlet,
                "published": item.published,
            }
            out.write(json.dumps(line, ensure_ascii=False) + "\n")
    settings = load_settings(env={}).replace(db=str(tmp / "real.db"))
    with Store.open(settings.db) as store:
        start = time.perf_counter()
        report = ingest([InputFile(inputs)], store, settings)
        seconds = time.perf_counter() - start
        if report.failed or len(report.article_ids) != len(items):
            raise SystemExit(f"real path: {report.summary()}")
        ids = report.article_ids
        return seconds, score(store, items, ids), partition(store, ids)


def _pct(values: Sequence[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--copies", type=int, default=3, help="most copies of one original")
    parser.add_argument("--min-words", type=int, default=100, help="shortest original")
    parser.add_argument("--real", type=int, default=20, help="originals through pipeline.ingest")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS, help="pinned limits")
    args = parser.parse_args(argv)
    console = Console(highlight=False, width=110)

    found = originals(args.data, args.min_words)
    if found is None:
        console.print(f"multinews: skipped (not in {args.data}); nothing to score")
        return 0
    base, dropped = found
    items = workload(base, args.copies, args.seed)
    console.print(
        f"multinews: {len(base)} originals (≥ {args.min_words} words; {dropped} left out as "
        f"duplicates of each other in the data), {len(items) - len(base)} copies"
    )
    order = list(range(len(items)))
    random.Random(args.seed).shuffle(order)
    with tempfile.TemporaryDirectory(prefix="newsbrief-dedup-") as name:
        tmp = Path(name)
        run = fast_path(items, order, tmp / "fast.db")
        backwards = fast_path(items, order[::-1], tmp / "reversed.db")
        real_items = [i for i in items if i.original < args.real]
        real_s, real_scores, real_groups = (
            real_path(real_items, tmp) if args.real else (1.0, None, set())
        )
    real_groups_ids = {i for g in real_groups for i in g}
    same_order = run.groups == backwards.groups
    in_subset = {g for g in run.groups if g & real_groups_ids}

    table = Table(title="dedup: multinews near-copies (pairwise over pairs of articles)")
    for col in (
        "path",
        "articles",
        "precision",
        "recall",
        "true pairs",
        "found pairs",
        "false groups same story",
        "false pairs other",
        "originals right",
    ):
        table.add_column(col, justify="left" if col == "path" else "right")
    s = run.scores
    table.add_row(
        "fast",
        str(len(items)),
        f"{s.precision:.4f}",
        f"{s.recall:.4f}",
        str(s.true_pairs),
        str(s.predicted_pairs),
        str(s.same_story_false_groups),
        str(s.other_false_pairs),
        f"{s.originals_found:.3f}",
    )
    if real_scores is not None:
        r = real_scores
        table.add_row(
            "real (subset)",
            str(len(real_items)),
            f"{r.precision:.4f}",
            f"{r.recall:.4f}",
            str(r.true_pairs),
            str(r.predicted_pairs),
            str(r.same_story_false_groups),
            str(r.other_false_pairs),
            f"{r.originals_found:.3f}",
        )
    console.print(table)

    speed = Table(title="speed and order")
    speed.add_column("measure")
    speed.add_column("value", justify="right", style="bold")
    fingerprint_rate = len(items) / run.fingerprint_s
    speed.add_row("fingerprinting (dedup.fingerprint), articles/s", f"{fingerprint_rate:.0f}")
    speed.add_row("Store.add with grouping (no NLP), articles/s", f"{len(items) / run.store_s:.0f}")
    if real_scores is not None:
        speed.add_row(
            "pipeline.ingest (NLP included), articles/s", f"{len(real_items) / real_s:.1f}"
        )
    speed.add_row("same groups in reversed arrival order", "yes" if same_order else "NO")
    if real_scores is not None:
        same = "yes" if in_subset == real_groups else "NO"
        speed.add_row("pipeline.ingest groups = fast-path groups (subset)", same)
    console.print(speed)

    calib = calibration(items, [article_of(i) for i in items])
    cal = Table(title=f"calibration: estimated Jaccard (NEAR_JACCARD = {dedup.NEAR_JACCARD})")
    for col in ("pairs", "n", "min", "1%", "5%", "median", "99%", "max"):
        cal.add_column(col, justify="left" if col == "pairs" else "right")
    for label, values in calib.items():
        cal.add_row(
            label,
            str(len(values)),
            f"{min(values):.3f}",
            f"{_pct(values, 0.01):.3f}",
            f"{_pct(values, 0.05):.3f}",
            f"{statistics.median(values):.3f}",
            f"{_pct(values, 0.99):.3f}",
            f"{max(values):.3f}",
        )
    console.print(cal)

    values = {
        "precision": s.precision,
        "recall": s.recall,
        "same_story_false_groups": float(s.same_story_false_groups),
        "order_differences": 0.0 if same_order else 1.0,
        "fingerprint_articles_per_s": fingerprint_rate,
    }
    return floors.check("dedup", values, args.floors, console)


if __name__ == "__main__":
    sys.exit(main())
