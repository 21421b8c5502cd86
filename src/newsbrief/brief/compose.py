"""What goes into each section of a brief. Extractive and deterministic: every item is a
sentence (or verbatim quote) of a source, cited by its span; ties break on article id and
sentence order.

Methods, by section:
1. Executive Summary — sentences scored by centrality (the weight of their words in the story,
   their LexRank over the story's sentences: how central they are in the graph of shared words,
   and, with a sentence encoder, their closeness in meaning to the story's centroid and to what
   other articles say), by how much other outlets say the same (alignment, corroboration), and by
   position (leads, the outlet's own summary, early sentences); attributed speech weighs less.
   Picked greedily, news before background (background only to reach the minimum of three), no
   two saying the same, each pick lowering the scores of its outlet's other sentences.
2. The Story So Far — background: sentences about an earlier time (in an article published two
   days or more before the story's newest one, or of a date a week or more before it), with
   background cues ("last met", "earlier", "had") or in the present perfect ("has been", "have
   warned"), the best-scoring, in time order.
3. Why This Matters — consequences and stakes the sources state ("could", "would", "threat",
   "means that"), about the central facts: ranked by their cues, their score and their closeness
   in meaning to the Executive Summary's sentences.
4. Who Thinks What? — one item per actor with statements: their reported position and their
   strongest verbatim quote.
5. Timeline — dated events in time order, the same event from several outlets merged.
6. Where Sources Differ — conflicting figures and titles, each side with its sources.

In the first three sections a sentence without quotation marks loses its dateline, short asides
in parentheses and a closing attribution (see compress); its citation is the whole sentence.

Independent sources: an outlet counts once, and so does a duplicate group (the copies of one
wire story, whoever runs them): their sentences never corroborate each other. In Sources, a
group's earliest published member is its original; the others name it.
"""

from __future__ import annotations

import math
import re
import weakref
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date
from typing import Literal

import numpy as np
from numpy.typing import NDArray

from newsbrief.analyse.actors import fold, resolve_actors
from newsbrief.analyse.quotes import NO_COMMENT
from newsbrief.analyse.timeline import dated_events
from newsbrief.compare import (
    Statement,
    align,
    corroborates,
    disagreements,
    outlet_keys,
    statements,
)
from newsbrief.nlp import SentenceEncoder
from newsbrief.records import (
    Actor,
    Analysis,
    Article,
    Brief,
    BriefItem,
    BriefSection,
    Citation,
    DatedEvent,
    Disagreement,
    Quote,
    Role,
    SourceRef,
    Span,
)
from newsbrief.terms import jaccard, overlap, terms

SECTIONS = (
    ("executive_summary", "Executive Summary"),
    ("story_so_far", "The Story So Far"),
    ("why_it_matters", "Why This Matters"),
    ("who_thinks_what", "Who Thinks What?"),
    ("timeline", "Timeline"),
    ("sources_differ", "Where Sources Differ"),
)
SUMMARY_MIN, SUMMARY_MAX = 3, 5
SUMMARY_CUTOFF = 0.5  # past the minimum, stop when the best left scores below this × the top
OUTLET_PENALTY = 1.0  # each pick from an outlet lowers its other sentences' scores by this
# The Story So Far of a story told within a month has this many items at most; of a longer one
# (its articles' publication dates a month apart or more), LONG_STORY_SO_FAR_MAX.
STORY_SO_FAR_MAX = 4
LONG_STORY_SO_FAR_MAX = 8
# News is what happened on the day of the story's newest article or the day before; earlier,
# background: a story followed for a week recaps its first days in The Story So Far. With 7
# days, bench/summaries.py's background set (daily updates) left The Story So Far with cue
# sentences only until a week had passed: ROUGE-1 41.8; with 1, 43.3 (0: 43.1, 2: 43.0).
NEWS_DAYS = 1
# A date a sentence names counts as news within this many days of the newest article: an
# article of Monday tells its news as "on Saturday".
DATED_NEWS_DAYS = 7
MATTERS_MAX = 3
MATTERS_NEAR = 2.0  # Why This Matters: weight of closeness to the summary's sentences
ACTORS_MAX = 10
SILENT_MAX = 3  # actors a source says declined to comment, listed after those who spoke
TIMELINE_MAX = 12
# Two picked sentences say the same thing when their content words reach this Jaccard, or
# this overlap coefficient with at least REDUNDANT_SHARED words in common. Calibrated on the
# seeds: seed 000's summary bullets against its own body score Jaccard 0.3–0.6; its standfirst
# "Putin wanted no Tomahawks for Ukraine, a Budapest summit was agreed upon." against the bullet
# that restates it scores overlap 0.62; distinct facts of the seeds stay below 0.25 / 0.45.
# Lowered from 0.3 / 0.5 (3 shared) on bench/summaries.py: Multi-News clusters retell one event
# in many words, and sentences ranked alone went from ROUGE-1 45.2 to 45.7; the seed briefs'
# picks stay distinct facts.
REDUNDANT = 0.2
REDUNDANT_OVERLAP = 0.4
REDUNDANT_SHARED = 4
MIN_WORDS, MAX_WORDS = 6, 70
# A copy's sentence echoes its group's earlier member at this Jaccard of content words: the
# edits of syndicated copy (a word swapped, replaced or dropped) keep it above 0.8, while two
# different sentences of one wire story share far fewer words.
ECHO = 0.6
QUOTE_MIN_WORDS = 4
DISPUTED_NOTE = " (sources differ on this; see Where Sources Differ)"

