"""Tables and migrations. Each migration runs in its own transaction and records its version
in ``schema_version``; a store is migrated when it is opened for writing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    Boolean,
    Column,
    Connection,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

metadata = MetaData()

schema_version = Table(
    "schema_version",
    metadata,
    Column("version", Integer, primary_key=True),
    Column("applied_at", String(40), nullable=False),
)

articles = Table(
    "articles",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("outlet", Text),
    Column("url", Text),
    Column("published", String(40)),
    Column("authors", Text, nullable=False),  # JSON list
    Column("language", String(16)),
    Column("origin", Text, nullable=False),
    Column("blocks", Text, nullable=False),  # JSON list of [start, end, kind, in_summary]
    Column("removed", Text, nullable=False),  # JSON list of [text, reason]
    Column("ingested_at", String(40), nullable=False),
)
Index("articles_published", articles.c.published)

sentences = Table(
    "sentences",
    metadata,
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("idx", Integer, primary_key=True),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("role", String(16), nullable=False),
    Column("repeats", Integer),
)

entities = Table(
    "entities",
    metadata,
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("idx", Integer, primary_key=True),
    Column("sentence", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("label", String(16), nullable=False),
)
Index("entities_label", entities.c.label)

quotes = Table(
    "quotes",
    metadata,
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("idx", Integer, primary_key=True),
    Column("sentence", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("direct", Boolean, nullable=False),
    Column("speaker", Text),
    Column("speaker_start", Integer),
    Column("speaker_end", Integer),
    Column("cue", Text),
)


def _initial(conn: Connection) -> None:
    for table in (articles, sentences, entities, quotes):
        table.create(conn)


# (version, what it does, how). Append only: a released migration never changes.
MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "articles, sentences, entities, quotes", _initial),
]
