"""What the store keeps of stories: each story's state (what clustering scores against), its
members, its merges, and the listing of stories.

Placement is decided by :mod:`newsbrief.placement`, the stage that owns story state; the store
writes what it decided, in the transaction that stores the article (:meth:`StoryStore.add`), and
lets it read, inside that transaction, what other writers placed since it last looked
(:class:`StoryLedger`): every placement raises the store's story counter by one and stamps the
stories it writes, and the merges it makes, with the new value.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Select,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from newsbrief.cluster import display_name
from newsbrief.errors import NotFound, StoreError
from newsbrief.records import Analysis, independence_keys
from newsbrief.store.articles import ArticleStore
from newsbrief.store.base import chunks, id_prefix, like_escape, now
from newsbrief.store.schema import articles, counters, stories, story_members, story_merges

MAIN_ACTORS = 4  # actors listed per story: the ones most of its articles mention
STORY_COUNTER = "stories"  # the counters row that placements raise

# The day an article was seen: published, or ingested when it has no date (YYYY-MM-DD).
seen_day = func.substr(func.coalesce(articles.c.published, articles.c.ingested_at), 1, 10)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoredStory:
    """A story's state as stored: what clustering scores an article against (see
    cluster.StoryState; ``total`` is the sum of the members' vectors as float32 bytes)."""

    id: str
    seq: int
    model: str
    total: bytes
    size: int
    actors: Mapping[str, int]
    first_day: int | None
    last_day: int | None


@dataclass(frozen=True, slots=True, kw_only=True)
class Placement:
    """What placing one article writes: its membership (score, features) and the state of the
    story it joined or founded; ``merged``, stories merged into that one."""

    article_id: str
    story: StoredStory
    founded: bool
    score: float
    vector: bytes
    actors: tuple[str, ...]
    names: Mapping[str, str]
    day: int | None
    merged: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryChanges:
    """Stories as a placer must see them: ``stories`` written since the counter value it
    asked for (StoryLedger.changes) or all those it asked for (StoryStore.active_stories),
    ``gone`` those merged away since, ``next_seq`` the next free creation number, and
    ``counter`` the value all this is current at."""

    counter: int
    stories: tuple[StoredStory, ...] = ()
    gone: tuple[str, ...] = ()
    next_seq: int = 0


class StoryLedger:
    """The stories as they stand inside a writing transaction (the writer lock held): what a
    placer reads there is what no other writer can change before it commits."""

    def __init__(self, conn: Connection) -> None:
        self._conn = conn

    def changes(self, since: int, model: str) -> StoryChanges:
        """The stories made with encoder ``model`` that were written after counter value
        ``since``, and the stories merged away since."""
        return _changes(self._conn, since, model)


# How a placer decides, inside the transaction, where an article goes.
Placer = Callable[[StoryLedger], Placement]


