"""Duplicates. Within one article: the sentences of an outlet's own summary block that restate
its body are linked to the body sentence they repeat, so that one outlet never counts twice for
one statement. (Duplicate articles across outlets come with the web ingest.)"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

from newsbrief.records import Sentence
from newsbrief.terms import jaccard, overlap, terms

# A summary sentence repeats a body sentence when their content words overlap this much.
# Calibrated on seed 000: its summary bullets restate body sentences at overlap 0.55–0.85
# (Jaccard 0.30–0.60), while unrelated sentence pairs of the seeds stay below overlap 0.40.
REPEAT_OVERLAP = 0.5
REPEAT_JACCARD = 0.25


def link_repeats(sentences: Sequence[Sentence]) -> list[Sentence]:
    """The sentences, each summary sentence with ``repeats`` set to the index of the body
    sentence it restates most closely (if any restates it closely enough)."""
    body = [(s, terms(s.text)) for s in sentences if s.role in ("lead", "body")]
    out: list[Sentence] = []
    for sentence in sentences:
        if sentence.role != "summary" or not body:
            out.append(sentence)
            continue
        mine = terms(sentence.text)
        _, best = max(
            (
                (overlap(mine, t) + jaccard(mine, t), s.index)
                for s, t in body
                if overlap(mine, t) >= REPEAT_OVERLAP and jaccard(mine, t) >= REPEAT_JACCARD
            ),
            default=(0.0, None),
        )
        out.append(dataclasses.replace(sentence, repeats=best) if best is not None else sentence)
    return out
