"""Compare sources: align statements across outlets, count who corroborates what, and find
where they differ, only ever between statements of different outlets:
- figures with their units and hedges (durations, ages, percentages, sums of money, distances,
  counts of a noun), in statements that say the same thing, each the one figure of its unit in
  its sentence and its clause, of the same period, owner and tense (an age is compared with an
  age of the same person); a figure and its rounding agree;
- calendar dates, and years of a span ("since 2002", "from 1967 to 1979"), of statements that
  say the same thing;
- the title an outlet gives an actor ("former US President" vs "President"), in its own voice;
- the same quoted words given to two speakers, each named in the quote's own sentence.

An outlet is the unit of independence: two articles of one outlet, or an outlet's summary
block and its body, never count twice; nor do the copies of one text (a duplicate group, see
dedup), whoever runs them.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import date

import numpy as np
from numpy.typing import NDArray
from rapidfuzz import fuzz

from newsbrief.analyse.actors import person_keys, resolve_actors
from newsbrief.analyse.figures import NUMBER_WORDS, Figure, figures
from newsbrief.analyse.lexicon import OFFICE_TITLES, fold
from newsbrief.analyse.quotes import quote_spans
from newsbrief.analyse.timeline import dated_events, is_future
from newsbrief.records import (
    Analysis,
    Citation,
    DatedEvent,
    Disagreement,
    Entity,
    Event,
    Sentence,
    Version,
    independence_key,
    independence_keys,
)
from newsbrief.terms import jaccard, overlap, stem, terms

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


# --- corroboration -------------------------------------------------------------------------

# Verbs that name no act of their own: "is", "has", "appears" agree in every sentence.
_WEAK_ACTIONS = frozenset(
    stem(w)
    for w in """be is are was were been being has have had having do does did appear appears
    appeared seem seems seemed""".split()
)


def corroborates(a: Statement, b: Statement, event_a: Event | None, event_b: Event | None) -> bool:
    """Whether ``b``, aligned with ``a``, states a's fact and so counts as a further source of
    it: the two tell one event — the same action (or each one's verb among the other's words:
    "will start … and cost" ~ "starts …; it will cost"), two participants in common, or a verb
    of any clause and a named participant or place in common ("an earlier meeting in Anchorage,
    Alaska, which … yielded no tangible progress" ~ "met in Alaska …, a meeting that did not
    yield significant diplomatic progress") — and nothing
    in them conflicts: one negates what the other asserts, a figure of one unit differs, or
    they fall on different days. Alignment alone is not enough: on the BASIL briefs only half
    of the aligned further citations state the item's fact (bench/corroboration.py, where this
    test was fit on the calibration half)."""
    if event_a is None or event_b is None or event_a.negated != event_b.negated:
        return False
    act_a, act_b = event_a.action.partition(" ")[0], event_b.action.partition(" ")[0]
    same_act = (
        bool(act_a and act_b)
        and not {act_a, act_b} & _WEAK_ACTIONS
        and (act_a == act_b or (act_a in b.terms and act_b in a.terms))
    )
    if (
        not same_act
        and len(_participants(event_a) & _participants(event_b)) < 2
        and not (_verbs(event_a) & _verbs(event_b) and _named(event_a) & _named(event_b))
    ):
        return False
    days_a, days_b = _days(event_a), _days(event_b)
    if days_a and days_b and not days_a & days_b:
        return False
    return not _figures_conflict(a, b)


def _participants(event: Event) -> set[str]:
    return {
        x.value.split()[-1] for x in event.arguments if x.role in ("agent", "patient") and x.value
    }


def _verbs(event: Event) -> set[str]:
    """The stems of the verbs of all its sentence's clauses, weak ones aside."""
    main = event.action.partition(" ")[0]
    return ({main} | {x.value for x in event.of("verb")}) - _WEAK_ACTIONS - {""}


def _named(event: Event) -> set[str]:
    """The participants and places it names with a capital."""
    return {
        x.value
        for x in event.arguments
        if x.role in ("agent", "patient", "place") and x.value and x.text[:1].isupper()
    }


def _days(event: Event) -> set[str]:
    return {x.value for x in event.of("time") if x.value.endswith(" day")}


