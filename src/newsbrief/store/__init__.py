"""The store: one SQLite file by default (WAL, one writer with BEGIN IMMEDIATE), written on
SQLAlchemy Core so that PostgreSQL can take its place. One transaction per article: a failure
leaves nothing of that article behind, and the content-hash id makes re-ingesting a no-op."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import sqlite3
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import numpy as np
from sqlalchemy import (
    URL,
    ColumnElement,
    Connection,
    Engine,
    Select,
    and_,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    make_url,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from newsbrief import dedup
from newsbrief.brief.render import from_dict, to_dict
from newsbrief.cluster import Assignment, Features, StoryIndex, StoryState, display_name
from newsbrief.errors import NotFound, StoreError
from newsbrief.records import (
    Analysis,
    Article,
    Block,
    Brief,
    BriefVersion,
    Entity,
    Fingerprint,
    Quote,
    Removal,
    Role,
    Sentence,
    Span,
    independence_keys,
    statement_text,
)
from newsbrief.store.schema import (
    MIGRATIONS,
    articles,
    brief_versions,
    duplicates,
    entities,
    feed_entries,
    feeds,
    fingerprints,
    lsh_buckets,
    metadata,
    quotes,
    roles,
    schema_version,
    sentences,
    stories,
    story_members,
    story_merges,
)

SQLITE_BUSY_TIMEOUT_MS = 10_000


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleRow:
    """An article as listed: metadata without its text."""

    id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    origin: str
    ingested_at: str
    sentences: int
    quotes: int


def database_url(db: str) -> URL:
    """A SQLAlchemy URL for ``db``: a URL as is, else a path to a SQLite file (never parsed as
    a URL, so that "?", "#" or "%" in a folder name stay part of the path)."""
    if "://" in db:
        return make_url(db)
    return URL.create("sqlite", database=str(Path(db).expanduser()))


def _sqlite_engine(url: URL, *, readonly: bool) -> Engine:
    path = url.database or ""
    if readonly:
        if not Path(path).is_file():
            raise StoreError(f"no store at {path}: ingest some articles first")
        uri = f"file:{quote(str(Path(path).resolve()))}?mode=ro"
        engine = create_engine(
            url, creator=lambda: sqlite3.connect(uri, uri=True, check_same_thread=False)
        )
    else:
        engine = create_engine(url)

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves, DDL included
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {SQLITE_BUSY_TIMEOUT_MS}")
        cursor.execute("PRAGMA foreign_keys = ON")
        if not readonly:
            cursor.execute("PRAGMA journal_mode = WAL")
            cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn: Connection) -> None:
        conn.exec_driver_sql("BEGIN" if readonly else "BEGIN IMMEDIATE")

    return engine


def _read_only_sessions(engine: Engine) -> None:
    """Every connection of ``engine`` (PostgreSQL) refuses writes: its transactions are
    read-only, whatever the code running on it tries."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        cursor = dbapi_connection.cursor()
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")
        cursor.close()
        dbapi_connection.commit()


