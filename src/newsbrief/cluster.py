"""Cluster into stories, incrementally: each new article joins the best matching story or starts
one.

An article is seen through its :class:`Features`: a sentence vector of its headline and lead,
the named actors and places it mentions, and its publication day. A story keeps the sum of its
members' vectors (its centroid, normalised when scored), how many members mention each actor,
and the first and last day of its members. The score of an article against a story is

    cosine(vector, centroid) + ACTOR_WEIGHT · actor share − ABSENT_PENALTY · [main actor absent]
        − TIME_WEIGHT · fade(days apart)

and only stories active within ``WINDOW_DAYS`` of the article are candidates: a story's pull
fades with time, so two similar events weeks apart are two stories. The article joins the best
story at or above ``JOIN_SCORE``, else it founds a story whose id is its own article id. When it
scores at or above ``MERGE_SCORE`` against a second story too, the two have converged: the
story created later is merged into the older one, whose id survives (the store records the
merge, so the old id still resolves).

Order: greedy assignment depends on the order of arrival. bench/clustering.py measures it: the
same articles reversed and shuffled, B-cubed F1 of that grouping against the arrival-order one.
Measured: ECB+ 0.960 (F1 against gold 0.876 in file order, 0.861 reversed, 0.862 shuffled),
BASIL 0.988 (0.997 by date; 0.991 reversed, 0.994 shuffled). Stories are the same up to a few
articles near the threshold between two similar events; ids differ (a story's is its first
article's).
"""

from __future__ import annotations

import math
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from newsbrief import nlp
from newsbrief.errors import ModelError
from newsbrief.nlp import SentenceEncoder
from newsbrief.records import Analysis
from newsbrief.terms import terms

Vector = npt.NDArray[np.float32]