def _figures_conflict(a: Statement, b: Statement) -> bool:
    """A unit both give a figure in, with no figure of one that agrees with one of the other."""
    qa, qb = quantities(a), quantities(b)
    shared = {q.unit for q in qa} & {q.unit for q in qb}
    return any(
        all(_conflict(x, y) for x in qa if x.unit == u for y in qb if y.unit == u) for u in shared
    )


# --- disagreements -------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, kw_only=True)
class Quantity(Figure):
    """A figure (analyse.figures) of a statement, in the units it compares in."""

    statement: Statement


def quantities(unit: Statement) -> list[Quantity]:
    """The figures of a statement (see analyse.figures)."""
    s = unit.sentence
    return [
        Quantity(statement=unit, **{f.name: getattr(q, f.name) for f in fields(Figure)})
        for q in figures(s.text, s.span.start)
    ]


def _rounded(a: Quantity, b: Quantity, *, floored: bool = False) -> bool:
    """Whether one figure is the other written rounder: "$44 million" or "$43 million" for
    "$43,885,310" (a scale word may also cut the digits off), "50,000" for "49,800" but not
    for "55,000"; ages count whole years (``floored``: a child of two and a half is 2)."""
    coarse, fine = (a, b) if a.precision >= b.precision else (b, a)
    step = coarse.precision
    if not floored and math.isclose(math.floor(fine.value / step + 0.5) * step, coarse.value):
        return True
    cut = floored or (coarse.scaled and fine.precision * 1000 <= step)
    return cut and math.isclose(math.floor(fine.value / step) * step, coarse.value)


