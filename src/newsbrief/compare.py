"""Compare sources: align statements across outlets, count who corroborates what, and find
where they differ, only ever between statements of different outlets:
- figures with their units and hedges, in statements that say the same thing, each the one
  figure of its kind in its sentence (an age is compared with an age of the same person);
- calendar dates of statements that say the same thing;
- the title an outlet gives an actor ("former US President" vs "President"), in its own voice;
- the same quoted words given to two speakers, each named in the quote's own sentence.

An outlet is the unit of independence: two articles of one outlet, or an outlet's summary
block and its body, never count twice; nor do the copies of one text (a duplicate group, see
dedup), whoever runs them.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz

from newsbrief.analyse.actors import fold, resolve_actors
from newsbrief.analyse.quotes import quote_spans
from newsbrief.analyse.timeline import dated_events
from newsbrief.records import (
    Analysis,
    Citation,
    DatedEvent,
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
# With the sentence encoder: the mean of the lexical similarity and the cosine of the two
# sentences (MiniLM). Calibrated with bench/align.py on 110 hand-labelled candidate pairs of 40
# BASIL stories (37 "same"): F1 0.868 at 0.49 (best on the first 60 labels), 0.889 at 0.528
# (best on all 110: P 0.914, R 0.865), against 0.771 for the lexical score at ALIGN_SCORE and
# 0.870 for the cosine alone; entity overlap adds nothing. 0.49 keeps the higher recall (0.892)
# for corroboration; the two optima differ by two pairs of 110.
ALIGN_COMBINED = 0.49
# Saying two outlets contradict each other asks more than saying they agree: figures and dates
# are compared between statements aligned this closely. On bench/compare.py (BASIL and
# Multi-News) the pairs whose figures truly differ score 0.52–0.62 (the seeds' call length
# 0.58) and the pairs about different things that ALIGN_COMBINED lets in 0.49–0.51.
DISPUTE_COMBINED = 0.52


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


Encode = Callable[[Sequence[str]], "NDArray[np.float32]"]


def align(
    units: Sequence[Statement], encode: Encode | None = None
) -> dict[int, list[tuple[int, float]]]:
    """For each statement index, the statements of other outlets that say the same thing, best
    first. Candidates share MIN_SHARED_TERMS content words (an inverted index on terms, so the
    cost follows shared words); with a sentence encoder (``encode``: unit vectors of texts) a
    candidate aligns when the mean of its lexical similarity and the cosine of the two
    sentences reaches ALIGN_COMBINED, else when its lexical similarity reaches ALIGN_SCORE."""
    index: dict[str, list[int]] = defaultdict(list)
    for i, unit in enumerate(units):
        for term in unit.terms:
            index[term].append(i)
    candidates: list[tuple[int, int, float]] = []
    for i, unit in enumerate(units):
        shared: dict[int, int] = defaultdict(int)
        for term in unit.terms:
            for j in index[term]:
                if j > i and units[j].outlet != unit.outlet:
                    shared[j] += 1
        candidates += [
            (i, j, similarity(unit, units[j]))
            for j, count in sorted(shared.items())
            if count >= MIN_SHARED_TERMS
        ]
    if encode is not None and candidates:
        needed = sorted({k for i, j, _ in candidates for k in (i, j)})
        vectors = dict(zip(needed, encode([units[k].sentence.text for k in needed]), strict=True))
        scored = [
            (i, j, (lexical + float(vectors[i] @ vectors[j])) / 2) for i, j, lexical in candidates
        ]
        threshold = ALIGN_COMBINED
    else:
        scored, threshold = candidates, ALIGN_SCORE
    aligned: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for i, j, score in scored:
        if score >= threshold:
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
    "a minimum of": "above",
    "a maximum of": "below",
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
    """Two figures for one thing that cannot both be true. A round figure and a hedged one of
    the same value agree ("five minutes", "just over five minutes"); "nearly" and "over" the
    same value do not."""
    if a.unit != b.unit:
        return False
    if a.value == b.value:
        return {a.hedge, b.hedge} == {"below", "above"}
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


def quantity_disagreements(
    units: Sequence[Statement], aligned: Mapping[int, Sequence[tuple[int, float]]]
) -> list[Disagreement]:
    """Figures that cannot both be true, in statements of different outlets that say the same
    thing (aligned), each the one figure of its kind and unit in its sentence: with several
    ("21 percent … 17 percent each") which figure answers which is not known."""
    figures = [_single_figures(u) for u in units]
    groups: dict[tuple[str, str], list[Quantity]] = {}
    pairs: set[tuple[tuple[str, str], tuple[str, str]]] = set()
    for i, near in aligned.items():
        for j, _score in near:
            if j <= i or units[i].outlet == units[j].outlet:
                continue
            for kind, fa in figures[i].items():
                fb = figures[j].get(kind)
                if fb is None or not _same_thing(fa, fb):
                    continue
                a, b = fa.quantity, fb.quantity
                if not _conflict(a, b):
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


@dataclass(frozen=True, slots=True)
class _Figure:
    """A figure with what it is about: the words around it, and for an age the one it is of."""

    quantity: Quantity
    context: frozenset[str]
    of: str | None  # an age's noun or name ("toddler", "durst"); None when the text names none


def _single_figures(unit: Statement) -> dict[tuple[str, str], _Figure]:
    """The figures of a sentence by (kind, unit), where its kind and unit hold only one: an age
    ("a 13-year-old lion") is of another kind than a duration ("for 13 years"). Ranges ("nine
    to 33 years") and compounds ("7 years, 1 month") are no single figures."""
    found: dict[tuple[str, str], list[_Figure]] = defaultdict(list)
    text, offset = unit.sentence.text, unit.sentence.span.start
    figures = quantities(unit)
    for q in figures:
        before, after = text[: q.start - offset], text[q.end - offset :]
        if _RANGE_BEFORE.search(before) or _RANGE_AFTER.match(after):
            continue
        if any(
            0 <= q.start - o.end <= 3 or 0 <= o.start - q.end <= 3 for o in figures if o is not q
        ):
            continue  # "7 years, 1 month"
        age = after[:5].lower().startswith(("-old", " old"))
        context = terms(before[-40:]) | terms(after[:40])
        found[("age" if age else "amount", q.unit)].append(
            _Figure(q, frozenset(context), _age_of(after) if age else None)
        )
    return {key: qs[0] for key, qs in found.items() if len(qs) == 1}


_RANGE_BEFORE = re.compile(r"(?:\bbetween|\bfrom|\d|\b" + _NUM + r")-?\s*(?:to|-|–|and)\s*$", re.I)
_RANGE_AFTER = re.compile(r"\s*(?:to|-|–|and)\s+\d", re.I)
_KIN = frozenset("child son daughter toddler boy girl baby infant kid".split())


def _age_of(after: str) -> str | None:
    """What an age is of: the word after "-year-old" ("toddler", "Durst"), kin words counted as
    one ("child" = "son"); None when no such word follows ("The 73-year-old, who …")."""
    words = re.findall(r"[A-Za-z]+", after[5:40])
    word = words[0].lower() if words else ""
    if word in _KIN:
        return "kin"
    if word and word not in ("who", "was", "is", "and", "had", "has", "man", "woman"):
        return word
    return None


def _same_thing(a: _Figure, b: _Figure) -> bool:
    """Whether two figures of aligned statements are about one thing: ages of the same noun or
    name (or one names nothing), amounts with a content word around both."""
    if a.of is not None or b.of is not None:
        return a.of is None or b.of is None or a.of == b.of
    return bool(a.context & b.context)


_TITLE_WORDS = r"(?:[A-Z][\w.’'-]*\s+){0,3}"
_TITLE = re.compile(
    r"(?P<then>\b(?i:then)-\s*)?(?P<former>\b(?i:former|ex-)\s*)?(?P<title>" + _TITLE_WORDS + r")$"
)
# A sentence about the past: its title is of that time ("during President Obama's
# administration", "when he became president in 2009", "Last year, … President Obama's choice").
_PAST = re.compile(
    r"\b(?:administration|at the time|back then|when he was|when she was|when he became"
    r"|when she became|last year|years ago|(?:in|since|until) (?:19|20)\d\d)\b",
    re.I,
)
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
            if m is None or not words or fold(words[-1]) not in _TITLE_HEADS or m["then"]:
                continue  # "then-President Bill Clinton" is a title of its time
            if not m["former"] and _PAST.search(unit.sentence.text):
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


# Dates are compared only as calendar dates ("October 16"): a weekday resolves against each
# outlet's own publication date, and on BASIL (78 stories) every weekday pair flagged was two
# events, not one event on two days. The statements must align this closely.
_CALENDAR_DATE = re.compile(r"[A-Za-z]{3,}\.?\s+\d{1,2}\b|\b\d{1,2}\s+[A-Z][a-z]{2,}")
SAME_DATE_STATEMENT = 0.6
# A date that names a past event ("the Sept. 11 attacks", "the July 4 anniversary"): its year is
# not the article's, and the two outlets do not date anything by it.
_NAMES_AN_EVENT = re.compile(
    r"\s+(?:attacks?|victims|hijackers|anniversary|memorial|commission|massacre|bombings?)\b"
)


def date_disagreements(
    analyses: Sequence[Analysis],
    units: Sequence[Statement],
    aligned: Mapping[int, Sequence[tuple[int, float]]],
) -> list[Disagreement]:
    """Statements of different outlets that say the same thing, each with one date to the day,
    on different days ("met on Thursday" written on Friday vs "met on October 14")."""
    days: dict[tuple[str, int], list[DatedEvent]] = defaultdict(list)
    for analysis in analyses:
        for event in dated_events(analysis.article, analysis.entities, analysis.quotes,
                                  analysis.sentences):  # fmt: skip
            said = event.expression.of(analysis.article.text)
            following = analysis.article.text[event.expression.end :][:12]
            if _NAMES_AN_EVENT.match(following):
                continue  # "the Sept. 11 attacks": the name of an event, not when it is said
            if event.granularity == "day" and _CALENDAR_DATE.search(said):
                days[(event.article_id, event.sentence)].append(event)
    out = []
    seen: set[tuple[date, date]] = set()
    for i, near in aligned.items():
        a = days.get(_key(units[i]), [])
        for j, score in near:
            b = days.get(_key(units[j]), [])
            if j <= i or units[i].outlet == units[j].outlet or len(a) != 1 or len(b) != 1:
                continue
            if score < SAME_DATE_STATEMENT:
                continue
            if a[0].start == b[0].start or (a[0].start, b[0].start) in seen:
                continue
            seen.add((a[0].start, b[0].start))
            versions = tuple(
                _version(f"{e.expression.of(text)} ({e.label})", [unit])
                for e, unit, text in (
                    (a[0], units[i], _text_of(analyses, units[i])),
                    (b[0], units[j], _text_of(analyses, units[j])),
                )
            )
            out.append(Disagreement(kind="date", subject="date", versions=versions))
    return out


def _text_of(analyses: Sequence[Analysis], unit: Statement) -> str:
    return next(a.article.text for a in analyses if a.article.id == unit.sentence.article_id)


# The same words given to two speakers: quotes this alike (rapidfuzz ratio of their folded
# text) are one quote; under this many words a quote is a phrase many may say.
SAME_QUOTE = 90
SPEAKER_QUOTE_WORDS = 6


def speaker_disagreements(
    analyses: Sequence[Analysis], units: Sequence[Statement]
) -> list[Disagreement]:
    """The same quoted words given to different speakers by different outlets."""
    speaker_of: dict[tuple[str, int, int], str] = {}
    names: dict[str, str] = {}
    texts = {a.article.id: a.article.text for a in analyses}
    for actor in resolve_actors(analyses):
        names[actor.key] = actor.name
        if actor.kind != "person" or actor.mentions == 0:
            continue  # a person the parse tags, not "Instagram" of "wrote on Instagram"
        for q in actor.quotes:
            # named in the quote's own sentence: a pronoun resolved elsewhere may err
            said = q.speaker_span.of(texts[q.article_id]) if q.speaker_span else ""
            if said == q.speaker:
                speaker_of[(q.article_id, q.sentence, q.content.start)] = actor.key
    by_unit = {_key(u): u for u in units}
    quoted = [
        (
            q,
            speaker_of[(q.article_id, q.sentence, q.content.start)],
            by_unit[(q.article_id, q.sentence)],
        )
        for a in analyses
        for q in a.quotes
        if q.direct
        and len(q.text.split()) >= SPEAKER_QUOTE_WORDS
        and (q.article_id, q.sentence, q.content.start) in speaker_of
        and (q.article_id, q.sentence) in by_unit
    ]
    out = []
    seen: set[frozenset[str]] = set()
    for n, (qa, sa, ua) in enumerate(quoted):
        for qb, sb, ub in quoted[n + 1 :]:
            if sa == sb or ua.outlet == ub.outlet or frozenset((sa, sb)) in seen:
                continue
            if set(fold(names[sa]).split()) & set(fold(names[sb]).split()):
                continue  # "Dallas Delynn" and "Dallas Swonger": one person, maybe
            if fuzz.ratio(fold(qa.text), fold(qb.text)) < SAME_QUOTE:
                continue
            seen.add(frozenset((sa, sb)))
            versions = (
                _version(f"{names[sa]}: “{qa.text}”", [ua]),
                _version(f"{names[sb]}: “{qb.text}”", [ub]),
            )
            out.append(Disagreement(kind="speaker", subject=qa.text, versions=versions))
    return out


def disagreements(
    analyses: Sequence[Analysis],
    units: Sequence[Statement],
    aligned: Mapping[int, Sequence[tuple[int, float]]] | None = None,
    *,
    encoded: bool = False,
) -> list[Disagreement]:
    """Where the statements ``units`` of the ``analyses`` differ; ``aligned`` is their
    alignment (see align), computed lexically when not given; ``encoded`` when it was computed
    with the sentence encoder: figures and dates are then compared only between statements
    aligned at DISPUTE_COMBINED or more."""
    aligned = align(units) if aligned is None else aligned
    if encoded:
        aligned = {
            i: [(j, score) for j, score in pairs if score >= DISPUTE_COMBINED]
            for i, pairs in aligned.items()
        }
    return (
        quantity_disagreements(units, aligned)
        + title_disagreements(analyses, units)
        + date_disagreements(analyses, units, aligned)
        + speaker_disagreements(analyses, units)
    )
