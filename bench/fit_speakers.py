"""Fit the speaker resolver's weights (analyse.speakers.Weights) on the calibration half of the
hand labels bench/quotes.py reads (bench/speaker_labels.tsv), and print both halves.

    .venv/bin/python bench/fit_speakers.py [--data DIR] [--labels bench/speaker_labels.tsv]

The labelled PolNeAR dev articles are parsed once; each candidate weighting then re-runs only
the quote finder's output through the resolver. Coordinate search over GRID, two rounds, from
the current defaults; objective: right answers minus half the wrong names given, per labelled
statement of the calibration half. Copy the printed weights into Weights by hand (with the
figures) — this script never writes the code.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from newsbrief import nlp
from newsbrief.analyse.quotes import find_quotes
from newsbrief.analyse.roles import find_roles
from newsbrief.analyse.speakers import SalienceResolver, Weights
from newsbrief.dedup import link_repeats
from newsbrief.settings import load_settings
from quotes import (
    DEFAULT_DATA,
    DEFAULT_LABELS,
    Resolved,
    article_of,
    load_speaker_labels,
    score_resolved,
)

GRID: dict[str, list[float]] = {
    "recent": [0, 0.5, 1, 2, 3],
    "subject": [0, 0.5, 1, 2],
    "spoke": [0, 0.5, 1, 1.5, 2, 3],
    "paragraph": [0, 0.5, 1, 2],
    "prominence": [0, 0.5, 1, 2, 4],
    "gender": [0, 0.25, 0.5, 1],
    "min_score": [0, 0.5, 0.75, 1, 1.25, 1.5],
    "margin": [0, 0.1, 0.25, 0.5, 0.75, 1],
    "window": [4, 6, 10, 15, 30],
    "chain": [0, 1],
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--labels", type=Path, default=DEFAULT_LABELS)
    args = parser.parse_args(argv)
    labels = load_speaker_labels(args.labels)
    path = args.data / "polnear" / "articles.jsonl"
    if not labels or not path.exists():
        print(f"nothing to fit: no labels in {args.labels} or no {path}")
        return 1
    rows = [
        r
        for r in map(json.loads, path.open(encoding="utf-8"))
        if r["filename"] in {f for f, _ in labels}
    ]
    settings = load_settings(env={}, db=":memory:")
    pipe = nlp.pipeline_for(settings)
    parsed = []
    articles = [article_of(r) for r in rows]
    for (doc, article), row in zip(
        nlp.parse(pipe, ((a.text, a) for a in articles), settings), rows, strict=True
    ):
        sents = link_repeats(nlp.sentences(doc, article))
        ents = nlp.entities(doc, article, sents)
        found = find_quotes(doc, article.text, sents, ents)
        roles = find_roles(doc, article.text, sents, ents, found)
        parsed.append((row, doc, article, sents, ents, found, roles))

    def evaluate(weights: Weights) -> dict[str, Resolved]:
        resolver = SalienceResolver(weights)
        out = {"calibration": Resolved(), "report": Resolved()}
        for row, doc, article, sents, ents, found, roles in parsed:
            preds = resolver(doc, article.text, sents, ents, found, roles)
            score_resolved(row, preds, labels, out)
        return out

    def objective(weights: Weights) -> float:
        r = evaluate(weights)["calibration"]
        return (r.right - 0.5 * (r.given - r.right_names)) / (r.found or 1)

    weights = Weights()
    best = objective(weights)
    print(f"start {weights} (objective {best:.4f})")
    for round_ in (1, 2):
        for name, values in GRID.items():
            for value in values:
                candidate = dataclasses.replace(weights, **{name: value})
                if (score := objective(candidate)) > best + 1e-9:
                    best, weights = score, candidate
            print(f"round {round_} {name} = {getattr(weights, name)} (objective {best:.4f})")
    print(weights)
    for name, tally in evaluate(weights).items():
        print(" · ".join(tally.row(name)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
