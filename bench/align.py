"""Alignment harness: do two sentences of different outlets say the same thing? Scores of
candidate pairs from BASIL stories, against hand labels.

    .venv/bin/python bench/align.py [--data DIR] [--labels bench/align_labels.tsv]
        [--stories 40] [--sample N]

Candidates: in each of the first ``--stories`` BASIL stories (one event, three outlets), every
pair of sentences of two outlets that share at least MIN_SHARED_TERMS content words (the
inverted index of newsbrief.compare.align). Each pair gets three scores:
- lexical: compare.similarity (stemmed content words: overlap coefficient and Jaccard);
- embedding: cosine of the sentence encoder's vectors (int8 MiniLM by default);
- entities: Jaccard of the named entities the two sentences hold (folded text).

Labels: bench/align_labels.tsv, "key<TAB>same|different<TAB>note", the key a hash of the two
sentences' text (no text of the data set is kept in the repository). ``--sample N`` prints N
unlabelled pairs, spread over the embedding score, for labelling. With labels, the table gives
for each score and for their combination the best threshold and its precision, recall and F1,
and what compare.align's lexical threshold gives. The sample is spread over the embedding score,
not drawn as the candidates fall: its share of "same" pairs is higher than theirs.
"""

from __future__ import annotations

import argparse
import hashlib
import random
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
from rich.console import Console
from rich.table import Table

from compare import basil, load_verdicts
from newsbrief import nlp, pipeline
from newsbrief.analyse.actors import fold
from newsbrief.compare import (
    ALIGN_COMBINED,
    ALIGN_SCORE,
    MIN_SHARED_TERMS,
    Statement,
    outlet_keys,
    similarity,
    statements,
)
from newsbrief.records import Analysis
from newsbrief.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_LABELS = Path(__file__).resolve().with_name("align_labels.tsv")
console = Console(highlight=False)


def pair_key(a: str, b: str) -> str:
    first, second = sorted((a, b))
    return hashlib.sha1(f"{first}\n{second}".encode()).hexdigest()[:16]


def candidates(analyses: Sequence[Analysis]) -> list[tuple[Statement, Statement, float, float]]:
    """Cross-outlet sentence pairs sharing enough content words: (a, b, lexical, entities)."""
    units = statements(analyses, outlet_keys(analyses))
    ents: dict[tuple[str, int], set[str]] = {}
    for analysis in analyses:
        for ent in analysis.entities:
            if ent.label in ("PERSON", "ORG", "GPE", "NORP", "EVENT"):
                ents.setdefault((ent.article_id, ent.sentence), set()).add(fold(ent.text))
    out = []
    for i, a in enumerate(units):
        for b in units[i + 1 :]:
            if a.outlet == b.outlet or len(a.terms & b.terms) < MIN_SHARED_TERMS:
                continue
            ea = ents.get((a.sentence.article_id, a.sentence.index), set())
            eb = ents.get((b.sentence.article_id, b.sentence.index), set())
            entity = len(ea & eb) / len(ea | eb) if ea | eb else 0.0
            out.append((a, b, similarity(a, b), entity))
    return out


