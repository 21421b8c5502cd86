"""Compare sources: align statements across outlets, count who corroborates what, and find
where they differ (quantities with their hedges, and the title an outlet gives an actor).

An outlet is the unit of independence: two articles of one outlet, or an outlet's summary
block and its body, never count twice; nor do the copies of one text (a duplicate group, see
dedup), whoever runs them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from newsbrief.analyse.actors import fold
from newsbrief.analyse.quotes import quote_spans
from newsbrief.records import (
    Analysis,
    Citation,
    Disagreement,
    Entity,
    Sentence,
    Version,
    independence_key,
    independence_keys,
)
from newsbrief.terms import jaccard, overlap, terms

# Two sentences of different outlets say the same thing at this lexical similarity (overlap
# coefficient of stemmed content words, plus Jaccard). Calibrated on the seeds: the pairs a
# human aligns there ("The call … lasted over two and a half hours" ~ "… held a nearly
# two-and-a-half-hour phone call"; the Alaska meeting with no progress) score 0.45–0.9, and the
# highest-scoring pair a human would not align scores 0.36. A stopgap until the embedding
# alignment of the compare-sources work.
ALIGN_SCORE = 0.42
MIN_SHARED_TERMS = 3


def outlet_key(analysis: Analysis) -> str:
    """What counts as one independent source, duplicates aside (see records.independence_key)."""
    return independence_key(analysis.article.outlet, analysis.article.id)


def outlet_keys(
    analyses: Sequence[Analysis], groups: Mapping[str, str] | None = None
) -> dict[str, str]:
    """The independent source of each article: its outlet, merged with every outlet that runs
    a copy of the same text (``groups``: article id → duplicate group)."""
    groups = groups or {}
    return independence_keys(
        (a.article.id, a.article.outlet, groups.get(a.article.id)) for a in analyses
    )


@dataclass(frozen=True, slots=True, kw_only=True)
class Statement:
    sentence: Sentence
    outlet: str
    terms: frozenset[str]


def statements(
    analyses: Sequence[Analysis], keys: Mapping[str, str] | None = None
) -> list[Statement]:
    """Candidate statements: sentences that are not headings, in story order; each with its
    independent source (``keys``, see :func:`outlet_keys`; by default the outlet)."""
    keys = keys or outlet_keys(analyses)
    return [
        Statement(sentence=s, outlet=keys[a.article.id], terms=terms(s.text))
        for a in analyses
        for s in a.sentences
        if s.role != "heading"
    ]


def similarity(a: Statement, b: Statement) -> float:
    if len(a.terms & b.terms) < MIN_SHARED_TERMS:
        return 0.0
    return (overlap(a.terms, b.terms) + jaccard(a.terms, b.terms)) / 1.5


def align(units: Sequence[Statement]) -> dict[int, list[tuple[int, float]]]:
    """For each statement index, the statements of other outlets that say the same thing, best
    first. Candidates come from an inverted index on terms, so the cost follows shared words."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, unit in enumerate(units):
        for term in unit.terms:
            index[term].append(i)
    aligned: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for i, unit in enumerate(units):
        shared: dict[int, int] = defaultdict(int)
        for term in unit.terms:
            for j in index[term]:
                if j > i and units[j].outlet != unit.outlet:
                    shared[j] += 1
        for j, count in shared.items():
            if count >= MIN_SHARED_TERMS and (score := similarity(unit, units[j])) >= ALIGN_SCORE:
                aligned[i].append((j, score))
                aligned[j].append((i, score))
    for pairs in aligned.values():
        pairs.sort(key=lambda p: (-p[1], p[0]))
    return aligned


# --- disagreements -------------------------------------------------------------------------