_BACKGROUND = re.compile(
    r"\b(?:last (?:met|spoke|month|year|time)|earlier|previously|had (?:been|met|agreed|said|"
    r"held|promised)|ago|follows? (?:an? )?(?:earlier|previous)|in the past|since|once again|"
    r"history|first time|eighth|seventh|sixth|fifth|fourth|third|second time)\b",
    re.IGNORECASE,
)
# The present perfect tells what has happened so far ("has been", "have warned"): The Story
# So Far takes such sentences too (not the Executive Summary's news that they are).
_SO_FAR = re.compile(
    r"\b(?:has|have)(?:n't| not)?\s+(?:long\s+|already\s+|never\s+|repeatedly\s+)?"
    r"(?:been|\w+ed)\b",
    re.IGNORECASE,
)
_MATTERS = re.compile(
    r"\b(?:could|might|would|(?-i:may)|threat\w*|impact\w*|implication\w*|stakes?|fears?|"
    r"concerns?|risks?|undersco\w+|signal\w*|shape\w*|trajectory|consequence\w*|crucial|"
    r"significant\w*|momentum|future|jeopardi\w+|at stake|key to|pave\w* the way|hopes?|"
    r"means? that|(?:likely|expected|set) to)\b",
    re.IGNORECASE,
)
_QUOTE_MARK = re.compile(r"[“”\"«»]")


# LexRank (Erkan and Radev 2004) over TF-IDF vectors of the sentences' content words: an edge
# where their cosine reaches LEXRANK_EDGE (their value), PageRank with LEXRANK_DAMPING; scores
# scaled so that their mean is 1. On bench/summaries.py (Multi-News, 130 clusters) adding it to
# the score at LEXRANK_WEIGHT 1 raised ROUGE-1 of the brief's prose from 42.7 to 43.2 (weight 2:
# 43.1); a stronger position prior or corroboration weight moved it by 0.2 at most.
LEXRANK_EDGE = 0.1
LEXRANK_DAMPING = 0.85
LEXRANK_WEIGHT = 1.0
# Centrality in meaning, over the encoder's sentence vectors, and the position prior: a
# sentence's score gains CENTROID_WEIGHT × its cosine to the story's centroid and CROSS_WEIGHT ×
# its mean cosine to the CROSS_NEAREST most alike sentences of other articles, and loses
# POSITION_WEIGHT × log(1 + its index in its article). On bench/summaries.py (Multi-News), the
# sentences ranked by the score alone (no sections) went from ROUGE-1 44.4 to 45.2.
CENTROID_WEIGHT = 4.0
CROSS_WEIGHT = 2.0
CROSS_NEAREST = 3
POSITION_WEIGHT = 2.0
LENGTH_WEIGHT = 0.05  # per word: the prose sections have a number of items, not of words


def _vectors_of(
    units: Sequence[Statement], encode: Callable[[Sequence[str]], NDArray[np.float32]] | None
) -> NDArray[np.float64] | None:
    if encode is None or not units:
        return None
    return encode([u.sentence.text for u in units]).astype(np.float64)


def _meaning(units: Sequence[Statement], vectors: NDArray[np.float64] | None) -> list[float]:
    """Each sentence's centrality in meaning (none without an encoder): CENTROID_WEIGHT × its
    cosine to the mean of the story's sentence vectors, plus CROSS_WEIGHT × its mean cosine to
    its CROSS_NEAREST nearest sentences of other articles (what other outlets say alike)."""
    if vectors is None:
        return [0.0] * len(units)
    centroid = vectors.mean(axis=0)
    centroid /= np.linalg.norm(centroid) or 1.0
    similar = vectors @ vectors.T
    articles = np.array([u.sentence.article_id for u in units])
    out = []
    for i, row in enumerate(similar):
        others = np.sort(row[articles != articles[i]])[-CROSS_NEAREST:]
        cross = float(others.mean()) if len(others) else 0.0
        out.append(CENTROID_WEIGHT * float(vectors[i] @ centroid) + CROSS_WEIGHT * cross)
    return out


