"""Content terms of a text, for the lexical similarity every stage shares.

Words are split at hyphens ("two-and-a-half-hour"), lower-cased, stop words dropped and crudely
stemmed ("talks" → "talk", "missiles" →
"missil"), so that inflections of one word match; enough for alignment of news sentences.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from functools import lru_cache

_WORD = re.compile(r"[^\W_](?:[\w’'-]*[^\W_])?")
_SUFFIXES = ("ings", "ing", "edly", "ed", "es", "s", "ly")
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    ourselves out over own same she should so some such than that the their theirs them themselves
    then there these they this those through to too under until up very was we were what when where
    which while who whom why will with would you your yours yourself yourselves said says say
    according told also one two mr ms mrs""".split()
)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    word = word.lower().replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    for suffix in _SUFFIXES:
        if len(word) - len(suffix) >= 4 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


def terms(text: str) -> frozenset[str]:
    """The set of stemmed content words of ``text``."""
    words = (part for w in _WORD.findall(text) for part in w.split("-"))
    return frozenset(
        stem(w) for w in words if w and w.lower() not in STOP_WORDS and not w.isdigit()
    )


def overlap(a: Collection[str], b: Collection[str]) -> float:
    """Overlap coefficient |a ∩ b| / min(|a|, |b|): 1.0 when one set holds the other."""
    if not a or not b:
        return 0.0
    return len(set(a) & set(b)) / min(len(a), len(b))


def jaccard(a: Collection[str], b: Collection[str]) -> float:
    if not a or not b:
        return 0.0
    sa, sb = set(a), set(b)
    return len(sa & sb) / len(sa | sb)