_NUMBER_WORDS = {
    w: i
    for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve".split()
    )
}
_NUM = r"(?:\d+(?:\.\d+)?|" + "|".join(_NUMBER_WORDS) + r"|a|an)"
_HEDGES = {
    "nearly": "below",
    "almost": "below",
    "under": "below",
    "less than": "below",
    "up to": "below",
    "just under": "below",
    "close to": "below",
    "over": "above",
    "more than": "above",
    "above": "above",
    "at least": "above",
    "upwards of": "above",
    "just over": "above",
    "about": "about",
    "around": "about",
    "roughly": "about",
    "approximately": "about",
    "some": "about",
}
_QUANTITY = re.compile(
    r"(?:\b(?P<hedge>" + "|".join(sorted(_HEDGES, key=len, reverse=True)) + r")\s+)?"
    r"\b(?P<num>" + _NUM + r")(?P<half>[\s-]+and[\s-]+a[\s-]+half)?"
    r"(?:[\s-]+(?P<unit>seconds?|minutes?|hours?|days?|weeks?|months?|years?|percent)\b"
    r"|\s?(?P<pct>%))",
    re.IGNORECASE,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantity:
    statement: Statement
    start: int
    end: int
    hedge: str  # below | above | about | exact
    value: float
    unit: str

    @property
    def text(self) -> str:
        s = self.statement.sentence
        return s.text[self.start - s.span.start : self.end - s.span.start]


def quantities(unit: Statement) -> list[Quantity]:
    s = unit.sentence
    out = []
    for m in _QUANTITY.finditer(s.text):
        num = m["num"].lower()
        value = float(_NUMBER_WORDS.get(num, 1 if num in ("a", "an") else num))
        if m["half"]:
            value += 0.5
        unit_name = "percent" if m["pct"] else m["unit"].lower().removesuffix("s")
        hedge = _HEDGES.get(m["hedge"].lower(), "about") if m["hedge"] else "exact"
        out.append(
            Quantity(
                statement=unit,
                start=s.span.start + m.start(),
                end=s.span.start + m.end(),
                hedge=hedge,
                value=value,
                unit=unit_name,
            )
        )
    return out


def _conflict(a: Quantity, b: Quantity) -> bool:
    """Two figures for one thing that cannot both be true."""
    if a.unit != b.unit:
        return False
    if a.value == b.value:
        return {a.hedge, b.hedge} == {"below", "above"} or {a.hedge, b.hedge} in (
            {"below", "exact"},
            {"above", "exact"},
        )
    if "about" in (a.hedge, b.hedge):
        return abs(a.value - b.value) / max(a.value, b.value) > 0.25
    low, high = sorted((a, b), key=lambda q: q.value)
    return not (low.hedge == "above" or high.hedge == "below")


def _version(text: str, said_by: Iterable[Statement]) -> Version:
    """One side of a disagreement, citing each sentence that holds it once."""
    units = sorted({_key(u): u for u in said_by}.values(), key=lambda u: _key(u))
    return Version(
        text=text,
        outlets=tuple(sorted({u.outlet for u in units})),
        citations=tuple(Citation.of(u.sentence) for u in units),
    )


def _key(unit: Statement) -> tuple[str, int]:
    return unit.sentence.article_id, unit.sentence.index


def quantity_disagreements(units: Sequence[Statement]) -> list[Disagreement]:
    """Figures with the same unit, in sentences about the same thing, that conflict."""
    found = [q for u in units for q in quantities(u)]
    groups: dict[tuple[str, str], list[Quantity]] = {}
    pairs: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    for a in found:
        for b in found:
            if a.statement.outlet >= b.statement.outlet or not _conflict(a, b):
                continue
            shared = a.statement.terms & b.statement.terms
            if len(shared) < 2:  # the figures must be about the same thing
                continue
            key_a = (a.hedge, f"{a.value:g} {a.unit}")
            key_b = (b.hedge, f"{b.value:g} {b.unit}")
            pairs.add((min(key_a, key_b), max(key_a, key_b)))
            groups.setdefault(key_a, []).append(a)
            groups.setdefault(key_b, []).append(b)
    out = []
    for key_a, key_b in sorted(pairs):
        versions = []
        for key in (key_a, key_b):
            qs = list({(q.statement.sentence.article_id, q.start): q for q in groups[key]}.values())
            label = " / ".join(sorted({q.text for q in qs}))
            versions.append(_version(label, (q.statement for q in qs)))
        out.append(Disagreement(kind="quantity", subject=f"{key_a[1]}", versions=tuple(versions)))
    return out


_TITLE_WORDS = r"(?:[A-Z][\w.’'-]*\s+){0,3}"
_TITLE = re.compile(r"(?P<former>\b(?i:former|ex-|then-)\s*)?(?P<title>" + _TITLE_WORDS + r")$")
_TITLE_HEADS = frozenset(
    """president vice-president minister secretary chancellor premier governor senator
    spokesperson spokesman spokeswoman leader ambassador king queen chairman ceo""".split()
)


def title_disagreements(
    analyses: Sequence[Analysis], units: Sequence[Statement]
) -> list[Disagreement]:
    """An outlet calls an actor "former X" while another calls the same actor X — each in its
    own voice, outside quotation marks."""
    by_sentence = {(u.sentence.article_id, u.sentence.index): u for u in units}
    # (surname, title head) -> former? -> mentions (statement, mention text)
    seen: dict[tuple[str, str], dict[bool, list[tuple[Statement, str]]]] = defaultdict(
        lambda: {True: [], False: []}
    )
    for analysis in analyses:
        text = analysis.article.text
        for ent in analysis.entities:
            unit = by_sentence.get((analysis.article.id, ent.sentence))
            if ent.label != "PERSON" or unit is None or _quoted(ent, unit):
                continue
            window = max(unit.sentence.span.start, ent.span.start - 60)
            m = _TITLE.search(text, window, ent.span.start)
            words = m["title"].split() if m else []
            if m is None or not words or fold(words[-1]) not in _TITLE_HEADS:
                continue
            key = (fold(ent.text.split()[-1]), fold(words[-1]))
            seen[key][bool(m["former"])].append((unit, text[m.start() : ent.span.end]))
    out = []
    for (surname, _head), sides in sorted(seen.items()):
        formers = sides[True]
        former_outlets = {u.outlet for u, _ in formers}
        currents = [c for c in sides[False] if c[0].outlet not in former_outlets]
        if formers and currents:
            versions = tuple(
                _version(" / ".join(sorted({t for _, t in side})), (u for u, _ in side))
                for side in (formers, currents)
            )
            out.append(Disagreement(kind="title", subject=surname, versions=versions))
    return out


def _quoted(ent: Entity, unit: Statement) -> bool:
    s = unit.sentence
    text = s.text
    return any(
        q.start <= ent.span.start - s.span.start < q.end for q in quote_spans(text, 0, len(text))
    )


def disagreements(analyses: Sequence[Analysis], units: Sequence[Statement]) -> list[Disagreement]:
    return quantity_disagreements(units) + title_disagreements(analyses, units)