def _conflict(a: Quantity, b: Quantity, *, age: bool = False) -> bool:
    """Two figures for one thing that cannot both be true. A round figure and a hedged one of
    the same value agree ("five minutes", "just over five minutes"), and so does a figure and
    its rounding (ages are in whole years); "nearly" and "over" the same value do not."""
    if a.unit != b.unit:
        return False
    if a.value == b.value:
        return {a.hedge, b.hedge} == {"below", "above"}
    if "about" in (a.hedge, b.hedge):
        return abs(a.value - b.value) / max(a.value, b.value) > 0.25
    if a.hedge == b.hedge == "exact" and _rounded(a, b, floored=age):
        return False
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
    thing (aligned), each the one figure of its unit in its sentence (see _single_figures)."""
    figures = [_single_figures(u) for u in units]
    conflicts = [
        (fa.quantity, fb.quantity)
        for i, near in aligned.items()
        for j, _score in near
        if j > i and units[i].outlet != units[j].outlet
        for unit_name, fa in figures[i].items()
        if (fb := figures[j].get(unit_name)) is not None
        and _same_thing(fa, fb)
        and _conflict(fa.quantity, fb.quantity, age=fa.kind == "age")
    ]
    said: dict[tuple[str, str], list[Quantity]] = defaultdict(list)
    pairs = set()
    for a, b in conflicts:
        key_a = (a.hedge, f"{a.value:g} {a.unit}")
        key_b = (b.hedge, f"{b.value:g} {b.unit}")
        pairs.add((min(key_a, key_b), max(key_a, key_b)))
        said[key_a].append(a)
        said[key_b].append(b)
    out = []
    for key_a, key_b in sorted(pairs):
        versions = []
        for key in (key_a, key_b):
            qs = list({(q.statement.sentence.article_id, q.start): q for q in said[key]}.values())
            label = " / ".join(sorted({q.text for q in qs}))
            versions.append(_version(label, (q.statement for q in qs)))
        out.append(Disagreement(kind="quantity", subject=f"{key_a[1]}", versions=tuple(versions)))
    return out


@dataclass(frozen=True, slots=True)
class _Figure:
    """A figure with what it is about: the words around it, and for an age the one it is of."""

    quantity: Quantity
    kind: str  # age | offset | amount
    context: frozenset[str]
    # whom an age is of ("toddler", "Durst"), whose a figure is ("Charles"), or from where a
    # distance is measured ("Nairobi"); None when the text does not say
    of: str | None
    periods: frozenset[str]  # the periods and years its sentence names ("this year", "1997")
    future: bool  # said of what is to come ("will miss the final two games")


def _single_figures(unit: Statement) -> dict[str, _Figure]:
    """The figures of a sentence by unit, where the sentence holds one of that unit, no other
    figure in the same clause and no number that is not a figure (years, dates and clock
    times aside): with several ("21 percent … 17 percent each", "97 rockets hit … 99 more
    were intercepted", "two catches for 25 yards") which figure answers what is not known.
    Ranges ("nine to 33 years") and compounds ("7 years, 1 month") are no single figures. A
    question ("8 years?") asserts none."""
    text = unit.sentence.text
    figures = quantities(unit)
    if "?" in text or _numbers(text) > sum(_numbers(q.text) for q in figures):
        return {}
    units = Counter(q.unit for q in figures)
    return {
        q.unit: _figure(q)
        for q in figures
        if units[q.unit] == 1 and not any(_one_clause(q, o) for o in figures if o is not q)
    }


def _one_clause(a: Quantity, b: Quantity) -> bool:
    """Whether two figures of a sentence stand in one clause, or next to each other ("7
    years, 1 month")."""
    first, last = sorted((a, b), key=lambda q: q.start)
    s = a.statement.sentence
    between = s.text[first.end - s.span.start : last.start - s.span.start]
    return len(between) <= 3 or not re.search(r"[,;:()—–]", between)


def _figure(q: Quantity) -> _Figure:
    """A figure with what tells what it is of: an age ("a 13-year-old lion") is of another
    kind than a duration ("for 13 years")."""
    text, start = q.statement.sentence.text, q.statement.sentence.span.start
    before, after = text[: q.start - start], text[q.end - start :]
    age = after[:5].lower().startswith(("-old", " old"))
    relative = _OFFSET.match(after) is not None
    context = (terms(before[-30:]) | terms(after[:30])) - _REPORTING - terms(q.unit)
    periods = frozenset(m[0].lower() for m in _PERIOD.finditer(text)) | frozenset(
        re.findall(r"\b" + _YEAR + r"\b", text)
    )
    return _Figure(
        q,
        "age" if age else "offset" if relative else "amount",
        frozenset(context),
        _age_of(after) if age else _owner(before, after, q.unit),
        periods,
        is_future(before),
    )


_LENGTHS = frozenset({"mile", "kilometre", "foot", "inch", "metre"})


def _owner(before: str, after: str, unit: str) -> str | None:
    """Whose a figure is ("Charles’ 226 yards"), or for a distance where from ("20 miles from
    Nairobi"); None when the text does not say ("12 miles away")."""
    if m := re.search(r"\b([A-Z][\w.-]*)(?:’s|'s|’|')\s*$", before):
        return m[1]
    if unit in _LENGTHS and (m := re.match(r"\s+(?:away\s+)?from\s+(?:the\s+)?(\w+)", after)):
        return m[1]
    return None


# A time from or to something else ("a week after the attack", "nine days before the
# inauguration") is no duration of what the sentence tells.
_OFFSET = re.compile(r"\s+(?:after|before|later|earlier|ago|from now)\b", re.I)
# Words around a figure that say nothing of what it measures.
_REPORTING = terms("say saying said says told tells report reported reports show shows showed")
# The period a count or sum is of ("since the conflict began", "this year", "in 1997"): two
# figures of different periods measure different things.
_PERIOD = re.compile(
    r"\b(?:since\s+(?:the\s+)?\w+(?:\s+began)?|(?:this|last|past|next)\s+(?:year|month|week)"
    r"|(?:in|early|late|mid-?)\s*(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*\b"
    r"|so\s+far|to\s+date|(?:over|in|during)\s+the\s+(?:past|last|first)\s+\w+(?:\s+\w+)?)",
    re.IGNORECASE,
)


_YEAR = r"(?:1[89]|20)\d\d"
_NUMBER = re.compile(
    r"(?<![\w:/.,])(?:\d[\d,]*(?:\.\d+)?(?![\d:])|(?i:"
    + "|".join(w for w in NUMBER_WORDS if w not in ("a", "an", "one", "zero"))
    + r")\b)"
)
_MONTH_BEFORE = re.compile(
    r"\b(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?\s$"
)


def _numbers(text: str) -> int:
    """How many numbers a reader counts in a sentence: not years, days of a month or clock
    times ("in 2016", "Oct. 19", "7:30 p.m."), nor "one" ("one of the …")."""
    count = 0
    for m in _NUMBER.finditer(text):
        if re.fullmatch(_YEAR, m[0]) or _MONTH_BEFORE.search(text, 0, m.start()):
            continue
        count += 1
    return count


_KIN = frozenset("child son daughter toddler boy girl baby infant kid".split())


def _age_of(after: str) -> str | None:
    """What an age is of: the word after "-year-old" ("toddler", "Durst"), kin words counted as
    one ("child" = "son"), "man" and "woman" as "person"; None when no such word follows ("The
    73-year-old, who …")."""
    words = re.findall(r"[A-Za-z]+", after[5:40])
    word = words[0] if words else ""
    if word.lower() in _KIN:
        return "kin"
    if word.lower() in ("man", "woman", "person"):
        return "person"
    if word and word.lower() not in ("who", "was", "is", "and", "had", "has"):
        return word
    return None


def _same_thing(a: _Figure, b: _Figure) -> bool:
    """Whether two figures of aligned statements are about one thing: of one kind, both of
    what was or both of what is to come, and of one period; ages of the same noun or name (or
    one names nothing); other figures of the same owner (or both of none), with a content
    word around both."""
    if a.kind != b.kind or a.future != b.future or a.periods != b.periods:
        return False
    if a.kind != "age":
        return a.of == b.of and bool(a.context & b.context)
    if a.of is None or b.of is None or a.of.lower() == b.of.lower():
        return True
    # "the 72-year-old man" may be "the 73-year-old Durst"; not "the 36-year-old driver"
    return "person" in (a.of, b.of) and (a.of[0].isupper() or b.of[0].isupper())


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


def title_disagreements(
    analyses: Sequence[Analysis], units: Sequence[Statement]
) -> list[Disagreement]:
    """An outlet calls an actor "former X" while another calls the same actor X — each in its
    own voice, outside quotation marks."""
    by_sentence = {(u.sentence.article_id, u.sentence.index): u for u in units}
    # (actor key, title head) -> former? -> mentions (statement, mention text)
    seen: dict[tuple[str, str], dict[bool, list[tuple[Statement, str]]]] = defaultdict(
        lambda: {True: [], False: []}
    )
    person = person_keys(analyses)
    for analysis in analyses:
        text = analysis.article.text
        for ent in analysis.entities:
            unit = by_sentence.get((analysis.article.id, ent.sentence))
            if ent.label != "PERSON" or unit is None or _quoted(ent, unit):
                continue
            window = max(unit.sentence.span.start, ent.span.start - 60)
            m = _TITLE.search(text, window, ent.span.start)
            words = m["title"].split() if m else []
            if m is None or not words or fold(words[-1]) not in OFFICE_TITLES or m["then"]:
                continue  # "then-President Bill Clinton" is a title of its time
            if not m["former"] and _PAST.search(unit.sentence.text):
                continue
            who = person(ent.text)
            if who is None:
                continue
            key = (who, fold(words[-1]))
            seen[key][bool(m["former"])].append((unit, text[m.start() : ent.span.end]))
    out = []
    for (who, _head), sides in sorted(seen.items()):
        formers = sides[True]
        former_outlets = {u.outlet for u, _ in formers}
        currents = [c for c in sides[False] if c[0].outlet not in former_outlets]
        if formers and currents:
            versions = tuple(
                _version(" / ".join(sorted({t for _, t in side})), (u for u, _ in side))
                for side in (formers, currents)
            )
            out.append(Disagreement(kind="title", subject=who, versions=versions))
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
# A photo's caption or a page's own timestamp ("FILE - In this Aug. 15, 2014 file photo, …",
# "21 July 2013 Last updated at 11:11 GMT"): the two outlets' dates there are of two pictures or
# two pages (ECB+ and Multi-News flags read on 2026-12-03).
_FURNITURE = re.compile(r"\bfile photo\b|\blast updated at\b|^\s*buy photo\b", re.I)
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
        texts = {s.index: s.text for s in analysis.sentences}
        for event in dated_events(analysis.article, analysis.entities, analysis.quotes,
                                  analysis.sentences):  # fmt: skip
            if _FURNITURE.search(texts.get(event.sentence, "")):
                continue  # a photo's caption or the page's timestamp dates no event told
            said = event.expression.of(analysis.article.text)
            following = analysis.article.text[event.expression.end :][:12]
            if _NAMES_AN_EVENT.match(following):
                continue  # "the Sept. 11 attacks": the name of an event, not when it is said
            if event.granularity == "day" and _CALENDAR_DATE.search(said):
                days[(event.article_id, event.sentence)].append(event)
    out = []
    seen: set[tuple[date | None, date | None]] = set()
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
                _version(e.expression.of(text), [unit])
                for e, unit, text in (
                    (a[0], units[i], _text_of(analyses, units[i])),
                    (b[0], units[j], _text_of(analyses, units[j])),
                )
            )
            out.append(Disagreement(kind="date", subject="date", versions=versions))
    return out


# A year as the time of what a sentence says: after a preposition, alone or as a range, and not
# naming a thing ("the 2008 event", "her 2014 tax rate"). "since" and "from … to" date a start
# or a span, "until" and "through" an end; only like is compared with like. "in 1995" is left
# out: on ECB+ every pair of aligned sentences "in" two years told of two events.
_YEAR_SAID = re.compile(
    r"\b(?P<prep>since|from|between|until|through)\s+(?P<first>" + _YEAR + r")"
    r"(?:\s*(?:to|through|until|and|-|–)\s*(?P<last>" + _YEAR + r"))?"
    r"(?=\s*(?:[,.;:)—–]|$|\s(?:and|but|when|after|before|as|while|until)\b))",
    re.IGNORECASE,
)
_YEAR_AS = {"since": "since", "from": "span", "between": "span", "until": "until",
            "through": "until"}  # fmt: skip


def _year_said(unit: Statement) -> tuple[str, str, frozenset[str]] | None:
    """When a sentence says its thing happened, as (kind, years, the words before them), if it
    names one year or one span of years and no other year nor a month ("in March 2008" is a
    month)."""
    text = unit.sentence.text
    found = list(_YEAR_SAID.finditer(text))
    if len(found) != 1 or len(re.findall(r"\b" + _YEAR + r"\b", text)) != len(
        [g for g in found[0].group("first", "last") if g]
    ):
        return None
    m = found[0]
    if _MONTH_BEFORE.search(text, 0, m.start("first")):
        return None
    kind = _YEAR_AS[m["prep"].lower()]
    if kind == "span" and not m["last"]:
        kind = "since" if m["prep"].lower() == "from" else ""
    if not kind:
        return None
    return kind, "–".join(g for g in m.group("first", "last") if g), terms(text[: m.start()][-60:])


def year_disagreements(
    units: Sequence[Statement], aligned: Mapping[int, Sequence[tuple[int, float]]]
) -> list[Disagreement]:
    """Statements of different outlets that say the same thing (aligned at
    SAME_DATE_STATEMENT), each dated by a year or a span of years of one kind, that differ
    ("has led House Democrats since 2002" vs "since 2003"; "from 1967 to 1979" vs "from 1966
    to 1978")."""
    years = [_year_said(u) for u in units]
    out = []
    seen: set[frozenset[str]] = set()
    for i, near in aligned.items():
        for j, score in near:
            a, b = years[i], years[j]
            if j <= i or units[i].outlet == units[j].outlet or a is None or b is None:
                continue
            if score < SAME_DATE_STATEMENT or a[0] != b[0] or a[1] == b[1] or not a[2] & b[2]:
                continue  # not of one kind, the same years, or said of different things
            if frozenset((a[1], b[1])) in seen:
                continue
            seen.add(frozenset((a[1], b[1])))
            versions = (
                _version(f"{a[0]} {a[1]}", [units[i]]),
                _version(f"{b[0]} {b[1]}", [units[j]]),
            )
            out.append(Disagreement(kind="date", subject="year", versions=versions))
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
        + year_disagreements(units, aligned)
        + speaker_disagreements(analyses, units)
    )