class Store:
    """Articles and their analyses. Open with :meth:`open`; use as a context manager."""

    def __init__(self, engine: Engine, *, readonly: bool) -> None:
        self.engine = engine
        self.readonly = readonly

    @classmethod
    def open(cls, db: str, *, readonly: bool = False) -> Store:
        """Open (and, for writing, create and migrate) the store at ``db``."""
        try:
            url = database_url(db)
            if url.get_backend_name() == "sqlite":
                engine = _sqlite_engine(url, readonly=readonly)
            else:
                engine = create_engine(url)
                if readonly:
                    _read_only_sessions(engine)
        except (SQLAlchemyError, ValueError) as exc:
            raise StoreError(f"cannot open store {db}: {exc}") from exc
        store = cls(engine, readonly=readonly)
        try:
            if readonly:
                with engine.connect() as conn:
                    conn.execute(select(func.count()).select_from(articles))
            else:
                store.migrate()
        except SQLAlchemyError as exc:
            engine.dispose()
            reason = getattr(exc, "orig", None) or exc
            raise StoreError(f"cannot open store {db}: {reason}") from exc
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # --- schema -------------------------------------------------------------------------
    def version(self) -> int:
        with self.engine.connect() as conn:
            if not self.engine.dialect.has_table(conn, schema_version.name):
                return 0
            return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)

    def migrate(self) -> int:
        """Apply the migrations the store lacks, each in its own transaction."""
        with self.engine.begin() as conn:
            schema_version.create(conn, checkfirst=True)
        current = self.version()
        for version, _what, apply in MIGRATIONS:
            if version <= current:
                continue
            with self.engine.begin() as conn:
                apply(conn)
                conn.execute(insert(schema_version).values(version=version, applied_at=_now()))
        return self.version()

    # --- writing ------------------------------------------------------------------------
    def has(self, article_id: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(select(articles.c.id).where(articles.c.id == article_id)).first()
                is not None
            )

    def _write_analysis(self, conn: Connection, analysis: Analysis) -> None:
        """The rows of an article's analysis: sentences, entities, quotes and roles."""
        if analysis.sentences:
            conn.execute(
                insert(sentences),
                [
                    {
                        "article_id": s.article_id,
                        "idx": s.index,
                        "start": s.span.start,
                        "end": s.span.end,
                        "role": s.role,
                        "repeats": s.repeats,
                    }
                    for s in analysis.sentences
                ],
            )
        if analysis.entities:
            conn.execute(
                insert(entities),
                [
                    {
                        "article_id": e.article_id,
                        "idx": i,
                        "sentence": e.sentence,
                        "start": e.span.start,
                        "end": e.span.end,
                        "label": e.label,
                    }
                    for i, e in enumerate(analysis.entities)
                ],
            )
        if analysis.quotes:
            conn.execute(
                insert(quotes),
                [
                    {
                        "article_id": q.article_id,
                        "idx": i,
                        "sentence": q.sentence,
                        "start": q.content.start,
                        "end": q.content.end,
                        "direct": q.direct,
                        "speaker": q.speaker,
                        "cue": q.cue,
                        "speaker_start": q.speaker_span.start if q.speaker_span else None,
                        "speaker_end": q.speaker_span.end if q.speaker_span else None,
                        "parts": json.dumps([[p.start, p.end] for p in q.parts])
                        if q.parts
                        else None,
                    }
                    for i, q in enumerate(analysis.quotes)
                ],
            )
        if analysis.roles:
            conn.execute(
                insert(roles),
                [
                    {
                        "article_id": r.article_id,
                        "idx": i,
                        "sentence": r.sentence,
                        "person_start": r.person_span.start,
                        "person_end": r.person_span.end,
                        "start": r.span.start,
                        "end": r.span.end,
                    }
                    for i, r in enumerate(analysis.roles)
                ],
            )

    def replace_analysis(self, analysis: Analysis) -> None:
        """Write a stored article's analysis anew (after a change to the analysis), in one
        transaction: its sentences, entities, quotes and roles are replaced, the rest kept."""
        article_id = analysis.article.id
        try:
            with self.engine.begin() as conn:
                if not conn.execute(
                    select(articles.c.id).where(articles.c.id == article_id)
                ).first():
                    raise StoreError(f"no article {article_id} to analyse again")
                for table in (roles, quotes, entities, sentences):
                    conn.execute(delete(table).where(table.c.article_id == article_id))
                self._write_analysis(conn, analysis)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot write article {article_id}: {exc}") from exc

    def add(self, analysis: Analysis, *, story: StoryPlacement | None = None) -> bool:
        """Write one analysed article in one transaction, with its fingerprints, its place
        in a duplicate group and (``story``) in a story; False when it is already stored."""
        article = analysis.article
        fp = analysis.fingerprint or dedup.fingerprint(article.text)
        try:
            with self.engine.begin() as conn:
                if conn.execute(select(articles.c.id).where(articles.c.id == article.id)).first():
                    return False
                conn.execute(insert(articles).values(_article_row(article)))
                self._write_analysis(conn, analysis)
                self._add_fingerprint(conn, article.id, fp)
                if story is not None:
                    self._place(conn, story)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot write article {article.id} ({article.origin}): {exc}"
            ) from exc
        return True

    # --- duplicates (dedup) ---------------------------------------------------------------
    # Written inside add's transaction: an article, its fingerprints and its group row exist
    # together or not at all. Groups are the connected components of the "duplicates" relation
    # (same text hash, or LSH candidates verified by dedup.matches): every pair is examined
    # when the later of the two arrives, so which articles are grouped does not depend on the
    # order of arrival. What does: the group id (its first member's id; when an arrival joins
    # two groups, the one whose first member came first keeps its id).
    def _add_fingerprint(self, conn: Connection, article_id: str, fp: Fingerprint) -> None:
        conn.execute(
            insert(fingerprints).values(
                article_id=article_id, text_hash=fp.text_hash, minhash=fp.minhash
            )
        )
        keys = dedup.bands(fp)
        if keys:
            conn.execute(
                insert(lsh_buckets),
                [{"band": b, "bucket": k, "article_id": article_id} for b, k in keys],
            )
        # candidates: the same text, or a shared LSH bucket (an empty text has no buckets:
        # its placeholders match none)
        params = {f"bucket_{b}": "" for b in range(dedup.LSH_BANDS)}
        params |= {f"bucket_{b}": k for b, k in keys}
        found = {
            r.article_id: Fingerprint(text_hash=r.text_hash, minhash=r.minhash)
            for r in conn.execute(
                _CANDIDATES, {"article_id": article_id, "text_hash": fp.text_hash, **params}
            )
        }
        found_matches = dedup.matches(fp, found)
        if found_matches:
            self._join_groups(conn, article_id, found_matches)

    def _join_groups(self, conn: Connection, article_id: str, found: Sequence[dedup.Match]) -> None:
        """Put ``article_id`` in one group with the articles it duplicates, merging their
        groups. A member's kind and similarity are those of its closest link in the group."""
        ids = [m.article_id for m in found]
        rows = {
            r.article_id: r
            for r in conn.execute(select(duplicates).where(duplicates.c.article_id.in_(ids)))
        }
        founders = {rows[i].group_id if i in rows else i for i in ids}
        arrived = {
            r.id: r.ingested_at
            for r in conn.execute(
                select(articles.c.id, articles.c.ingested_at).where(articles.c.id.in_(founders))
            )
        }
        group = min(founders, key=lambda f: (arrived.get(f, "~"), f))
        if merged := sorted(founders - {group}):
            conn.execute(
                update(duplicates).where(duplicates.c.group_id.in_(merged)).values(group_id=group)
            )
        for match in found:
            row = rows.get(match.article_id)
            link = (match.kind == "exact", match.similarity)
            if row is None:
                conn.execute(
                    insert(duplicates).values(
                        article_id=match.article_id,
                        group_id=group,
                        kind=match.kind,
                        similarity=match.similarity,
                    )
                )
            elif link > (row.kind == "exact", row.similarity):
                conn.execute(
                    update(duplicates)
                    .where(duplicates.c.article_id == match.article_id)
                    .values(kind=match.kind, similarity=match.similarity)
                )
        best = max(found, key=lambda m: (m.kind == "exact", m.similarity))
        conn.execute(
            insert(duplicates).values(
                article_id=article_id, group_id=group, kind=best.kind, similarity=best.similarity
            )
        )

    def duplicate_groups(self, ids: Sequence[str]) -> dict[str, str]:
        """The duplicate group of each of ``ids`` that has one (group id: its first member's
        article id); articles without a duplicate are left out."""
        return {i: d.group_id for i, d in self.duplicates(ids).items()}

    def duplicates(self, ids: Sequence[str]) -> dict[str, Duplicate]:
        """How each of ``ids`` that is in a duplicate group stands in it, with the group's
        original: its earliest published member (undated members last, ties by id), over the
        whole store."""
        out: dict[str, Duplicate] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                rows = conn.execute(select(duplicates).where(duplicates.c.article_id.in_(chunk)))
                for r in rows:
                    out[r.article_id] = Duplicate(
                        group_id=r.group_id, kind=r.kind, similarity=r.similarity, original=""
                    )
            groups = sorted({d.group_id for d in out.values()})
            originals: dict[str, tuple[bool, str, str]] = {}
            for chunk in _chunks(groups):
                members = conn.execute(
                    select(duplicates.c.group_id, articles.c.id, articles.c.published)
                    .join(articles, articles.c.id == duplicates.c.article_id)
                    .where(duplicates.c.group_id.in_(chunk))
                )
                for group_id, member, published in members:
                    rank = (published is None, published or "", member)
                    if group_id not in originals or rank < originals[group_id]:
                        originals[group_id] = rank
        return {
            i: dataclasses.replace(d, original=originals[d.group_id][2]) for i, d in out.items()
        }

    # --- reading ------------------------------------------------------------------------
    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(articles)).scalar() or 0)

    def list_articles(
        self, *, query: str | None = None, limit: int | None = None
    ) -> list[ArticleRow]:
        """Articles, the most recently published first; ``query``: text in the title or
        outlet."""
        stmt = self._article_rows().order_by(
            articles.c.published.desc(), articles.c.ingested_at.desc(), articles.c.id
        )
        if query:
            like = f"%{_like_escape(query)}%"
            stmt = stmt.where(
                articles.c.title.ilike(like, escape="\\")
                | articles.c.outlet.ilike(like, escape="\\")
            )
        if limit:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            return [_listed(r) for r in conn.execute(stmt)]

    def article_rows(self, ids: Sequence[str]) -> list[ArticleRow]:
        """The listed form of the stored articles among ``ids``, in that order."""
        found: dict[str, ArticleRow] = {}
        with self.engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(ids))):
                stmt = self._article_rows().where(articles.c.id.in_(chunk))
                found |= {r.id: _listed(r) for r in conn.execute(stmt)}
        return [found[i] for i in ids if i in found]

    @staticmethod
    def _article_rows() -> Select[Any]:
        n_sent = (
            select(func.count()).where(sentences.c.article_id == articles.c.id).scalar_subquery()
        )
        n_quote = select(func.count()).where(quotes.c.article_id == articles.c.id).scalar_subquery()
        return select(
            articles.c.id,
            articles.c.title,
            articles.c.outlet,
            articles.c.published,
            articles.c.url,
            articles.c.origin,
            articles.c.ingested_at,
            n_sent.label("n_sent"),
            n_quote.label("n_quote"),
        )

    def resolve(self, prefix: str) -> str:
        """The full id of the one article whose id starts with ``prefix``."""
        with self.engine.connect() as conn:
            ids = (
                conn.execute(
                    select(articles.c.id)
                    .where(articles.c.id.startswith(prefix, autoescape=True))
                    .limit(2)
                )
                .scalars()
                .all()
            )
        if len(ids) != 1:
            raise NotFound(f"expected one article with id {prefix!r}…, found {len(ids)}")
        return str(ids[0])

    def load(self, ids: Sequence[str]) -> list[Analysis]:
        """The stored analyses of ``ids``, in that order."""
        return [self._load_one(i) for i in ids]

    def iter_ids(self) -> Iterator[str]:
        with self.engine.connect() as conn:
            yield from conn.execute(select(articles.c.id).order_by(articles.c.id)).scalars()

    def _load_one(self, article_id: str) -> Analysis:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
            if row is None:
                raise NotFound(f"no article {article_id} in the store")
            article = _article(row._mapping)
            text = article.text
            sents = tuple(
                Sentence(
                    article_id=article_id,
                    index=r.idx,
                    span=Span(start=r.start, end=r.end),
                    text=text[r.start : r.end],
                    role=r.role,
                    repeats=r.repeats,
                )
                for r in conn.execute(
                    select(sentences)
                    .where(sentences.c.article_id == article_id)
                    .order_by(sentences.c.idx)
                )
            )
            ents = tuple(
                Entity(
                    article_id=article_id,
                    sentence=r.sentence,
                    span=Span(start=r.start, end=r.end),
                    text=text[r.start : r.end],
                    label=r.label,
                )
                for r in conn.execute(
                    select(entities)
                    .where(entities.c.article_id == article_id)
                    .order_by(entities.c.idx)
                )
            )
            quos = tuple(
                _quote(article_id, text, r)
                for r in conn.execute(
                    select(quotes).where(quotes.c.article_id == article_id).order_by(quotes.c.idx)
                )
            )
            rols = tuple(
                Role(
                    article_id=article_id,
                    sentence=r.sentence,
                    person=text[r.person_start : r.person_end],
                    person_span=Span(start=r.person_start, end=r.person_end),
                    role=text[r.start : r.end],
                    span=Span(start=r.start, end=r.end),
                )
                for r in conn.execute(
                    select(roles).where(roles.c.article_id == article_id).order_by(roles.c.idx)
                )
            )
        return Analysis(article=article, sentences=sents, entities=ents, quotes=quos, roles=rols)

    # --- stories -------------------------------------------------------------------------
    # Written in add's transaction (or, for an article stored before it had a story, in
    # place's own): the membership, the story's new state and any merge exist together or not
    # at all. The in-memory StoryIndex is updated by the caller once the write has committed.
    def place(self, placement: StoryPlacement) -> None:
        """Put an already stored article in its story, in one transaction."""
        try:
            with self.engine.begin() as conn:
                self._place(conn, placement)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot place article {placement.features.article_id} in a story: {exc}"
            ) from exc

    def _place(self, conn: Connection, p: StoryPlacement) -> None:
        f, a, state, now = p.features, p.assignment, p.state, _now()
        values = {
            "total": state.total.astype("<f4").tobytes(),
            "size": state.size,
            "actors": json.dumps(dict(sorted(state.actors.items())), ensure_ascii=False),
            "first_day": state.first_day,
            "last_day": state.last_day,
            "updated_at": now,
        }
        if a.founded:
            conn.execute(
                insert(stories).values(
                    id=a.story_id, seq=state.seq, model=p.model, created_at=now, **values
                )
            )
        else:
            conn.execute(update(stories).where(stories.c.id == a.story_id).values(values))
        conn.execute(
            insert(story_members).values(
                article_id=f.article_id,
                story_id=a.story_id,
                score=a.score,
                vector=f.vector.astype("<f4").tobytes(),
                actors=json.dumps(list(f.actors), ensure_ascii=False),
                names=json.dumps(dict(zip(f.actors, f.names, strict=False)), ensure_ascii=False),
                day=f.day,
                joined_at=now,
            )
        )
        if a.merged:
            old = list(a.merged)
            conn.execute(
                update(story_members)
                .where(story_members.c.story_id.in_(old))
                .values(story_id=a.story_id)
            )
            # earlier merges into the merged stories now point at the survivor: one hop
            conn.execute(
                update(story_merges).where(story_merges.c.new_id.in_(old)).values(new_id=a.story_id)
            )
            conn.execute(
                insert(story_merges),
                [
                    {
                        "old_id": o,
                        "new_id": a.story_id,
                        "article_id": f.article_id,
                        "score": a.score,
                        "merged_at": now,
                    }
                    for o in old
                ],
            )
            conn.execute(stories.delete().where(stories.c.id.in_(old)))
        newest = (
            select(func.max(_seen_day))
            .select_from(story_members.join(articles, articles.c.id == story_members.c.article_id))
            .where(story_members.c.story_id == a.story_id)
            .scalar_subquery()
        )
        conn.execute(update(stories).where(stories.c.id == a.story_id).values(last_seen=newest))

    def story_index(self, model: str, *, window_days: int | None = None) -> StoryIndex:
        """The stories made with encoder ``model``, loaded for assignment; with
        ``window_days``, only those active that many days before the newest (and undated
        ones)."""
        stmt = select(stories).where(stories.c.model == model).order_by(stories.c.seq)
        with self.engine.connect() as conn:
            seq = conn.execute(select(func.max(stories.c.seq))).scalar()
            newest = conn.execute(select(func.max(stories.c.last_day))).scalar()
            if window_days is not None and newest is not None:
                since = newest - window_days
                stmt = stmt.where(or_(stories.c.last_day >= since, stories.c.last_day.is_(None)))
            index = StoryIndex(
                StoryState(
                    id=r.id,
                    seq=r.seq,
                    total=np.frombuffer(r.total, dtype="<f4").astype(np.float32),
                    size=r.size,
                    actors=Counter(json.loads(r.actors)),
                    first_day=r.first_day,
                    last_day=r.last_day,
                )
                for r in conn.execute(stmt)
            )
        index.next_seq = max(index.next_seq, (seq or -1) + 1)
        return index

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

    # --- brief versions --------------------------------------------------------------------
    # A story's briefs as they were built, numbered from 1, each as the JSON of render.to_dict
    # (docs/brief-json.md) with the sha256 of that JSON: a brief equal to the newest version
    # adds none. created_at never goes back within a story, so "the newest at or before a
    # time" is also the highest version at or before it.
    def save_brief(
        self, story_id: str, article_ids: Sequence[str], brief: Brief
    ) -> tuple[BriefVersion, bool]:
        """Keep ``brief`` (built from ``article_ids``) as the story's newest version unless it
        is the newest already; that newest version, and whether it was added now."""
        body = json.dumps(to_dict(brief), ensure_ascii=False, sort_keys=True)
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        for attempt in range(1, SAVE_BRIEF_ATTEMPTS + 1):
            try:
                with self.engine.begin() as conn:
                    newest = conn.execute(
                        select(brief_versions)
                        .where(brief_versions.c.story_id == story_id)
                        .order_by(brief_versions.c.version.desc())
                        .limit(1)
                    ).first()
                    if newest is not None and newest.digest == digest:
                        return _brief_version(newest), False
                    row = {
                        "story_id": story_id,
                        "version": newest.version + 1 if newest else 1,
                        "created_at": max(_stamp(), newest.created_at if newest else ""),
                        "article_ids": json.dumps(list(article_ids)),
                        "digest": digest,
                        "brief": body,
                    }
                    conn.execute(insert(brief_versions).values(row))
                return _brief_version(row), True
            except IntegrityError as exc:
                # another writer numbered the same version first (PostgreSQL; SQLite's
                # BEGIN IMMEDIATE serialises writers): read its newest and try again
                if attempt == SAVE_BRIEF_ATTEMPTS:
                    raise StoreError(f"cannot save a brief of story {story_id}: {exc}") from exc
            except SQLAlchemyError as exc:
                raise StoreError(f"cannot save a brief of story {story_id}: {exc}") from exc
        raise AssertionError("unreachable: the last attempt returns or raises")

    def brief_version(
        self, story_id: str, *, at: datetime | None = None, version: int | None = None
    ) -> BriefVersion | None:
        """The story's newest brief version; with ``at`` (timezone-aware), the newest created
        at or before that moment; with ``version``, that version. None when there is none."""
        if at is not None and at.tzinfo is None:
            raise ValueError(f"brief_version expects an aware datetime, found {at.isoformat()}")
        query = select(brief_versions).where(brief_versions.c.story_id == story_id)
        if at is not None:
            query = query.where(brief_versions.c.created_at <= _iso_utc(at))
        if version is not None:
            query = query.where(brief_versions.c.version == version)
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(brief_versions.c.version.desc()).limit(1)).first()
        return _brief_version(row) if row is not None else None

    def brief_versions(self, story_id: str) -> list[BriefVersion]:
        """Every kept brief of the story, oldest first."""
        query = (
            select(brief_versions)
            .where(brief_versions.c.story_id == story_id)
            .order_by(brief_versions.c.version)
        )
        with self.engine.connect() as conn:
            return [_brief_version(row) for row in conn.execute(query)]

    def followed(self, story_ids: Sequence[str]) -> set[str]:
        """Those of ``story_ids`` that have a kept brief (someone briefed them)."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(list(dict.fromkeys(story_ids))):
                found.update(
                    conn.execute(
                        select(brief_versions.c.story_id)
                        .where(brief_versions.c.story_id.in_(chunk))
                        .distinct()
                    ).scalars()
                )
        return found

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
            stmt = stmt.where(member(_seen_day <= f.until[:10]))
        if f.query:
            like = f"%{_like_escape(f.query)}%"
            stmt = stmt.where(
                member(
                    articles.c.title.ilike(like, escape="\\")
                    | articles.c.outlet.ilike(like, escape="\\")
                )
            )
        if f.outlet:
            stmt = stmt.where(member(func.lower(articles.c.outlet) == f.outlet.casefold()))
        if f.actor:
            named = story_members.c.names.ilike(f"%{_like_escape(f.actor)}%", escape="\\")
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
            for chunk in _chunks(story_ids):
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

    # --- feeds (watch) --------------------------------------------------------------------
    def feed_state(self, url: str) -> FeedState | None:
        """What the last poll of the feed at ``url`` left: validators for a conditional GET."""
        with self.engine.connect() as conn:
            row = conn.execute(select(feeds).where(feeds.c.url == url)).first()
        if row is None:
            return None
        return FeedState(
            url=row.url,
            etag=row.etag,
            last_modified=row.last_modified,
            polled_at=row.polled_at,
            status=row.status,
        )

    def save_feed(
        self, url: str, *, etag: str | None, last_modified: str | None, status: str
    ) -> None:
        """Record a poll of the feed at ``url`` (created on its first poll)."""
        values = {
            "etag": etag,
            "last_modified": last_modified,
            "status": status,
            "polled_at": _now(),
        }
        try:
            with self.engine.begin() as conn:
                if conn.execute(select(feeds.c.url).where(feeds.c.url == url)).first():
                    conn.execute(update(feeds).where(feeds.c.url == url).values(values))
                else:
                    conn.execute(insert(feeds).values(url=url, **values))
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record the poll of feed {url}: {exc}") from exc

    def seen_entries(self, url: str, keys: Sequence[str]) -> set[str]:
        """Those of ``keys`` that the feed at ``url`` has already delivered."""
        seen: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in _chunks(list(keys)):
                seen.update(
                    conn.execute(
                        select(feed_entries.c.entry_key).where(
                            feed_entries.c.feed_url == url, feed_entries.c.entry_key.in_(chunk)
                        )
                    ).scalars()
                )
        return seen

    def add_feed_entry(self, url: str, key: str, *, article_id: str | None) -> None:
        """Remember that the feed at ``url`` delivered entry ``key`` (and the article it became,
        if any); the feed is recorded first when it is new."""
        try:
            with self.engine.begin() as conn:
                if not conn.execute(select(feeds.c.url).where(feeds.c.url == url)).first():
                    conn.execute(insert(feeds).values(url=url))
                known = feed_entries.c.feed_url == url, feed_entries.c.entry_key == key
                if conn.execute(select(feed_entries.c.entry_key).where(*known)).first():
                    return
                conn.execute(
                    insert(feed_entries).values(
                        feed_url=url, entry_key=key, seen_at=_now(), article_id=article_id
                    )
                )
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record entry {key} of feed {url}: {exc}") from exc


MAIN_ACTORS = 4  # actors listed per story: the ones most of its articles mention


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryPlacement:
    """An assignment to write: the article's features, the decision, the story's new state
    and the encoder that made the vector."""

    features: Features
    assignment: Assignment
    state: StoryState
    model: str


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


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedState:
    """A watched feed as its last poll left it."""

    url: str
    etag: str | None
    last_modified: str | None
    polled_at: str | None
    status: str | None


# The stored articles that may duplicate a new one: the same text hash, or a shared (band,
# bucket). Built once, with placeholders: building the 32-way OR per article cost more than the
# query. An OR of (band, bucket) pairs, not a row-value IN: SQLite searches the primary key for
# each pair, where it scans the whole table for the IN.
_CANDIDATES = select(fingerprints).where(
    or_(
        fingerprints.c.text_hash == bindparam("text_hash"),
        fingerprints.c.article_id.in_(
            select(lsh_buckets.c.article_id).where(
                or_(
                    *(
                        and_(
                            lsh_buckets.c.band == b,
                            lsh_buckets.c.bucket == bindparam(f"bucket_{b}"),
                        )
                        for b in range(dedup.LSH_BANDS)
                    )
                )
            )
        ),
    ),
    fingerprints.c.article_id != bindparam("article_id"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Duplicate:
    """An article's place in its duplicate group."""

    group_id: str
    kind: str  # exact | near: its closest link to another member
    similarity: float
    original: str  # the group's earliest published member