def best_threshold(
    scores: Sequence[float], gold: Sequence[bool]
) -> tuple[float, float, float, float]:
    """(threshold, precision, recall, F1) of the threshold with the best F1."""
    best = (0.0, 0.0, 0.0, 0.0)
    positives = sum(gold)
    for t in sorted(set(scores)):
        picked = [g for s, g in zip(scores, gold, strict=True) if s >= t]
        if not picked or not positives:
            continue
        p, r = sum(picked) / len(picked), sum(picked) / positives
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        if f1 > best[3]:
            best = (t, p, r, f1)
    return best


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    parser.add_argument("--stories", type=int, default=40, help="BASIL stories (the labels: 40).")
    parser.add_argument("--sample", type=int, default=0, help="Print N unlabelled pairs.")
    args = parser.parse_args(argv)
    found = basil(args.data)  # the stories bench/compare.py reads
    if found is None:
        console.print(f"[yellow]skipped basil: no data under {args.data / 'basil'}[/]")
        return 0
    settings = load_settings(env={}, db=":memory:")
    stories = [articles for _, articles in found[: args.stories]]
    analysed = iter(
        pipeline.analyse([a for s in stories for a in s], settings, workers=nlp.processes(settings))
    )
    pairs = []
    for story in stories:
        pairs += candidates([next(analysed) for _ in story])
    encoder = nlp.load_encoder(settings)
    texts = sorted({u.sentence.text for a, b, _, _ in pairs for u in (a, b)})
    vectors = dict(zip(texts, encoder.encode(texts), strict=True))
    scored = [
        (a, b, lexical, entity, float(np.dot(vectors[a.sentence.text], vectors[b.sentence.text])))
        for a, b, lexical, entity in pairs
    ]
    labels = load_verdicts(args.labels, "same", "different")
    console.print(f"{len(scored)} candidate pairs in {len(stories)} stories; {len(labels)} labels")
    if args.sample:
        sample(scored, labels, args.sample)
    judged = [
        (lexical, entity, cosine, labels[k])
        for a, b, lexical, entity, cosine in scored
        if (k := pair_key(a.sentence.text, b.sentence.text)) in labels
    ]
    if not judged:
        return 0
    gold = [g for *_, g in judged]
    table = Table(title=f"alignment on {len(judged)} labelled pairs ({sum(gold)} the same)")
    for col in ("score", "threshold", "P", "R", "F1"):
        table.add_column(col, justify="right")
    scorers: dict[str, Callable[[tuple[float, float, float, bool]], float]] = {
        "lexical": lambda j: j[0],
        "embedding": lambda j: j[2],
        "entities": lambda j: j[1],
        "embedding + lexical": lambda j: (j[2] + j[0]) / 2,
        "embedding + lexical + entities": lambda j: (2 * j[2] + j[0] + j[1]) / 4,
    }
    for name, threshold, score in (
        ("lexical, as compare.align", ALIGN_SCORE, lambda j: j[0]),
        ("embedding + lexical, as compare.align", ALIGN_COMBINED, lambda j: (j[2] + j[0]) / 2),
    ):
        picked = [g for j, g in zip(judged, gold, strict=True) if score(j) >= threshold]
        p = sum(picked) / len(picked) if picked else 0.0
        r = sum(picked) / sum(gold) if any(gold) else 0.0
        f1 = 2 * p * r / (p + r) if p + r else 0.0
        table.add_row(name, f"{threshold:.3f}", f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}")
    for name, scorer in scorers.items():
        t, p, r, f1 = best_threshold([scorer(j) for j in judged], gold)
        table.add_row(name, f"{t:.3f}", f"{p:.3f}", f"{r:.3f}", f"{f1:.3f}")
    console.print(table)
    return 0


def sample(
    scored: list[tuple[Statement, Statement, float, float, float]], labels: dict[str, bool], n: int
) -> None:
    """N unlabelled pairs spread evenly over the embedding score (seed 0)."""
    todo = [s for s in scored if pair_key(s[0].sentence.text, s[1].sentence.text) not in labels]
    todo.sort(key=lambda s: s[4])
    random.Random(0).shuffle(todo)
    bins: dict[int, list[tuple[Statement, Statement, float, float, float]]] = {}
    for s in todo:
        bins.setdefault(min(int(s[4] * 10), 9), []).append(s)
    picked = []
    while len(picked) < n and any(bins.values()):
        for b in sorted(bins):
            if bins[b] and len(picked) < n:
                picked.append(bins[b].pop())
    for a, b, lexical, entity, cosine in picked:
        key = pair_key(a.sentence.text, b.sentence.text)
        console.print(f"\n[bold]{key}[/] emb {cosine:.2f} lex {lexical:.2f} ent {entity:.2f}")
        console.print(f"  A ({a.outlet}) {a.sentence.text[:300]}")
        console.print(f"  B ({b.outlet}) {b.sentence.text[:300]}")


if __name__ == "__main__":
    sys.exit(main())
