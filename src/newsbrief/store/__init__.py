"""The store: one SQLite file by default (WAL, one writer at a time with BEGIN IMMEDIATE),
written on SQLAlchemy Core so that PostgreSQL can take its place (one writer at a time with an
advisory lock). One transaction per article: a failure leaves nothing of that article behind,
and the content-hash id makes re-ingesting a no-op.

Its parts, by what they keep: :mod:`~newsbrief.store.articles` (articles, analyses, duplicate
groups), :mod:`~newsbrief.store.stories` (story state, members, merges, the story list),
:mod:`~newsbrief.store.briefs` (brief versions), :mod:`~newsbrief.store.feeds` (watched feeds);
:mod:`~newsbrief.store.base` opens, migrates and writes; :mod:`~newsbrief.store.schema` holds
the tables and migrations.
"""

from __future__ import annotations

from newsbrief.store.articles import ArticleRow, Duplicate
from newsbrief.store.base import database_url
from newsbrief.store.briefs import BriefStore, KeptBrief
from newsbrief.store.feeds import FeedEntry, FeedState, FeedStore
from newsbrief.store.schema import metadata
from newsbrief.store.stories import (
    Placement,
    Placer,
    StoredStory,
    StoryChanges,
    StoryFilter,
    StoryLedger,
    StoryRow,
    StoryStore,
)


class Store(StoryStore, BriefStore, FeedStore):
    """Articles and their analyses, stories, brief versions and watched feeds. Open with
    :meth:`open`; use as a context manager."""


__all__ = [
    "ArticleRow",
    "Duplicate",
    "FeedEntry",
    "FeedState",
    "KeptBrief",
    "Placement",
    "Placer",
    "Store",
    "StoredStory",
    "StoryChanges",
    "StoryFilter",
    "StoryLedger",
    "StoryRow",
    "database_url",
    "metadata",
]