def _lexrank(sentences: Sequence[frozenset[str]], iterations: int = 50) -> list[float]:
    n = len(sentences)
    if n == 0:
        return []
    vocabulary: dict[str, int] = {}
    for words in sentences:
        for word in words:
            vocabulary.setdefault(word, len(vocabulary))
    vectors = np.zeros((n, len(vocabulary)))
    for i, words in enumerate(sentences):
        vectors[i, [vocabulary[w] for w in words]] = 1.0
    documents = vectors.sum(axis=0)
    vectors *= np.log((n + 1) / (documents + 1)) + 1.0
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-12
    edges = (vectors @ vectors.T >= LEXRANK_EDGE).astype(float)
    # no edge to itself: with one, a sentence that shares nothing would keep the rank of the
    # central ones; a sentence without edges gives its rank to all alike (PageRank's rule)
    np.fill_diagonal(edges, 0.0)
    edges[edges.sum(axis=1) == 0] = 1.0
    edges /= edges.sum(axis=1, keepdims=True)
    rank = np.full(n, 1.0 / n)
    for _ in range(iterations):
        rank = (1 - LEXRANK_DAMPING) / n + LEXRANK_DAMPING * (edges.T @ rank)
    return [float(r) * n for r in rank]


# Sentence compression in the prose sections: what a reader of the brief does not need of a
# sentence, which its citation still shows whole. A sentence with quotation marks is left as
# it is (quotes are verbatim, and so is what frames them).
_DATELINE = re.compile(
    r"^[A-Z][A-Z.'’-]+(?:[ /,]+[A-Z][A-Z.'’-]+)*(?:,\s+[A-Z][a-z]+\.?)?\s*(?:\([^)]{1,30}\)\s*)?"
    r"[—–-]{1,2}\s+(?=[A-Z“\"])"
)
_ASIDE = re.compile(r"\s+\([^()\d“”\"]{1,40}\)(?=[\s,.;:])")
_SAID = re.compile(
    r",\s+(?:(?:he|she|they|it|(?:the\s+)?[a-z]+(?:\s[a-z]+)?)\s+|(?:[A-Z][\w.'’-]*\s){1,3})"
    r"(?:said|says|told\s+[A-Z]\w+|added|reported)"
    r"(?:\s+(?:on\s+)?(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday))?\.$"
)


def compress(text: str) -> str:
    """A sentence without its dateline ("WASHINGTON (AP) — "), short asides in parentheses
    ("(R-Ohio)", not "(2.3 m)") and a closing attribution (", police said Tuesday.")."""
    if _QUOTE_MARK.search(text):
        return text
    text = _ASIDE.sub("", _DATELINE.sub("", text))
    return _SAID.sub(".", text)


def _redundant(a: frozenset[str], b: frozenset[str]) -> bool:
    if jaccard(a, b) >= REDUNDANT:
        return True
    return len(a & b) >= REDUNDANT_SHARED and overlap(a, b) >= REDUNDANT_OVERLAP


def _key(unit: Statement) -> tuple[str, int]:
    return unit.sentence.article_id, unit.sentence.index


def _earliest(a: Analysis) -> tuple[bool, str, str]:
    """Order of publication: undated articles last, ties by id."""
    return (a.article.published is None, a.article.published or "", a.article.id)


def _days_before(day: date, days: int) -> date:
    """The day ``days`` before ``day``, or the first day datetime knows (0001-01-01) when that
    is earlier: no day is before it, so comparisons with it hold as with the true day."""
    return date.fromordinal(max(day.toordinal() - days, date.min.toordinal()))


def _echo(unit: Statement, earlier: Statement) -> bool:
    return unit.sentence.text == earlier.sentence.text or jaccard(unit.terms, earlier.terms) >= ECHO