class StoryStore(ArticleStore):
    """Stories: their state, members and merges, and the story list."""

    def add(self, analysis: Analysis, *, place: Placer | None = None) -> bool:
        """Write one analysed article in one transaction, with its fingerprints, its place in
        a duplicate group and, with ``place``, in a story: ``place`` is called inside the
        transaction with the ledger and returns the placement to write. False (and ``place``
        not called) when the article is already stored."""
        if place is None:
            return self._add(analysis)
        return self._add(analysis, lambda conn: _write(conn, place(StoryLedger(conn))))

    def place(self, article_id: str, place: Placer) -> bool:
        """Put an already stored article in its story, in one transaction; False (and
        ``place`` not called) when it is in one already."""
        try:
            with self.writing() as conn:
                placed = select(story_members.c.article_id).where(
                    story_members.c.article_id == article_id
                )
                if conn.execute(placed).first():
                    return False
                _write(conn, place(StoryLedger(conn)))
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot place article {article_id} in a story: {exc}") from exc
        return True

    def active_stories(self, model: str, *, window_days: int | None = None) -> StoryChanges:
        """The stories made with encoder ``model``, for a placer to start from; with
        ``window_days``, only those active that many days before the newest (and undated
        ones). Its counter is read first: whatever is written meanwhile is newer."""
        stmt = select(stories).where(stories.c.model == model).order_by(stories.c.seq)
        with self.engine.connect() as conn:
            counter = _counter(conn)
            next_seq = _next_seq(conn)
            newest = conn.execute(select(func.max(stories.c.last_day))).scalar()
            if window_days is not None and newest is not None:
                since = newest - window_days
                stmt = stmt.where(or_(stories.c.last_day >= since, stories.c.last_day.is_(None)))
            found = tuple(_stored(r) for r in conn.execute(stmt))
        return StoryChanges(counter=counter, stories=found, next_seq=next_seq)

    def unplaced(self) -> list[str]:
        """Stored articles that are in no story (stored before stories, or by an older run)."""
        stmt = (
            select(articles.c.id)
            .outerjoin(story_members, story_members.c.article_id == articles.c.id)
            .where(story_members.c.article_id.is_(None))
            .order_by(articles.c.published, articles.c.ingested_at, articles.c.id)
        )
        with self.engine.connect() as conn:
            return list(conn.execute(stmt).scalars())

    def resolve_story(self, prefix: str) -> str:
        """The id of the story ``prefix`` names (a unique id prefix), following merges."""
        prefix = id_prefix(prefix, "story")
        with self.engine.connect() as conn:
            found = set(
                conn.execute(
                    select(stories.c.id)
                    .where(stories.c.id.startswith(prefix, autoescape=True))
                    .limit(2)
                ).scalars()
            )
            found |= set(
                conn.execute(
                    select(story_merges.c.new_id)
                    .where(story_merges.c.old_id.startswith(prefix, autoescape=True))
                    .limit(2)
                ).scalars()
            )
        if len(found) != 1:
            raise NotFound(f"expected one story with id {prefix!r}…, found {len(found)}")
        return str(found.pop())

    def story_articles(self, story_id: str) -> list[str]:
        """The article ids of a story, oldest first."""
        with self.engine.connect() as conn:
            return list(
                conn.execute(
                    select(articles.c.id)
                    .join(story_members, story_members.c.article_id == articles.c.id)
                    .where(story_members.c.story_id == story_id)
                    .order_by(articles.c.published, articles.c.ingested_at, articles.c.id)
                ).scalars()
            )

    def list_stories(
        self, filters: StoryFilter | None = None, *, limit: int | None = None, offset: int = 0
    ) -> list[StoryRow]:
        """Stories that pass ``filters``, the most recently active first (then the largest);
        ``limit`` and ``offset`` page through them (in SQL: a page costs the same in a store of
        any size)."""
        stmt = select(stories.c.id).order_by(
            stories.c.last_seen.desc().nulls_last(), stories.c.size.desc(), stories.c.seq
        )
        stmt = self._story_filter(stmt, filters or StoryFilter())
        stmt = stmt.offset(offset).limit(limit) if limit else stmt.offset(offset)
        with self.engine.connect() as conn:
            ids = list(conn.execute(stmt).scalars())
        rows = {row.id: row for row in self.story_rows(ids)}
        return [rows[i] for i in ids if i in rows]

    def count_stories(self, filters: StoryFilter | None = None) -> int:
        """How many stories list_stories would give with these filters and no limit."""
        stmt = self._story_filter(
            select(func.count()).select_from(stories), filters or StoryFilter()
        )
        with self.engine.connect() as conn:
            return int(conn.execute(stmt).scalar() or 0)

    @staticmethod
    def _story_filter(stmt: Select[Any], f: StoryFilter) -> Select[Any]:
        def member(*where: ColumnElement[bool]) -> ColumnElement[bool]:
            # the stories with a member that passes: one scan of the members, not one per story
            return stories.c.id.in_(
                select(story_members.c.story_id)
                .join(articles, articles.c.id == story_members.c.article_id)
                .where(*where)
            )

        if f.since:
            stmt = stmt.where(stories.c.last_seen >= f.since[:10])
        if f.until:
            stmt = stmt.where(member(seen_day <= f.until[:10]))
        if f.query:
            like = f"%{like_escape(f.query)}%"
            stmt = stmt.where(
                member(
                    articles.c.title.ilike(like, escape="\\")
                    | articles.c.outlet.ilike(like, escape="\\")
                )
            )
        if f.outlet:
            stmt = stmt.where(member(func.lower(articles.c.outlet) == f.outlet.casefold()))
        if f.actor:
            named = story_members.c.names.ilike(f"%{like_escape(f.actor)}%", escape="\\")
            stmt = stmt.where(stories.c.id.in_(select(story_members.c.story_id).where(named)))
        return stmt

    def story_rows(self, story_ids: Sequence[str]) -> list[StoryRow]:
        """The listed form of these stories: title, size, independent outlets, days, main
        actors, from their members."""
        stmt = (
            select(
                story_members.c.story_id,
                articles.c.id,
                articles.c.title,
                articles.c.outlet,
                articles.c.published,
                articles.c.ingested_at,
                story_members.c.names,
                stories.c.actors,
            )
            .join(articles, articles.c.id == story_members.c.article_id)
            .join(stories, stories.c.id == story_members.c.story_id)
            .order_by(stories.c.seq, articles.c.published, articles.c.ingested_at, articles.c.id)
        )
        rows: list[Any] = []
        with self.engine.connect() as conn:
            for chunk in chunks(story_ids):
                rows += conn.execute(stmt.where(story_members.c.story_id.in_(chunk)))
        by_story: dict[str, list[Any]] = {}
        for r in rows:
            by_story.setdefault(r.story_id, []).append(r)
        groups = self.duplicate_groups([r.id for r in rows])
        out = []
        for story_id, members in by_story.items():
            # seen: published, or when ingested for an article without a date
            dates = sorted((m.published or m.ingested_at)[:10] for m in members)
            keys = independence_keys((m.id, m.outlet, groups.get(m.id)) for m in members)
            actors = Counter(json.loads(members[0].actors))
            main = [a for a, _ in actors.most_common(MAIN_ACTORS)]
            forms: dict[str, Counter[str]] = {a: Counter() for a in main}
            for m in members:
                for key, name in json.loads(m.names).items():
                    if key in forms:
                        forms[key][name] += 1
            out.append(
                StoryRow(
                    id=story_id,
                    title=next((m.title for m in members if m.id == story_id), members[0].title),
                    articles=len(members),
                    outlets=len(set(keys.values())),
                    first_seen=dates[0] if dates else None,
                    last_seen=dates[-1] if dates else None,
                    actors=tuple(display_name(forms[a]) if forms[a] else a for a in main),
                )
            )
        return out


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryRow:
    """A story as listed."""

    id: str
    title: str
    articles: int
    outlets: int
    first_seen: str | None
    last_seen: str | None
    actors: tuple[str, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryFilter:
    """Which stories to list: ``since``/``until`` (ISO dates) keep those with an article seen
    on or after / on or before that day (published, or ingested when undated), ``query`` those
    with the text in a member's title or outlet, ``outlet`` those with a member of that outlet
    (any case), ``actor`` those naming that actor. None: no condition."""

    since: str | None = None
    until: str | None = None
    query: str | None = None
    outlet: str | None = None
    actor: str | None = None


def _counter(conn: Connection) -> int:
    found = conn.execute(select(counters.c.value).where(counters.c.name == STORY_COUNTER))
    return int(found.scalar() or 0)


def _next_seq(conn: Connection) -> int:
    return int(conn.execute(select(func.max(stories.c.seq))).scalar() or -1) + 1


def _stored(row: Any) -> StoredStory:
    return StoredStory(
        id=row.id,
        seq=row.seq,
        model=row.model,
        total=row.total,
        size=row.size,
        actors=json.loads(row.actors),
        first_day=row.first_day,
        last_day=row.last_day,
    )


def _changes(conn: Connection, since: int, model: str) -> StoryChanges:
    changed = select(stories).where(stories.c.changed > since, stories.c.model == model)
    gone = select(story_merges.c.old_id).where(story_merges.c.changed > since)
    return StoryChanges(
        counter=_counter(conn),
        stories=tuple(_stored(r) for r in conn.execute(changed.order_by(stories.c.seq))),
        gone=tuple(conn.execute(gone).scalars()),
        next_seq=_next_seq(conn),
    )


def _write(conn: Connection, p: Placement) -> None:
    """The rows of a placement, in the caller's transaction: the story's new state, the
    membership, the merges; the counter raised by one, and what changed stamped with it."""
    stamp = _counter(conn) + 1
    conn.execute(update(counters).where(counters.c.name == STORY_COUNTER).values(value=stamp))
    story, moment = p.story, now()
    values = {
        "total": story.total,
        "size": story.size,
        "actors": json.dumps(dict(sorted(story.actors.items())), ensure_ascii=False),
        "first_day": story.first_day,
        "last_day": story.last_day,
        "updated_at": moment,
        "changed": stamp,
    }
    if p.founded:
        conn.execute(
            insert(stories).values(
                id=story.id, seq=story.seq, model=story.model, created_at=moment, **values
            )
        )
    else:
        conn.execute(update(stories).where(stories.c.id == story.id).values(values))
    conn.execute(
        insert(story_members).values(
            article_id=p.article_id,
            story_id=story.id,
            score=p.score,
            vector=p.vector,
            actors=json.dumps(list(p.actors), ensure_ascii=False),
            names=json.dumps(dict(p.names), ensure_ascii=False),
            day=p.day,
            joined_at=moment,
        )
    )
    if p.merged:
        old = list(p.merged)
        conn.execute(
            update(story_members).where(story_members.c.story_id.in_(old)).values(story_id=story.id)
        )
        # earlier merges into the merged stories now point at the survivor: one hop
        conn.execute(
            update(story_merges).where(story_merges.c.new_id.in_(old)).values(new_id=story.id)
        )
        conn.execute(
            insert(story_merges),
            [
                {
                    "old_id": o,
                    "new_id": story.id,
                    "article_id": p.article_id,
                    "score": p.score,
                    "merged_at": moment,
                    "changed": stamp,
                }
                for o in old
            ],
        )
        conn.execute(stories.delete().where(stories.c.id.in_(old)))
    newest = (
        select(func.max(seen_day))
        .select_from(story_members.join(articles, articles.c.id == story_members.c.article_id))
        .where(story_members.c.story_id == story.id)
        .scalar_subquery()
    )
    conn.execute(update(stories).where(stories.c.id == story.id).values(last_seen=newest))
