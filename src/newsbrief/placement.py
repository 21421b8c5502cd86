"""Placing articles in stories: the stage that owns story state.

:mod:`newsbrief.cluster` decides where one article goes, given the stories (a pure
:class:`~newsbrief.cluster.StoryIndex`). This module keeps that index in step with the store,
which several writers may share — two ``ingest`` runs, ``watch``, the web API's
``POST /api/ingest``, a cron job — so that every decision is made against the stories as they
were committed, whoever wrote them:

1. the index is loaded once (the stories active in the clustering window), with the value the
   store's story counter had then;
2. an article is stored and placed in one transaction, under the store's writer lock; inside
   it, before deciding, the placer reads what other writers placed since the counter value it
   last saw (:class:`~newsbrief.store.StoryLedger`) and brings the index up to date: changed
   stories replace their old state, merged ones leave;
3. the decision and the story's new state are written in that transaction, which raises the
   counter by one;
4. once it has committed, the index takes the decision too.

A writer alone pays one counter read per article for this; two writers, the stories the other
changed in between (a few rows).
"""

from __future__ import annotations

import functools
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np

from newsbrief import cluster, nlp
from newsbrief.records import Analysis
from newsbrief.store import Placement, Store, StoredStory, StoryChanges, StoryLedger

# Stored articles whose leads are handed to the encoder at once when placing them (it batches
# them its own way, see nlp.ENCODE_BATCH), and new articles placed per round by ingest; small
# enough that ingest still streams.
ENCODE_BATCH = 32


class StoryPlacer:
    """Places the articles one writer stores, in step with every other writer of the store."""

    def __init__(self, store: Store, encoder: Callable[[], nlp.SentenceEncoder]) -> None:
        self.store, self._load_encoder = store, encoder
        self._encoder: nlp.SentenceEncoder | None = None
        self._index: cluster.StoryIndex | None = None
        self._seen = 0  # the story counter's value the index is current at

    @property
    def encoder(self) -> nlp.SentenceEncoder:
        """Loaded on first use: an ingest with nothing new loads no model."""
        if self._encoder is None:
            self._encoder = self._load_encoder()
        return self._encoder

    @property
    def index(self) -> cluster.StoryIndex:
        """The stories of this encoder active in the window, loaded on first use (1.): before
        the first writing transaction, so that reading them waits on no lock."""
        if self._index is None:
            loaded = self.store.active_stories(self.encoder.name, window_days=cluster.WINDOW_DAYS)
            self._index = cluster.StoryIndex(_state(s) for s in loaded.stories)
            self._index.next_seq = max(self._index.next_seq, loaded.next_seq)
            self._seen = loaded.counter
        return self._index

    def features(self, analyses: Sequence[Analysis]) -> list[cluster.Features]:
        return cluster.features(analyses, self.encoder)

    def add(self, analysis: Analysis, f: cluster.Features) -> cluster.Assignment | None:
        """Store ``analysis`` and place it by its features ``f``, in one transaction; where
        it went, or None when the store holds the article already (another writer may have
        stored it since we looked)."""
        assert self.index is not None  # 1., loaded outside the transaction
        decided: list[cluster.Assignment] = []
        if not self.store.add(
            analysis, place=functools.partial(self._decide, f=f, decided=decided)
        ):
            return None
        self._apply(f, decided[-1])
        return decided[-1]

    def place_unplaced(self) -> int:
        """Give a story to every stored article without one, oldest first (stored before
        stories existed, or by an older version); how many were placed."""
        ids = self.store.unplaced()
        if not ids:
            return 0
        assert self.index is not None  # 1., loaded outside the transactions
        done = 0
        for start in range(0, len(ids), ENCODE_BATCH):
            batch = self.store.load(ids[start : start + ENCODE_BATCH])
            for f in self.features(batch):
                decided: list[cluster.Assignment] = []
                place = functools.partial(self._decide, f=f, decided=decided)
                if self.store.place(f.article_id, place):
                    self._apply(f, decided[-1])
                    done += 1
        return done

    def _decide(
        self, ledger: StoryLedger, f: cluster.Features, decided: list[cluster.Assignment]
    ) -> Placement:
        """Inside the writing transaction: catch up with other writers (2.), decide, and
        return what to write (3.); the decision is kept in ``decided`` for after the commit."""
        self._catch_up(ledger.changes(self._seen, self.encoder.name))
        decision = self.index.decide(f)
        decided.append(decision)
        return placement_of(f, decision, self.index.outcome(f, decision), self.encoder.name)

    def _catch_up(self, changes: StoryChanges) -> None:
        self.index.refresh((_state(s) for s in changes.stories), changes.gone)
        self.index.next_seq = max(self.index.next_seq, changes.next_seq)
        self._seen = changes.counter

    def _apply(self, f: cluster.Features, decision: cluster.Assignment) -> None:
        """After the commit (4.): the index takes the decision; the placement raised the
        counter by one, and nobody else could meanwhile (the writer lock)."""
        self.index.apply(f, decision)
        self._seen += 1


def placement_of(
    f: cluster.Features, decision: cluster.Assignment, story: cluster.StoryState, model: str
) -> Placement:
    """What the store writes for ``decision`` on the article of ``f``, ``story`` being the
    state of its story once the article is in (StoryIndex.outcome), made with encoder
    ``model``."""
    return Placement(
        article_id=f.article_id,
        story=_stored(story, model),
        founded=decision.founded,
        score=decision.score,
        vector=f.vector.astype("<f4").tobytes(),
        actors=f.actors,
        names=dict(zip(f.actors, f.names, strict=False)),
        day=f.day,
        merged=decision.merged,
    )


def _state(s: StoredStory) -> cluster.StoryState:
    return cluster.StoryState(
        id=s.id,
        seq=s.seq,
        total=np.frombuffer(s.total, dtype="<f4").astype(np.float32),
        size=s.size,
        actors=Counter(s.actors),
        first_day=s.first_day,
        last_day=s.last_day,
    )


def _stored(state: cluster.StoryState, model: str) -> StoredStory:
    return StoredStory(
        id=state.id,
        seq=state.seq,
        model=model,
        total=state.total.astype("<f4").tobytes(),
        size=state.size,
        actors=dict(state.actors),
        first_day=state.first_day,
        last_day=state.last_day,
    )