class _Composer:
    def __init__(
        self,
        analyses: Sequence[Analysis],
        groups: Mapping[str, str],
        encoder: SentenceEncoder | None = None,
    ) -> None:
        self.analyses = sorted(analyses, key=lambda a: (a.article.published or "", a.article.id))
        self.by_id = {a.article.id: a for a in self.analyses}
        # only groups with two members or more among these articles matter here
        size = Counter(groups[i] for i in self.by_id if i in groups)
        self.groups = {i: groups[i] for i in self.by_id if i in groups and size[groups[i]] > 1}
        self.keys = outlet_keys(self.analyses, self.groups)
        self.units = statements(self.analyses, self.keys)
        self.echoes = self._echoes()
        # a copy's echoes of its original neither state, support nor dispute anything
        heard = [u for u in self.units if _key(u) not in self.echoes]
        encode = _memo(encoder) if encoder is not None else None
        self.aligned = {
            i: [(j, score) for j, score in pairs if _key(self.units[j]) not in self.echoes]
            for i, pairs in align(self.units, encode).items()
            if _key(self.units[i]) not in self.echoes
        }
        self.disputes = disagreements(
            self.analyses, heard, align(heard, encode), encoded=encode is not None
        )
        self.disputed = {
            (c.article_id, c.start) for d in self.disputes for v in d.versions for c in v.citations
        }
        self.events = [
            e
            for a in self.analyses
            for e in dated_events(a.article, a.entities, a.quotes, a.sentences)
        ]
        self.events += self._news_day()
        # the dates each sentence resolves to (relative expressions aside)
        self.dates: dict[tuple[str, int], list[date]] = defaultdict(list)
        for event in self.events:
            if event.start is not None:
                self.dates[(event.article_id, event.sentence)].append(event.start)
        self.position = {_key(u): i for i, u in enumerate(self.units)}
        self.event_of = {(e.article_id, e.sentence): e for a in self.analyses for e in a.events}
        self.actors = resolve_actors(self.analyses)
        self.used: set[tuple[str, int]] = set()
        self.picked_terms: list[frozenset[str]] = []
        # a word weighs by how many sentences say it, echoes aside (they say nothing), but the
        # table holds every word of every sentence: _score looks up echoes' words too, and a
        # near copy's edited word may be said by its echo alone (it weighs log1p(0) = 0)
        frequency: Counter[str] = Counter(
            t for u in self.units if _key(u) not in self.echoes for t in u.terms
        )
        self.weight = {t: math.log1p(frequency[t]) for u in self.units for t in u.terms}
        self.rank = _lexrank([u.terms for u in self.units])
        self.vectors = _vectors_of(self.units, encode)
        self.meaning = _meaning(self.units, self.vectors)
        self.summary: list[int] = []  # the units the Executive Summary states
        days = sorted(d for a in self.analyses if (d := a.article.published_date) is not None)
        self.newest = days[-1] if days else None
        long_story = bool(days) and (days[-1] - days[0]).days >= 30
        self.story_so_far_max = LONG_STORY_SO_FAR_MAX if long_story else STORY_SO_FAR_MAX
        self.scores = [self._score(i) for i in range(len(self.units))]

    def _news_day(self) -> list[DatedEvent]:
        """The story's own news on its day, when no sentence dates anything that day: the
        lead of the first article of the day most of its articles were published (of two as
        many, the later: the latest news), dated by its publication."""
        days = Counter(d for a in self.analyses if (d := a.article.published_date) is not None)
        if not days:
            return []
        day = max(days, key=lambda d: (days[d], d))
        first = next(a for a in self.analyses if a.article.published_date == day)
        if any(e.start == day and e.granularity == "day" for e in self.events):
            return []
        lead = next(
            (
                u.sentence
                for u in self.units
                if u.sentence.article_id == first.article.id
                and u.sentence.repeats is None
                and MIN_WORDS <= len(u.sentence.text.split()) <= MAX_WORDS
            ),
            None,
        )
        if lead is None:
            return []
        here = Span(start=lead.span.start, end=lead.span.start)
        return [
            DatedEvent(
                article_id=first.article.id, sentence=lead.index, expression=here,
                start=day, granularity="day", said="",
            )
        ]  # fmt: skip

    # --- scoring ---------------------------------------------------------------------------
    def outlets_for(self, i: int) -> set[str]:
        return {self.units[i].outlet} | {self.units[j].outlet for j, _ in self.aligned.get(i, [])}

    def _score(self, i: int) -> float:
        unit = self.units[i]
        sentence = unit.sentence
        words = len(sentence.text.split())
        if not MIN_WORDS <= words <= MAX_WORDS or not unit.terms:
            return -math.inf  # never picked
        centrality = sum(self.weight[t] for t in unit.terms) / (len(unit.terms) + 5)
        cross = sum(score for _, score in self.aligned.get(i, []))
        corroborated = len(self.outlets_for(i)) - 1
        prior = {"lead": 0.6, "summary": 0.4, "body": 0.0, "heading": 0.0}[sentence.role]
        prior -= POSITION_WEIGHT * math.log1p(sentence.index)
        score = centrality + LEXRANK_WEIGHT * self.rank[i] + 0.6 * cross + 0.5 * corroborated
        score += prior + self.meaning[i] + LENGTH_WEIGHT * words
        if _QUOTE_MARK.search(sentence.text):
            score -= 0.4  # a quote belongs to Who Thinks What
        return score

    def is_background(self, unit: Statement) -> bool:
        """Whether a sentence tells of an earlier time than the story's news: in an article
        published more than NEWS_DAYS before the story's newest article, of a date more than
        DATED_NEWS_DAYS before it (or before its own article, undated), or in words of the past
        ("last met", "previously")."""
        published = self.by_id[unit.sentence.article_id].article.published_date
        newest = self.newest or published
        if newest is None:
            return bool(_BACKGROUND.search(unit.sentence.text))
        if published and published < _days_before(newest, NEWS_DAYS):
            return True
        dated_news = _days_before(newest, DATED_NEWS_DAYS)
        if any(start < dated_news for start in self.dates.get(_key(unit), [])):
            return True
        return bool(_BACKGROUND.search(unit.sentence.text))

    # --- picking ---------------------------------------------------------------------------
    def _echoes(self) -> set[tuple[str, int]]:
        """Sentences of a copy that repeat a sentence of an earlier member of its duplicate
        group (the same words, give or take an edit): the group says them once, in the words
        of its earliest member."""
        members: dict[str, list[str]] = defaultdict(list)
        for analysis in sorted(self.analyses, key=_earliest):  # the original first
            if analysis.article.id in self.groups:
                members[self.groups[analysis.article.id]].append(analysis.article.id)
        by_article: dict[str, list[Statement]] = defaultdict(list)
        for unit in self.units:
            by_article[unit.sentence.article_id].append(unit)
        echoes: set[tuple[str, int]] = set()
        for ids in members.values():
            for n, article_id in enumerate(ids):
                earlier = [u for other in ids[:n] for u in by_article[other]]
                for unit in by_article[article_id]:
                    if any(_echo(unit, e) for e in earlier):
                        echoes.add(_key(unit))
        return echoes

    def _free(self, i: int) -> bool:
        unit = self.units[i]
        if _key(unit) in self.used or _key(unit) in self.echoes or self.scores[i] == -math.inf:
            return False
        return not any(_redundant(unit.terms, t) for t in self.picked_terms)

    def _take(self, i: int) -> BriefItem:
        unit = self.units[i]
        sentence = unit.sentence
        self.used.add(_key(unit))
        if sentence.repeats is not None:
            self.used.add((sentence.article_id, sentence.repeats))
        for other in self.units:  # the body sentence's summary restatements are used up too
            if (
                other.sentence.article_id == sentence.article_id
                and other.sentence.repeats == sentence.index
            ):
                self.used.add(_key(other))
        self.picked_terms.append(unit.terms)
        citations = [Citation.of(sentence)]
        outlets = {unit.outlet}
        for j, _score in self.aligned.get(i, []):
            other = self.units[j]
            if other.outlet in outlets:
                continue
            self.used.add(_key(other))  # told by this item, whether or not it states its fact
            if corroborates(
                unit, other, self.event_of.get(_key(unit)), self.event_of.get(_key(other))
            ):
                outlets.add(other.outlet)
                citations.append(Citation.of(other.sentence))
        text = compress(sentence.text)
        if any((c.article_id, c.start) in self.disputed for c in citations):
            text += DISPUTED_NOTE
        return BriefItem(text=text, citations=tuple(citations))

    def executive_summary(self) -> tuple[BriefItem, ...]:
        """Greedy: the best-scoring free sentence, news before background; each pick lowers
        the scores of its outlet's other sentences so that no one outlet tells it all."""
        background = {i for i, u in enumerate(self.units) if self.is_background(u)}
        picks_by_outlet: Counter[str] = Counter()
        items: list[BriefItem] = []
        top = max(self.scores, default=0.0)
        while len(items) < SUMMARY_MAX:

            def effective(i: int) -> tuple[bool, float, int]:
                damped = self.scores[i] - OUTLET_PENALTY * picks_by_outlet[self.units[i].outlet]
                return (i not in background, damped, -i)

            free = [i for i in range(len(self.units)) if self._free(i)]
            if len(items) >= SUMMARY_MIN:  # background only to reach the minimum
                free = [i for i in free if i not in background]
            if not free:
                break
            best = max(free, key=effective)
            if len(items) >= SUMMARY_MIN and self.scores[best] < SUMMARY_CUTOFF * top:
                break
            items.append(self._take(best))
            self.summary.append(best)
            picks_by_outlet[self.units[best].outlet] += 1
        return tuple(items)

    def story_so_far(self) -> tuple[BriefItem, ...]:
        """The best background sentences, then put in time order."""
        candidates = [
            i
            for i, unit in enumerate(self.units)
            if self.is_background(unit) or _SO_FAR.search(unit.sentence.text)
        ]
        candidates.sort(key=lambda i: (-self.scores[i], i))
        chosen: list[tuple[date, int, BriefItem]] = []
        for i in candidates:
            if len(chosen) < self.story_so_far_max and self._free(i):
                chosen.append((self._when(i), i, self._take(i)))
        return tuple(item for _, _, item in sorted(chosen, key=lambda c: (c[0], c[1])))

    def _when(self, i: int) -> date:
        if dates := self.dates.get(_key(self.units[i])):
            return min(dates)
        return self.by_id[self.units[i].sentence.article_id].article.published_date or date.max

    def why_it_matters(self) -> tuple[BriefItem, ...]:
        """Consequences and stakes the sources state (sentences with a cue: "could", "would",
        "threat", "at stake", …; quotes aside), about the central facts: ranked by their cues,
        their score and, with sentence vectors, MATTERS_NEAR × their closeness in meaning to
        the Executive Summary's sentences."""
        near = np.zeros(len(self.units))
        if self.vectors is not None and self.summary:
            near = (self.vectors @ self.vectors[self.summary].T).max(axis=1)
        cues = {i: len(_MATTERS.findall(u.sentence.text)) for i, u in enumerate(self.units)}
        candidates = [
            i for i, n in cues.items() if n and not _QUOTE_MARK.search(self.units[i].sentence.text)
        ]
        candidates.sort(key=lambda i: (-(cues[i] + self.scores[i] + MATTERS_NEAR * near[i]), i))
        items: list[BriefItem] = []
        for i in candidates:
            if len(items) < MATTERS_MAX and self._free(i):
                items.append(self._take(i))
        return tuple(items)

    def who_thinks_what(self) -> tuple[BriefItem, ...]:
        """The actors who said something, most prominent first, then those who declined to
        comment, noted as such by the sentence that says so."""
        # statements of headings are not cited (a heading is not a statement of its own)
        actors = [
            replace(
                a, quotes=tuple(q for q in a.quotes if (q.article_id, q.sentence) in self.position)
            )
            for a in self.actors
        ]
        spoke = [a for a in actors if any(q.cue != NO_COMMENT for q in a.quotes)]
        silent = [a for a in actors if a.quotes and a not in spoke]
        return tuple(self._actor_item(a) for a in [*spoke[:ACTORS_MAX], *silent[:SILENT_MAX]])

    def _sentence(self, quote: Quote) -> Statement:
        return self.units[self.position[(quote.article_id, quote.sentence)]]

    def _sentences(self, quote: Quote) -> list[Statement]:
        """The sentences that hold a statement's pieces: one, or more when it runs on."""
        first = self.position[(quote.article_id, quote.sentence)]
        out = [self.units[first]]
        i = first + 1
        while i < len(self.units) and self.units[i].sentence.article_id == quote.article_id:
            span = self.units[i].sentence.span
            if not any(p.start < span.end and span.start < p.end for p in quote.pieces):
                break
            out.append(self.units[i])
            i += 1
        return out

    def _actor_item(self, actor: Actor) -> BriefItem:
        def rank(q: Quote) -> tuple[int, int, str, int]:
            return (-min(len(q.text.split()), 40), q.sentence, q.article_id, q.content.start)

        quotes = [q for q in actor.quotes if (q.article_id, q.sentence) not in self.echoes]
        quotes = quotes or list(actor.quotes)
        # what an actor said outranks a source's note that they declined to comment
        quotes = [q for q in quotes if q.cue != NO_COMMENT] or quotes
        indirect = sorted((q for q in quotes if not q.direct), key=rank)
        direct = sorted(
            (q for q in quotes if q.direct and len(q.text.split()) >= QUOTE_MIN_WORDS),
            key=rank,
        )
        parts: list[str] = []
        cited: list[Statement] = []
        if indirect:
            unit = self._sentence(indirect[0])
            parts.append(unit.sentence.text)
            cited.append(unit)
        if direct and (not cited or self._sentence(direct[0]) is not cited[0]):
            parts.append(f"“{direct[0].text}”")
            cited.extend(self._sentences(direct[0]))
        if not parts:  # only short quotes: show the sentence that holds the first one
            unit = self._sentence(quotes[0])
            parts.append(unit.sentence.text)
            cited.append(unit)
        text = " ".join(parts)
        citations = tuple(dict.fromkeys(Citation.of(u.sentence) for u in cited))
        if any((c.article_id, c.start) in self.disputed for c in citations):
            text += DISPUTED_NOTE
        label = actor.name
        if role := self._role(actor):
            label = f"{actor.name}, {role.role}"
            unit = self.units[self.position[(role.article_id, role.sentence)]]
            citations = (Citation.of(unit.sentence, role.span), *citations)
        return BriefItem(text=text, citations=citations, label=label)

    def _role(self, actor: Actor) -> Role | None:
        """The role most independent sources give an actor, then the most often stated, then
        the fullest; its first statement in story order."""
        stated: dict[str, list[Role]] = defaultdict(list)
        for role in actor.roles:
            if (role.article_id, role.sentence) in self.position:
                stated[fold(role.role).replace("’", "'")].append(role)
        if not stated:
            return None
        best = max(
            stated.items(),
            key=lambda kv: (
                len({self.keys[r.article_id] for r in kv[1]}),
                len(kv[1]),
                len(kv[0]),
                kv[0],
            ),
        )
        return min(best[1], key=lambda r: self.position[(r.article_id, r.sentence)])

    def timeline(self) -> tuple[BriefItem, ...]:
        """Dated events in time order, a coarser date before a finer one of the same start;
        then what the sources date only relatively ("recently", or "on Thursday" in an
        undated article), for sentences that give no date."""
        by_label: dict[tuple[date, int, str], list[DatedEvent]] = defaultdict(list)
        order = {"year": 0, "season": 1, "month": 2, "week": 3, "day": 4, "relative": 5}
        for event in self.events:
            if (event.article_id, event.sentence) not in self.position:
                continue  # a heading: no statement of the story
            unit = self.units[self.position[(event.article_id, event.sentence)]]
            if (
                unit.sentence.repeats is None
                and _key(unit) not in self.echoes
                and len(unit.sentence.text.split()) >= MIN_WORDS
                and (event.start is not None or not self.dates.get(_key(unit)))
            ):
                said = event.said.lower() if event.start is None else ""
                by_label[(event.start or date.max, order[event.granularity], said)].append(event)
        items: list[BriefItem] = []
        cited: set[tuple[str, int]] = set()

        def place(kv: tuple[tuple[date, int, str], list[DatedEvent]]) -> tuple[date, int, int]:
            # relative expressions in the order the story tells them
            first = min(self.position[(e.article_id, e.sentence)] for e in kv[1])
            return kv[0][0], kv[0][1], first if kv[0][2] else 0

        for (_start, _order, _said), events in sorted(by_label.items(), key=place):
            groups: list[list[int]] = []
            for event in events:
                i = self.position[(event.article_id, event.sentence)]
                for group in groups:
                    if any(j == i or j in dict(self.aligned.get(i, [])) for j in group):
                        group.append(i)
                        break
                else:
                    groups.append([i])
            groups.sort(key=lambda g: (-max(self.scores[i] for i in g), min(g)))
            for group in groups:
                best = max(group, key=lambda i: (self.scores[i], -i))
                if events[0].start is None and _key(self.units[best]) in cited:
                    continue  # already told, corroborating a dated item
                seen_outlets: set[str] = set()
                citations = []
                # other outlets that say the same thing without a date of their own corroborate
                # it ("an earlier meeting in Anchorage, Alaska, which … yielded no progress")
                undated = [
                    j
                    for j, _score in self.aligned.get(best, [])
                    if not self.dates.get(_key(self.units[j]))
                ]
                for i in [best, *group, *undated]:
                    if self.units[i].outlet not in seen_outlets:
                        seen_outlets.add(self.units[i].outlet)
                        citations.append(Citation.of(self.units[i].sentence))
                        cited.add(_key(self.units[i]))
                text = self.units[best].sentence.text
                if any((c.article_id, c.start) in self.disputed for c in citations):
                    text += DISPUTED_NOTE
                items.append(
                    BriefItem(text=text, citations=tuple(citations), label=events[0].label)
                )
        return tuple(items[:TIMELINE_MAX])

    def sources_differ(self) -> tuple[BriefItem, ...]:
        return tuple(self._difference(d) for d in self.disputes)

    def _outlet_names(self, keys: Sequence[str]) -> str:
        names = []
        for analysis in self.analyses:
            if self.keys[analysis.article.id] in keys:
                names.append(analysis.article.outlet_label)
        return ", ".join(dict.fromkeys(names))

    def _difference(self, disagreement: Disagreement) -> BriefItem:
        sides = [
            " / ".join(f"“{t}”" for t in v.text.split(" / "))
            + f" ({self._outlet_names(v.outlets)})"
            for v in disagreement.versions
        ]
        if disagreement.kind == "title":
            actor = next((a for a in self.actors if a.key == disagreement.subject), None)
            label = f"Title of {actor.name if actor else disagreement.subject.title()}"
        elif disagreement.kind == "speaker":
            label = "Who said it"
            sides = [f"{v.text} ({self._outlet_names(v.outlets)})" for v in disagreement.versions]
        else:
            label = {"date": "Dates", "quantity": "Figures"}[disagreement.kind]
        citations = tuple(c for v in disagreement.versions for c in v.citations)
        return BriefItem(text=" vs ".join(sides), citations=citations, label=label)

    def title(self) -> str:
        def headline_score(a: Analysis) -> tuple[float, str]:
            return (sum(self.weight.get(t, 0.0) for t in terms(a.article.title)), a.article.id)

        return max(self.analyses, key=headline_score).article.title

    def sources(self) -> tuple[SourceRef, ...]:
        """The articles, each copy naming its group's original (the earliest published member
        here; undated ones last, ties by id)."""
        members: dict[str, list[Analysis]] = defaultdict(list)
        for analysis in self.analyses:
            if analysis.article.id in self.groups:
                members[self.groups[analysis.article.id]].append(analysis)

        originals = {g: min(group, key=_earliest).article for g, group in members.items()}
        refs = []
        for analysis in self.analyses:
            article = analysis.article
            group = self.groups.get(article.id)
            original = originals[group] if group else None
            if original is None or original.id == article.id:
                original = None
            refs.append(
                SourceRef(
                    article_id=article.id,
                    title=article.title,
                    outlet=article.outlet,
                    url=article.url,
                    published=article.published,
                    group=group,
                    original=original.id if original else None,
                    copy=None if original is None else _copy_kind(original, article),
                    same_text_as=len(members[group]) - 1 if group else 0,
                )
            )
        return tuple(refs)


