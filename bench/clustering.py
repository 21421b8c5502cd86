"""Clustering harness: B-cubed P/R/F1 of incremental story assignment, order sensitivity,
throughput and peak memory.

    .venv/bin/python bench/clustering.py [--data DIR] [--floors bench/floors.toml]
        [--encoder MODULE:FACTORY] [--stream 10000,30000,100000] [--grid]

1. DIR/ecbplus/docs.jsonl: all dev docs in one stream (title: the first sentence; text: all of
   them; undated);
   gold = event_cluster (two similar events per topic);
2. DIR/basil/triplets.jsonl: every article of every triplet in one stream, dated, by date;
   gold = the triplet;
3. order: the same streams reversed and shuffled (seed 0); B-cubed F1 of each grouping
   against the first one (1.0 = the same grouping);
4. throughput: ``StoryIndex.decide`` + ``apply`` (the code ingest runs) over a synthetic
   stream of N articles made from the ECB+ features: copy k of the dev docs is rotated by a
   random orthogonal matrix, its actors renamed and its days moved by 2·k, so copies are
   distinct stories; ms per article over the last 10% of the stream, and peak memory.

Analyses (spaCy) with their lead vectors (pipeline.analyse, as ingest runs it) are computed
once and cached under
~/.cache/newsbrief/bench-clustering (outside the repository: they hold the data sets' text);
clustering runs on them through the same functions as ingest (cluster.features, StoryIndex).
A missing data set is skipped with a note. Exit 1 when a floor of [clustering] fails.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import pickle
import random
import resource
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

import floors
from newsbrief import cluster, nlp, pipeline
from newsbrief.cluster import Features, StoryIndex
from newsbrief.ingest import prepare
from newsbrief.records import Analysis, RawArticle
from newsbrief.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
# outside the repository: the cached analyses hold the data sets' text
CACHE = Path.home() / ".cache" / "newsbrief" / "bench-clustering"
console = Console(highlight=False)


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    """B-cubed precision, recall and F1 of ``pred`` (item → cluster) against ``gold``."""
    by_pred: dict[str, set[str]] = defaultdict(set)
    by_gold: dict[str, set[str]] = defaultdict(set)
    for item in gold:
        by_pred[pred[item]].add(item)
        by_gold[gold[item]].add(item)
    p = r = 0.0
    for item in gold:
        both = len(by_pred[pred[item]] & by_gold[gold[item]])
        p += both / len(by_pred[pred[item]])
        r += both / len(by_gold[gold[item]])
    p, r = p / len(gold), r / len(gold)
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def ecbplus(path: Path) -> tuple[list[RawArticle], dict[str, str]]:
    raws, gold = [], {}
    for line in path.open(encoding="utf-8"):
        doc = json.loads(line)
        sents = doc["sentences"]
        sents = json.loads(sents) if isinstance(sents, str) and sents.startswith('["') else sents
        if isinstance(sents, str):  # a Python repr of a list
            import ast

            sents = ast.literal_eval(sents)
        if not sents:
            continue
        # ECB docs have no headline: their first sentence is the title and stays in the text
        # (ECB+ docs start with one; it is kept in the text too, the same way for all)
        raws.append(RawArticle(origin=doc["doc_id"], title=sents[0], text="\n".join(sents)))
        gold[doc["doc_id"]] = doc["event_cluster"]
    return raws, gold


def basil(path: Path) -> tuple[list[RawArticle], dict[str, str]]:
    import ast

    raws, gold = [], {}
    for line in path.open(encoding="utf-8"):
        triplet = json.loads(line)
        arts = triplet["articles"]
        arts = ast.literal_eval(arts) if isinstance(arts, str) else arts
        for art in arts:
            paras = art["paragraphs"]
            paras = ast.literal_eval(paras) if isinstance(paras, str) else paras
            text = "\n".join(" ".join(p) if isinstance(p, list) else p for p in paras)
            raws.append(
                RawArticle(
                    origin=art["file"],
                    title=art["title"],
                    text=text,
                    outlet=art["source"],
                    published=art.get("date"),
                )
            )
            gold[art["file"]] = triplet["triplet_uuid"]
    return raws, gold


def analyses_of(name: str, raws: Sequence[RawArticle], settings: Settings) -> list[Analysis]:
    """spaCy analyses with their lead vectors (as ingest makes them), cached by content, model,
    encoder and record layout."""
    parts = [r.origin + r.title + r.text for r in raws]
    parts += [settings.spacy_model, settings.encoder, ",".join(Analysis.__slots__)]
    key = hashlib.sha256("\x1f".join(parts).encode()).hexdigest()[:16]
    path = CACHE / f"{name}-{key}.analyses.pickle"
    if path.exists():
        return list(pickle.loads(path.read_bytes()))
    articles = [prepare(r) for r in raws]
    out = list(pipeline.analyse(articles, settings, workers=nlp.processes(settings), encode=True))
    CACHE.mkdir(parents=True, exist_ok=True)
    path.write_bytes(pickle.dumps(out))
    return out


def run(feats: Iterable[Features]) -> dict[str, str]:
    """Article → story id, after every merge."""
    index = StoryIndex()
    story_of: dict[str, str] = {}
    merged_into: dict[str, str] = {}
    for f in feats:
        a = index.assign(f)
        story_of[f.article_id] = a.story_id
        for old in a.merged:
            merged_into[old] = a.story_id

    def final(s: str) -> str:
        while s in merged_into:
            s = merged_into[s]
        return s

    return {k: final(v) for k, v in story_of.items()}


def quality(
    sets: dict[str, tuple[list[Features], dict[str, str]]], rows: list[list[str]]
) -> dict[str, float]:
    scores: dict[str, float] = {}
    for name, (feats, gold) in sets.items():
        ids = {f.article_id: f for f in feats}
        gold_by_id = {f.article_id: gold[o] for f, o in zip(feats, gold, strict=True)}
        pred = run(feats)
        p, r, f1 = bcubed(pred, gold_by_id)
        scores[f"{name}_f1"] = f1
        rev = run(reversed(feats))
        shuffled = list(feats)
        random.Random(0).shuffle(shuffled)
        shuf = run(shuffled)
        order = min(bcubed(rev, pred)[2], bcubed(shuf, pred)[2])
        f1_rev = bcubed(rev, gold_by_id)[2]
        f1_shuf = bcubed(shuf, gold_by_id)[2]
        scores[f"{name}_order_f1"] = order
        rows.append(
            [
                name,
                str(len(ids)),
                str(len(set(gold_by_id.values()))),
                str(len(set(pred.values()))),
                f"{p:.3f}",
                f"{r:.3f}",
                f"{f1:.3f}",
                f"{f1_rev:.3f} / {f1_shuf:.3f}",
                f"{order:.3f}",
            ]
        )
    return scores


def stream(base: Sequence[Features], n: int, seed: int = 0) -> list[Features]:
    """``n`` synthetic articles: rotated, renamed and shifted copies of ``base``."""
    rng = np.random.default_rng(seed)
    out: list[Features] = []
    dim = base[0].vector.shape[0]
    k = 0
    while len(out) < n:
        q, _ = np.linalg.qr(rng.standard_normal((dim, dim)))
        q = q.astype(np.float32)
        for i, f in enumerate(base):
            if len(out) == n:
                break
            v = f.vector @ q
            out.append(
                replace(
                    f,
                    article_id=f"{k}:{f.article_id}",
                    vector=v / np.linalg.norm(v),
                    actors=tuple(f"{a}#{k}" for a in f.actors),
                    day=730_000 + 2 * k + (i % 2),
                )
            )
        k += 1
    return out


def ms_over_tail(feats: Sequence[Features], step: Callable[[Features], object]) -> float:
    """``step`` over ``feats`` in order; ms per article over the last 10%."""
    tail = int(len(feats) * 0.9)
    start = 0.0
    for i, f in enumerate(feats):
        if i == tail:
            start = time.perf_counter()
        step(f)
    return (time.perf_counter() - start) * 1000 / (len(feats) - tail)


def throughput(base: Sequence[Features], n: int) -> tuple[float, int]:
    index = StoryIndex()
    return ms_over_tail(stream(base, n), index.assign), len(index)


def stored_throughput(base: Sequence[Features], n: int) -> float:
    """Store.place (the transaction ingest writes, minus the article itself) for a stream of
    ``n`` articles whose rows are bulk-inserted first; ms per article over the last 10%."""
    import tempfile

    from sqlalchemy import insert

    from newsbrief.placement import placement_of
    from newsbrief.store import Store
    from newsbrief.store.schema import articles

    feats = stream(base, n)
    with tempfile.TemporaryDirectory() as tmp, Store.open(str(Path(tmp) / "s.db")) as store:
        with store.engine.begin() as conn:
            conn.execute(
                insert(articles),
                [
                    {"id": f.article_id, "title": "", "text": "", "authors": "[]",
                     "origin": "", "blocks": "[]", "removed": "[]", "ingested_at": ""}
                    for f in feats
                ],
            )  # fmt: skip
        index = StoryIndex()

        def place(f: Features) -> None:
            decision = index.decide(f)
            state = index.outcome(f, decision)
            placed = placement_of(f, decision, state, "b")
            store.place(f.article_id, lambda _ledger: placed)
            index.apply(f, decision)

        return ms_over_tail(feats, place)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS)
    parser.add_argument(
        "--encoder",
        help="The setting encoder: package.module:factory of another SentenceEncoder "
        "(default: the packaged MiniLM)",
    )
    parser.add_argument("--stream", default="10000,30000,100000")
    parser.add_argument(
        "--store", type=int, default=10000, help="Articles for the store-backed run (0: none)."
    )
    parser.add_argument("--grid", action="store_true", help="Re-run the threshold calibration.")
    args = parser.parse_args(argv)
    settings = load_settings(env={}, db=":memory:")
    if args.encoder:
        sys.path.insert(0, str(Path.cwd()))
        settings = settings.replace(encoder=args.encoder)
    encoder = nlp.load_encoder(settings)
    sets: dict[str, tuple[list[Features], dict[str, str]]] = {}
    for name, reader, file in (
        ("ecbplus", ecbplus, args.data / "ecbplus" / "docs.jsonl"),
        ("basil", basil, args.data / "basil" / "triplets.jsonl"),
    ):
        if not file.exists():
            console.print(f"[yellow]skipped {name}: no {file}[/]")
            continue
        raws, gold = reader(file)
        if name == "basil":  # a stream arrives in time order
            raws.sort(key=lambda r: (r.published or "", r.origin))
        feats = cluster.features(analyses_of(name, raws, settings), encoder)
        sets[name] = (feats, {r.origin: gold[r.origin] for r in raws})
    if args.grid:
        grid(sets)
        return 0
    table = Table(title=f"clustering (encoder {encoder.name})")
    for col in ("set", "docs", "gold", "stories", "P", "R", "F1", "F1 rev/shuf", "order F1"):
        table.add_column(col, justify="right")
    rows: list[list[str]] = []
    scores = quality(sets, rows)
    for row in rows:
        table.add_row(*row)
    console.print(table)
    if "ecbplus" in sets:
        speed = Table(title="incremental assignment (StoryIndex, synthetic stream)")
        for col in ("articles", "stories in index", "ms/article (last 10%)", "peak RSS MB"):
            speed.add_column(col, justify="right")
        for n in (int(x) for x in args.stream.split(",") if x):
            ms, stories = throughput(sets["ecbplus"][0], n)
            scores[f"ms_per_article_{n}"] = ms
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            speed.add_row(str(n), str(stories), f"{ms:.3f}", f"{rss:.0f}")
        console.print(speed)
        if args.store:
            ms = stored_throughput(sets["ecbplus"][0], args.store)
            scores["store_ms_per_article"] = ms
            console.print(
                f"with the store (SQLite, one transaction per placement, {args.store} articles):"
                f" {ms:.3f} ms/article over the last 10%"
            )
    return floors.check("clustering", scores, args.floors, console)


def grid(sets: dict[str, tuple[list[Features], dict[str, str]]]) -> None:
    results = []
    for join in (0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8):
        for actor in (0.0, 0.2, 0.35, 0.5, 0.7):
            for merge in (0.7, 0.75, 0.8, 0.85, 0.9, 9.9):  # 9.9: no merges
                cluster.JOIN_SCORE, cluster.ACTOR_WEIGHT, cluster.MERGE_SCORE = join, actor, merge
                line = [join, actor, merge]
                for _name, (feats, gold) in sets.items():
                    gold_by_id = {f.article_id: gold[o] for f, o in zip(feats, gold, strict=True)}
                    line.append(round(bcubed(run(feats), gold_by_id)[2], 3))
                results.append(line)
    results.sort(key=lambda r: -r[3])
    for line in results[:25]:
        console.print(line)


if __name__ == "__main__":
    raise SystemExit(main())