# The day an article was seen: published, or ingested when it has no date (YYYY-MM-DD).
_seen_day = func.substr(func.coalesce(articles.c.published, articles.c.ingested_at), 1, 10)


def _like_escape(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern (escape character backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _listed(r: Any) -> ArticleRow:
    return ArticleRow(
        id=r.id,
        title=r.title,
        outlet=r.outlet,
        published=r.published,
        url=r.url,
        origin=r.origin,
        ingested_at=r.ingested_at,
        sentences=r.n_sent,
        quotes=r.n_quote,
    )


def _chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """Slices of ``items`` small enough for one IN (...) list."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


# How often save_brief tries when another writer takes the version number it chose.
SAVE_BRIEF_ATTEMPTS = 3


def _iso_utc(moment: datetime) -> str:
    """An aware datetime in the one form brief_versions.created_at holds: UTC, microseconds,
    "+00:00"; of fixed width, so that comparing the strings compares the times."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _stamp() -> str:
    return _iso_utc(datetime.now(UTC))


def _brief_version(row: Any) -> BriefVersion:
    values = row if isinstance(row, dict) else row._mapping
    return BriefVersion(
        story_id=values["story_id"],
        version=values["version"],
        created_at=values["created_at"],
        article_ids=tuple(json.loads(values["article_ids"])),
        brief=from_dict(json.loads(values["brief"])),
    )


def _article_row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "text": article.text,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published,
        "authors": json.dumps(article.authors),
        "language": article.language,
        "origin": article.origin,
        "blocks": json.dumps(
            [[b.span.start, b.span.end, b.kind, b.in_summary] for b in article.blocks]
        ),
        "removed": json.dumps([[r.text, r.reason] for r in article.removed], ensure_ascii=False),
        "ingested_at": _now(),
    }


def _article(row: Any) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        outlet=row["outlet"],
        url=row["url"],
        published=row["published"],
        authors=tuple(json.loads(row["authors"])),
        language=row["language"],
        origin=row["origin"],
        blocks=tuple(
            Block(span=Span(start=s, end=e), kind=k, in_summary=bool(m))
            for s, e, k, m in json.loads(row["blocks"])
        ),
        removed=tuple(Removal(text=t, reason=r) for t, r in json.loads(row["removed"])),
    )


__all__ = [
    "ArticleRow",
    "Duplicate",
    "FeedState",
    "Store",
    "StoryPlacement",
    "StoryRow",
    "database_url",
    "metadata",
]


def _quote(article_id: str, text: str, row: Any) -> Quote:
    parts = tuple(Span(start=a, end=b) for a, b in json.loads(row.parts)) if row.parts else ()
    content = Span(start=row.start, end=row.end)
    return Quote(
        article_id=article_id,
        sentence=row.sentence,
        content=content,
        text=statement_text(text, parts or (content,)),
        direct=bool(row.direct),
        speaker=row.speaker,
        speaker_span=Span(start=row.speaker_start, end=row.speaker_end)
        if row.speaker_start is not None
        else None,
        cue=row.cue,
        parts=parts,
    )
