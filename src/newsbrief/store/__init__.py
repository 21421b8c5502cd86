"""The store: one SQLite file by default (WAL, one writer with BEGIN IMMEDIATE), written on
SQLAlchemy Core so that PostgreSQL can take its place. One transaction per article: a failure
leaves nothing of that article behind, and the content-hash id makes re-ingesting a no-op."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from sqlalchemy import URL, Connection, Engine, create_engine, event, func, insert, make_url, select
from sqlalchemy.exc import SQLAlchemyError

from newsbrief.errors import NotFound, StoreError
from newsbrief.records import (
    Analysis,
    Article,
    Block,
    Entity,
    Quote,
    Removal,
    Sentence,
    Span,
)
from newsbrief.store.schema import (
    MIGRATIONS,
    articles,
    entities,
    metadata,
    quotes,
    schema_version,
    sentences,
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

    def add(self, analysis: Analysis) -> bool:
        """Write one analysed article in one transaction; False when it is already stored."""
        article = analysis.article
        try:
            with self.engine.begin() as conn:
                if conn.execute(select(articles.c.id).where(articles.c.id == article.id)).first():
                    return False
                conn.execute(insert(articles).values(_article_row(article)))
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
                            }
                            for i, q in enumerate(analysis.quotes)
                        ],
                    )
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot write article {article.id} ({article.origin}): {exc}"
            ) from exc
        return True

    # --- reading ------------------------------------------------------------------------
    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(articles)).scalar() or 0)

    def list_articles(
        self, *, query: str | None = None, limit: int | None = None
    ) -> list[ArticleRow]:
        n_sent = (
            select(func.count()).where(sentences.c.article_id == articles.c.id).scalar_subquery()
        )
        n_quote = select(func.count()).where(quotes.c.article_id == articles.c.id).scalar_subquery()
        stmt = select(
            articles.c.id,
            articles.c.title,
            articles.c.outlet,
            articles.c.published,
            articles.c.url,
            articles.c.origin,
            articles.c.ingested_at,
            n_sent.label("n_sent"),
            n_quote.label("n_quote"),
        ).order_by(articles.c.published.desc(), articles.c.ingested_at.desc(), articles.c.id)
        if query:
            like = f"%{query}%"
            stmt = stmt.where(articles.c.title.ilike(like) | articles.c.outlet.ilike(like))
        if limit:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            return [
                ArticleRow(
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
                for r in conn.execute(stmt)
            ]

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
                Quote(
                    article_id=article_id,
                    sentence=r.sentence,
                    content=Span(start=r.start, end=r.end),
                    text=text[r.start : r.end],
                    direct=bool(r.direct),
                    speaker=r.speaker,
                    speaker_span=Span(start=r.speaker_start, end=r.speaker_end)
                    if r.speaker_start is not None
                    else None,
                    cue=r.cue,
                )
                for r in conn.execute(
                    select(quotes).where(quotes.c.article_id == article_id).order_by(quotes.c.idx)
                )
            )
        return Analysis(article=article, sentences=sents, entities=ents, quotes=quos)


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


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


__all__ = ["ArticleRow", "Store", "database_url", "metadata"]
