"""What every part of the store shares: opening a database (SQLite by default, PostgreSQL by
URL), migrations, and the one way to write: :meth:`StoreBase.writing`, a transaction that holds
the store's writer lock, so that writers sharing a store take turns and each sees what the
others committed before it."""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Self
from urllib.parse import quote

from sqlalchemy import URL, Connection, Engine, create_engine, event, func, insert, make_url, select
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from newsbrief.errors import NotFound, StoreError, excerpt
from newsbrief.records import ID_LENGTH
from newsbrief.store.schema import MIGRATIONS, articles, schema_version

# How long a writer waits for another to finish its transaction before giving up (SQLite's
# busy timeout; PostgreSQL waits on its lock without limit). Transactions are one article, one
# brief or one feed entry long (milliseconds), so a wait this long means a stuck writer.
SQLITE_BUSY_TIMEOUT_MS = 30_000
# The PostgreSQL advisory lock every writing transaction takes first (any constant; "nb" in
# ASCII): one writer at a time, as SQLite's BEGIN IMMEDIATE gives, so that dedup and story
# placement see every article committed before theirs.
PG_WRITER_LOCK = 0x6E62
# The execution option that marks a connection as the writer's (StoreBase.writing).
WRITER = "newsbrief_writer"


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
        # IMMEDIATE: a writer takes the write lock when it begins, not at its first write, so
        # that what it reads inside the transaction is what it writes over; a reader takes no
        # lock (WAL), so that reading never waits for a writer, even in the writer's process
        writer = not readonly and conn.get_execution_options().get(WRITER, False)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if writer else "BEGIN")

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


class StoreBase:
    """An open store: its engine, whether it is read-only, its schema and its writing
    transactions. The parts of :class:`~newsbrief.store.Store` build on this."""

    def __init__(self, engine: Engine, *, readonly: bool) -> None:
        self.engine = engine
        self.readonly = readonly

    @classmethod
    def open(cls, db: str, *, readonly: bool = False) -> Self:
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
            raise StoreError(f"cannot open store {db}: {_reason(exc)}") from exc
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """A writing transaction holding the writer lock (SQLite: BEGIN IMMEDIATE, waiting up
        to SQLITE_BUSY_TIMEOUT_MS for another writer; PostgreSQL: an advisory lock), committed
        when the block ends, rolled back when it raises. A lock not obtained in time is a
        StoreError saying so."""
        try:
            with self.engine.connect() as conn, conn.execution_options(**{WRITER: True}).begin():
                if self.engine.dialect.name == "postgresql":
                    conn.execute(select(func.pg_advisory_xact_lock(PG_WRITER_LOCK)))
                yield conn
        except OperationalError as exc:
            if "locked" in str(exc.orig):
                raise StoreError(
                    f"the store is locked: another writer held it for more than "
                    f"{SQLITE_BUSY_TIMEOUT_MS // 1000} s"
                ) from exc
            raise

    # --- schema -------------------------------------------------------------------------
    def version(self) -> int:
        with self.engine.connect() as conn:
            return _version(conn)

    def migrate(self) -> int:
        """Apply the migrations the store lacks, each in its own writing transaction; the
        version is read again inside it, so that two writers opening a new store at once
        apply each migration once."""
        if (current := self.version()) >= MIGRATIONS[-1][0]:  # the usual case: no lock taken
            return current
        with self.writing() as conn:
            schema_version.create(conn, checkfirst=True)
        for version, _what, apply in MIGRATIONS:
            with self.writing() as conn:
                if version <= _version(conn):
                    continue
                apply(conn)
                conn.execute(insert(schema_version).values(version=version, applied_at=now()))
        return self.version()


def _version(conn: Connection) -> int:
    if not conn.dialect.has_table(conn, schema_version.name):
        return 0
    return int(conn.execute(select(func.max(schema_version.c.version))).scalar() or 0)


def _reason(exc: SQLAlchemyError) -> object:
    return getattr(exc, "orig", None) or exc


def chunks(items: Sequence[str], size: int = 500) -> Iterator[Sequence[str]]:
    """Slices of ``items`` small enough for one IN (...) list."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


# Article and story ids are content hashes in hex (records.content_id; a story's is its first
# article's); a prefix names one. What cannot begin an id is refused before any query: a LIKE
# pattern of 50,000 characters is too complex for SQLite.
_ID_PREFIX = re.compile(f"[0-9a-fA-F]{{1,{ID_LENGTH}}}")


def id_prefix(given: str, kind: str) -> str:
    """``given`` in lower case (as ids are) when it can begin an id of ``kind`` ("story");
    else NotFound at once, without a query."""
    if not _ID_PREFIX.fullmatch(given):
        raise NotFound(
            f"expected a {kind} id or id prefix (at most {ID_LENGTH} hex digits), "
            f"found {excerpt(given, 2 * ID_LENGTH)!r}"
        )
    return given.lower()


def like_escape(text: str) -> str:
    """``text`` matched literally inside a LIKE pattern (escape character backslash)."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")