# --- calibration ----------------------------------------------------------------------------
# All on the ECB+ dev docs (772 docs, 66 events; each topic holds two similar events) and the
# BASIL dev triplets (78 × 3), with all-MiniLM-L6-v2 int8 and spaCy's entities: see
# bench/clustering.py, whose grid (--grid) re-runs this calibration.
#
# Grid (bench/clustering.py --grid): JOIN 0.45–0.80 × ACTOR 0–0.7 × MERGE 0.7–0.9/off, ranked
# by ECB+ B-cubed F1 with BASIL F1 beside it. Best: JOIN 0.65, ACTOR 0.35 (ECB+ 0.866 with
# merges at 0.9, 0.871 without; BASIL 0.985). Lower JOIN merges the two events of an ECB+ topic
# (0.55: P 0.71, F1 0.82); higher splits events (0.70 needs ACTOR 0.5 to hold 0.865). Names and
# places are what tell two similar events apart (Tara Reid's rehab from Lindsay Lohan's): ACTOR
# 0 loses 0.01–0.02. Adding years of DATE entities or numbers as actors did not help (±0.003).
# Tried and left out, each within ±0.01 of ECB+ F1 over the three orders (file, reversed,
# shuffled): full-text TF-IDF cosine against the story's terms (weights 0.3–0.9, JOIN up to
# 1.2); IDF-weighted actor cosine (0.2–0.6); the nearest member's cosine instead of, or mixed
# with, the centroid's; a per-story threshold (mean join cosine − 0.1 to 0.2); a penalty for
# the story's core actors missing from the article (recall fell to 0.6–0.8). What merges the
# two events of a topic is the first article of the second event joining the first's story:
# no signal of these tells "Klitschko beats Thompson" from "Klitschko beats Rahman" in time.
JOIN_SCORE = 0.6
ACTOR_WEIGHT = 0.35
# An article whose main actor (its most mentioned, at least twice) no member of the story
# names is about someone else: the first report of Klitschko–Thompson against the story of
# Klitschko–Rahman. 0.1 with JOIN 0.6 (from JOIN 0.65 without it) moved ECB+ F1 0.869 →
# 0.874 in file order, 0.858 → 0.870 reversed, 0.843 → 0.852 shuffled; BASIL 0.991 → 0.997.
# 0.15–0.3 and the two main actors instead of one split events more than they saved.
ABSENT_PENALTY = 0.1
# Two stories that one article matches at this score have converged and merge. Merges at 0.7–
# 0.8 chained distinct ECB+ events (F1 −0.01 to −0.03); at 0.9 they cost 0.003 of ECB+ F1
# (0.866 vs 0.869 never merging) and nothing on BASIL.
MERGE_SCORE = 0.9
# The article's most mentioned actors that count (its minor mentions are noise): 8 beat 12 by
# 0.007 on ECB+.
MAX_ACTORS = 8
# Time: a story is a candidate only while the article is within WINDOW_DAYS of its days; inside
# the window the score loses TIME_WEIGHT · min(1, days apart / FADE_DAYS). Only BASIL is dated
# (ECB+ is not, so time leaves its score unchanged): BASIL F1 0.985 at TIME_WEIGHT 0.15, 0.991
# at 0.3 (0.988 at 0); WINDOW_DAYS 3–21 all 0.991, 60 falls to 0.980. FADE_DAYS is a judgement
# (two weeks apart costs the full weight), not fitted: a triplet spans a few days at most.
WINDOW_DAYS = 21
FADE_DAYS = 14
TIME_WEIGHT = 0.3
# Candidates scored in full (actors, time) after ranking by cosine alone: 16 and 64 gave the
# same F1 on both sets.
TOP_CANDIDATES = 16
# Stories whose last day is more than WINDOW_DAYS before the newest article seen leave the
# in-memory index (they stay in the store), checked every EVICT_EVERY assignments: scoring
# costs O(stories in the index), so this keeps it O(stories active in the window). An article
# older than the index's horizon is scored against what is left (a late article of an evicted
# story starts a new one); bench/clustering.py measures the cost per article with 100k.
EVICT_EVERY = 1000
# Headline plus this many leading sentences make the text that is encoded.
LEAD_SENTENCES = 3
# Entity labels that name actors and places; dates and numbers are left to the time signal.
ACTOR_LABELS = frozenset({"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Features:
    """What clustering knows of an article."""

    article_id: str
    vector: Vector
    actors: tuple[str, ...]
    """Actor keys, most mentioned first, at most MAX_ACTORS."""
    main_actor: str | None = None
    """The most mentioned actor when it is mentioned at least twice."""
    names: tuple[str, ...] = ()
    """How the article names each of ``actors`` (its most frequent form, the longer on a tie:
    "Vladimir Putin" for "putin"), for display."""
    day: int | None
    """Publication day (proleptic ordinal), None when undated."""


def lead_text(analysis: Analysis, sentences: int = LEAD_SENTENCES) -> str:
    """The headline and the first ``sentences`` sentences of the body (not headings, not an
    outlet's summary block)."""
    title = analysis.article.title
    same = " ".join(title.split()).casefold()
    body = (s.text for s in analysis.sentences if s.role in ("lead", "body"))
    # scraped text often repeats the headline as its first line: encode it once
    lead = [t for t in body if " ".join(t.split()).casefold() != same][:sentences]
    return "\n".join([title, *lead]).strip()


def actor_key(text: str, label: str) -> str | None:
    """A folded key for a mention: a person by surname ("Tara Reid" = "Reid"), anything else
    by its words without a leading "the"."""
    decomposed = unicodedata.normalize("NFKD", text.replace("’s", "").replace("'s", ""))
    words = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold().split()
    words = [w.strip(".,;:()\"'“”") for w in words]
    words = [w for w in words if w]
    if words and words[0] == "the":
        words = words[1:]
    if not words or not words[-1][:1].isalpha():
        return None
    return words[-1] if label == "PERSON" else " ".join(words)


def actors_of(analysis: Analysis) -> tuple[tuple[str, ...], str | None, tuple[str, ...]]:
    """The article's actor keys, most mentioned first, its main actor and the actors' names
    (see Features)."""
    counts: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = {}
    for ent in analysis.entities:
        if ent.label in ACTOR_LABELS and (key := actor_key(ent.text, ent.label)):
            counts[key] += 1
            forms.setdefault(key, Counter())[" ".join(ent.text.split())] += 1
    ranked = [k for k, _ in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
    main = ranked[0] if ranked and counts[ranked[0]] >= 2 else None
    top = ranked[:MAX_ACTORS]
    return tuple(top), main, tuple(display_name(forms[k]) for k in top)


def display_name(forms: Counter[str]) -> str:
    """The most frequent form, the longer (then the first alphabetically) on a tie."""
    return min(forms.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0]


def lead_vectors(analyses: Sequence[Analysis], encoder: SentenceEncoder) -> list[bytes]:
    """The vectors of the analyses' lead texts (see lead_text), encoded in one batch, as the
    float32 bytes Analysis.lead_vector holds."""
    if not analyses:
        return []
    vectors = encoder.encode([lead_text(a) for a in analyses])
    return [np.asarray(v, dtype=np.float32).tobytes() for v in vectors]


def features(analyses: Sequence[Analysis], encoder: SentenceEncoder) -> list[Features]:
    """Features of ``analyses``: their lead vectors as computed with the analysis, the missing
    ones encoded here in one batch."""
    missing = [a for a in analyses if a.lead_vector is None]
    encoded = dict(zip((a.article.id for a in missing), lead_vectors(missing, encoder),
                       strict=True))  # fmt: skip
    out = []
    for analysis in analyses:
        raw = analysis.lead_vector or encoded[analysis.article.id]
        vector = np.frombuffer(raw, dtype=np.float32)
        if vector.shape != (encoder.dim,):
            raise ModelError(
                f"article {analysis.article.id}: its lead vector has {vector.size} dimensions, "
                f"the encoder {encoder.name} gives {encoder.dim}"
            )
        published = analysis.article.published_date
        actors, main, names = actors_of(analysis)
        out.append(
            Features(
                article_id=analysis.article.id,
                vector=vector,
                actors=actors,
                main_actor=main,
                names=names,
                day=published.toordinal() if published else None,
            )
        )
    return out


@dataclass(slots=True, kw_only=True)
class StoryState:
    """A story as clustering sees it; ``seq`` orders stories by creation (the older survives a
    merge)."""

    id: str
    seq: int
    total: Vector
    size: int
    actors: Counter[str] = field(default_factory=Counter)
    first_day: int | None = None
    last_day: int | None = None

    def absorb(self, f: Features) -> None:
        self.total = self.total + f.vector
        self.size += 1
        self.actors.update(f.actors)
        if f.day is not None:
            self.first_day = f.day if self.first_day is None else min(self.first_day, f.day)
            self.last_day = f.day if self.last_day is None else max(self.last_day, f.day)

    def absorb_story(self, other: StoryState) -> None:
        self.total = self.total + other.total
        self.size += other.size
        self.actors.update(other.actors)
        days = [d for d in (self.first_day, self.last_day, other.first_day, other.last_day) if d]
        self.first_day, self.last_day = (min(days), max(days)) if days else (None, None)

    @classmethod
    def founded_by(cls, f: Features, seq: int) -> StoryState:
        story = cls(id=f.article_id, seq=seq, total=np.zeros_like(f.vector), size=0)
        story.absorb(f)
        return story


@dataclass(frozen=True, slots=True, kw_only=True)
class Assignment:
    """Where an article goes: ``story_id`` (new when ``founded``), and the stories merged into
    it because the article joined them together."""

    article_id: str
    story_id: str
    score: float
    founded: bool
    merged: tuple[str, ...] = ()


def days_apart(day: int | None, first: int | None, last: int | None) -> int:
    """Days from ``day`` to the span [first, last]; 0 inside it or when either is unknown."""
    if day is None or first is None or last is None:
        return 0
    return max(0, first - day, day - last)


def actor_share(actors: Sequence[str], story: StoryState) -> float:
    """How typical the article's actors are of the story: the mean, over the article's actors,
    of the share of the story's members that mention each."""
    if not actors or not story.size:
        return 0.0
    return sum(min(1.0, story.actors[a] / story.size) for a in actors) / len(actors)


class StoryIndex:
    """The candidate stories, in memory: a matrix of normalised centroids for ranking by
    cosine, and each story's state. ``decide`` is pure; ``apply`` changes the index (call it
    only once the decision is stored)."""

    def __init__(self, stories: Iterable[StoryState] = (), *, dim: int | None = None) -> None:
        self.stories: dict[str, StoryState] = {}
        self._rows: dict[str, int] = {}
        self._ids: list[str | None] = []
        self._matrix: Vector = np.zeros((0, dim or 0), dtype=np.float32)
        self._last = np.zeros(0, dtype=np.int64)  # last day, or a huge value when undated
        self._first = np.zeros(0, dtype=np.int64)
        self.next_seq = 0
        self.newest_day: int | None = None
        self._since_evict = 0
        for story in stories:
            self._put(story)
            if story.last_day is not None:
                self.newest_day = max(self.newest_day or story.last_day, story.last_day)

    def __len__(self) -> int:
        return len(self.stories)

    def _put(self, story: StoryState) -> None:
        self.stories[story.id] = story
        self.next_seq = max(self.next_seq, story.seq + 1)
        row = self._rows.get(story.id)
        if row is None:
            row = len(self._ids)
            if self._matrix.shape[1] == 0:
                self._matrix = np.zeros((0, story.total.shape[0]), dtype=np.float32)
            if row >= self._matrix.shape[0]:  # grow by doubling: amortised O(1) per story
                grow = max(64, self._matrix.shape[0])
                self._matrix = np.vstack(
                    [self._matrix, np.zeros((grow, self._matrix.shape[1]), np.float32)]
                )
                self._last = np.concatenate([self._last, np.zeros(grow, np.int64)])
                self._first = np.concatenate([self._first, np.zeros(grow, np.int64)])
            self._rows[story.id] = row
            self._ids.append(story.id)
        norm = float(np.linalg.norm(story.total))
        self._matrix[row] = story.total / norm if norm else story.total
        self._first[row] = story.first_day if story.first_day is not None else -(2**40)
        self._last[row] = story.last_day if story.last_day is not None else 2**40

    def _drop(self, story_id: str) -> None:
        del self.stories[story_id]
        row = self._rows.pop(story_id)
        self._ids[row] = None
        self._matrix[row] = 0.0
        self._first[row], self._last[row] = 2**40, -(2**40)  # never in the window again

    def refresh(self, changed: Iterable[StoryState], gone: Iterable[str]) -> None:
        """Take stories as another writer left them: ``gone`` (merged away) leave the index,
        ``changed`` replace the state of the same id, or join the index."""
        for story_id in gone:
            if story_id in self.stories:
                self._drop(story_id)
        for story in changed:
            self._put(story)
            if story.last_day is not None:
                self.newest_day = max(self.newest_day or story.last_day, story.last_day)

    def scores(self, f: Features) -> list[tuple[float, str]]:
        """Candidate stories and the article's score against each, best first (ties: older
        story first)."""
        n = len(self._ids)
        if not n:
            return []
        # einsum, not @: BLAS's threaded matrix-vector product was 8× slower here on 2 busy
        # cores (6.4 vs 0.7 ms for 8,000 stories); einsum runs its own single-threaded loop
        cos = np.einsum("ij,j->i", self._matrix[:n], f.vector)
        if f.day is not None:
            active = (self._last[:n] >= f.day - WINDOW_DAYS) & (
                self._first[:n] <= f.day + WINDOW_DAYS
            )
            cos = np.where(active, cos, -np.inf)
        k = min(TOP_CANDIDATES, n)
        top = np.argpartition(-cos, k - 1)[:k] if k < n else np.arange(n)
        out = []
        for row in top:
            story_id = self._ids[row]
            if story_id is None or not math.isfinite(cos[row]):
                continue
            story = self.stories[story_id]
            gap = days_apart(f.day, story.first_day, story.last_day)
            absent = f.main_actor is not None and not story.actors[f.main_actor]
            score = (
                float(cos[row])
                + ACTOR_WEIGHT * actor_share(f.actors, story)
                - ABSENT_PENALTY * absent
                - TIME_WEIGHT * min(1.0, gap / FADE_DAYS)
            )
            out.append((score, story_id))
        out.sort(key=lambda sc: (-sc[0], self.stories[sc[1]].seq))
        return out

    def decide(self, f: Features) -> Assignment:
        """1. rank candidates; 2. below JOIN_SCORE found a story; 3. else join the best, and
        merge every other story the article matches at MERGE_SCORE into the oldest of them."""
        # 1.
        ranked = self.scores(f)
        # 2.
        if not ranked or ranked[0][0] < JOIN_SCORE:
            return Assignment(article_id=f.article_id, story_id=f.article_id, score=0.0,
                              founded=True)  # fmt: skip
        # 3.
        best_score, best = ranked[0]
        converged = [best] + [s for score, s in ranked[1:] if score >= MERGE_SCORE]
        if best_score < MERGE_SCORE or len(converged) == 1:
            return Assignment(article_id=f.article_id, story_id=best, score=best_score,
                              founded=False)  # fmt: skip
        survivor = min(converged, key=lambda s: self.stories[s].seq)
        return Assignment(
            article_id=f.article_id,
            story_id=survivor,
            score=best_score,
            founded=False,
            merged=tuple(sorted(s for s in converged if s != survivor)),
        )

    def outcome(self, f: Features, a: Assignment) -> StoryState:
        """The state of ``a.story_id`` once ``a`` is applied; the index is left unchanged."""
        if a.founded:
            return StoryState.founded_by(f, self.next_seq)
        old = self.stories[a.story_id]
        story = StoryState(id=old.id, seq=old.seq, total=old.total.copy(), size=old.size,
                           actors=Counter(old.actors), first_day=old.first_day,
                           last_day=old.last_day)  # fmt: skip
        for merged in a.merged:
            story.absorb_story(self.stories[merged])
        story.absorb(f)
        return story

    def apply(self, f: Features, a: Assignment) -> None:
        story = self.outcome(f, a)
        for old in a.merged:
            self._drop(old)
        self._put(story)
        if f.day is not None:
            self.newest_day = max(self.newest_day or f.day, f.day)
        self._since_evict += 1
        if self._since_evict >= EVICT_EVERY:
            self.evict()

    def evict(self) -> None:
        """Drop stories inactive for WINDOW_DAYS before the newest day seen, and compact."""
        self._since_evict = 0
        if self.newest_day is not None:
            horizon = self.newest_day - WINDOW_DAYS
            for story in [s for s in self.stories.values() if s.last_day is not None]:
                if story.last_day is not None and story.last_day < horizon:
                    del self.stories[story.id]
        kept = sorted(self.stories.values(), key=lambda s: s.seq)
        self.stories, self._rows, self._ids = {}, {}, []
        self._matrix = self._matrix[:0]
        self._first, self._last = self._first[:0], self._last[:0]
        for story in kept:
            self._put(story)

    def assign(self, f: Features) -> Assignment:
        decision = self.decide(f)
        self.apply(f, decision)
        return decision


def as_day(value: date | None) -> int | None:
    return value.toordinal() if value else None


class HashingEncoder:
    """A model-free encoder: hashed bag of stemmed content words, L2-normalised. For tests; its
    scores are not on MiniLM's scale, so the thresholds above are not calibrated for it."""

    name = "hashed-terms-384"
    dim = 384

    def __init__(self, settings: object = None) -> None:
        """Takes (and ignores) the settings, so that the setting encoder can name it:
        ``newsbrief.cluster:HashingEncoder``."""

    def encode(self, texts: Sequence[str], *, batch_size: int = nlp.ENCODE_BATCH) -> Vector:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            for term in terms(text):
                digest = int.from_bytes(term.encode("utf-8")[:8].ljust(8, b"_"), "little")
                out[i, (digest ^ len(term) * 0x9E3779B1) % self.dim] += 1.0
            norm = float(np.linalg.norm(out[i]))
            if norm:
                out[i] /= norm
        return out