# Sentence vectors kept per encoder between briefs, the most recently used this many (384
# floats each: about 30 MB): rebuilding a story's brief after one new article encodes only the
# new article's sentences. bench/speed.py: the rebuild of a 50-article story's brief.
VECTORS_KEPT = 20_000
_vectors: weakref.WeakKeyDictionary[SentenceEncoder, OrderedDict[str, NDArray[np.float32]]] = (
    weakref.WeakKeyDictionary()
)


def _memo(encoder: SentenceEncoder) -> Callable[[Sequence[str]], NDArray[np.float32]]:
    """The encoder's encode, each text encoded once while its vector is kept (VECTORS_KEPT)."""
    done = _vectors.setdefault(encoder, OrderedDict())

    def encode(texts: Sequence[str]) -> NDArray[np.float32]:
        todo = [t for t in dict.fromkeys(texts) if t not in done]
        if todo:
            done.update(zip(todo, encoder.encode(todo), strict=True))
        found = [done[t] for t in texts]
        for t in dict.fromkeys(texts):
            done.move_to_end(t)
        while len(done) > VECTORS_KEPT:
            done.popitem(last=False)
        return np.stack(found) if found else np.zeros((0, 0), np.float32)

    return encode


def _copy_kind(original: Article, copy: Article) -> Literal["exact", "near"]:
    return "exact" if original.text == copy.text else "near"


def compose(
    analyses: Sequence[Analysis],
    groups: Mapping[str, str] | None = None,
    encoder: SentenceEncoder | None = None,
) -> Brief:
    """The brief of one story, made of the analysed articles; ``groups`` maps the articles that
    have duplicates to their duplicate group (Store.duplicate_groups). With a sentence
    ``encoder``, statements align on meaning as well as words (see compare.align)."""
    if not analyses:
        raise ValueError("compose expects at least one analysed article, found none")
    composer = _Composer(analyses, groups or {}, encoder)
    # Who Thinks What and Timeline are views of their own; the three prose sections share one
    # pool so that no sentence appears twice among them. The summary picks first.
    built = {
        "executive_summary": composer.executive_summary(),
        "story_so_far": composer.story_so_far(),
        "why_it_matters": composer.why_it_matters(),
        "who_thinks_what": composer.who_thinks_what(),
        "timeline": composer.timeline(),
        "sources_differ": composer.sources_differ(),
    }
    sections = tuple(BriefSection(key=k, title=t, items=built[k]) for k, t in SECTIONS)
    return Brief(
        title=composer.title(),
        sections=sections,
        sources=composer.sources(),
        independent_sources=len(set(composer.keys.values())),
    )
