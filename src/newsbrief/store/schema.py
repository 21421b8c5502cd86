"""Tables and migrations. Each migration runs in its own transaction and records its version
in ``schema_version``; a store is migrated when it is opened for writing."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Connection,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    text,
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


def _quote_columns() -> list[Column[object]]:
    return [
        Column(
            "article_id",
            String(32),
            ForeignKey("articles.id", ondelete="CASCADE"),
            primary_key=True,
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
    ]


# The quotes table as migration 1 made it (frozen: migration 4 adds ``parts``), beside the key
# of the articles table it refers to.
_v1 = MetaData()
Table("articles", _v1, Column("id", String(32), primary_key=True))
_quotes_v1 = Table("quotes", _v1, *_quote_columns())
quotes = Table(
    "quotes",
    metadata,
    *_quote_columns(),
    Column("parts", Text),  # JSON list of [start, end] when the statement is split (migration 4)
)


# --- duplicates (migration 2) ---------------------------------------------------------------
# An article's fingerprints: the hash of its clean text alone (same text under another
# headline is an exact duplicate) and its MinHash signature (near duplicates).
fingerprints = Table(
    "fingerprints",
    metadata,
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("text_hash", String(32), nullable=False, index=True),
    Column("minhash", LargeBinary, nullable=False),
)
# LSH buckets of the MinHash signatures: articles sharing a (band, bucket) are candidates.
lsh_buckets = Table(
    "lsh_buckets",
    metadata,
    Column("band", Integer, primary_key=True),
    Column("bucket", String(32), primary_key=True),
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
)
Index("lsh_buckets_article", lsh_buckets.c.article_id)
# Duplicate groups: every member of a group names the group (the id of its first member);
# the earliest published member is the original.
duplicates = Table(
    "duplicates",
    metadata,
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("group_id", String(32), nullable=False, index=True),
    Column("kind", String(8), nullable=False),  # exact | near
    Column("similarity", Float, nullable=False),
)

# --- feeds (migration 2) --------------------------------------------------------------------
feeds = Table(
    "feeds",
    metadata,
    Column("url", Text, primary_key=True),
    Column("etag", Text),
    Column("last_modified", Text),
    Column("polled_at", String(40)),
    Column("status", Text),
)


def _feed_entry_columns() -> list[Column[object]]:
    return [
        Column("feed_url", Text, ForeignKey("feeds.url", ondelete="CASCADE"), primary_key=True),
        Column("entry_key", Text, primary_key=True),  # the entry's id, else its link
        Column("seen_at", String(40), nullable=False),  # when it was last tried
        Column("article_id", String(32)),  # what it became, when it became one
    ]


# The feed_entries table as migration 2 made it (frozen: migration 9 adds its retry state),
# beside the key of the feeds table it refers to.
_v2 = MetaData()
Table("feeds", _v2, Column("url", Text, primary_key=True))
_feed_entries_v2 = Table("feed_entries", _v2, *_feed_entry_columns())
feed_entries = Table(
    "feed_entries",
    metadata,
    *_feed_entry_columns(),
    # how many times it was tried, whether it is settled (an article, or an error not worth
    # another try) and the last error (migration 9)
    Column("attempts", Integer, nullable=False, server_default=text("1")),
    Column("done", Boolean, nullable=False, server_default=text("TRUE")),
    Column("error", Text),
)


# --- stories (migration 3) ------------------------------------------------------------------
# A story (see cluster.py): its id is its first article's id; the sum of its members' vectors
# (float32 bytes) and how many members mention each actor (JSON) are what assignment scores
# against; first/last day are proleptic ordinals of its members' publication days.
def _story_columns() -> list[Column[object]]:
    return [
        Column("id", String(32), primary_key=True),
        Column("seq", Integer, nullable=False, unique=True),  # creation order: the older survives
        Column("model", Text, nullable=False),  # the encoder that made the vectors
        Column("total", LargeBinary, nullable=False),
        Column("size", Integer, nullable=False),
        Column("actors", Text, nullable=False),
        Column("first_day", Integer),
        Column("last_day", Integer),
        Column("created_at", String(40), nullable=False),
        Column("updated_at", String(40), nullable=False),
    ]


# The stories table as migration 3 made it (frozen: migration 6 adds ``last_seen``).
_v3 = MetaData()
_stories_v3 = Table("stories", _v3, *_story_columns())
Index("stories_last_day", _stories_v3.c.last_day)
stories = Table(
    "stories",
    metadata,
    *_story_columns(),
    # the newest day a member was seen (published, or ingested when undated), YYYY-MM-DD: the
    # order of the story list, kept with each placement (migration 6)
    Column("last_seen", String(10)),
    # the story counter's value when it was last written (migration 8, see counters)
    Column("changed", BigInteger, nullable=False, server_default=text("0")),
)
Index("stories_last_day", stories.c.last_day)
stories_last_seen = Index("stories_last_seen", stories.c.last_seen, stories.c.size)
# Every clustered article, its story, the score it joined with, and its features (vector and
# actors), so that a story can be rebuilt from its members.
story_members = Table(
    "story_members",
    metadata,
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("story_id", String(32), ForeignKey("stories.id"), nullable=False, index=True),
    Column("score", Float, nullable=False),
    Column("vector", LargeBinary, nullable=False),
    Column("actors", Text, nullable=False),  # JSON list
    Column("names", Text, nullable=False),  # JSON object: actor key → how the article names it
    Column("day", Integer),
    Column("joined_at", String(40), nullable=False),
)


# A merge: ``old_id`` was merged into ``new_id`` when ``article_id`` matched both; the old id
# resolves by following these rows.
def _merge_columns() -> list[Column[object]]:
    return [
        Column("old_id", String(32), primary_key=True),
        Column("new_id", String(32), nullable=False, index=True),
        Column("article_id", String(32), nullable=False),
        Column("score", Float, nullable=False),
        Column("merged_at", String(40), nullable=False),
    ]


# The story_merges table as migration 3 made it (frozen: migration 8 adds ``changed``).
_story_merges_v3 = Table("story_merges", _v3, *_merge_columns())
story_merges = Table(
    "story_merges",
    metadata,
    *_merge_columns(),
    Column("changed", BigInteger, nullable=False, server_default=text("0")),  # migration 8
)
# Counters that writers raise in their transactions (migration 8). "stories" goes up by one
# with every story placement, which stamps the stories and merges it writes with the new value:
# a writer that last saw value N reads what changed after N (store.stories.StoryLedger).
counters = Table(
    "counters",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("value", BigInteger, nullable=False),
)


# --- roles (migration 4) --------------------------------------------------------------------
# A title or role a sentence gives a person (analyse/roles.py).
roles = Table(
    "roles",
    metadata,
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("idx", Integer, primary_key=True),
    Column("sentence", Integer, nullable=False),
    Column("person_start", Integer, nullable=False),
    Column("person_end", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
)


# --- events (migration 10) ------------------------------------------------------------------
# What a sentence says happened (analyse/events.py): its main verb and, as JSON, its arguments
# [[role, start, end, value], …] (spans in the article's text).
events = Table(
    "events",
    metadata,
    Column(
        "article_id", String(32), ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    ),
    Column("idx", Integer, primary_key=True),
    Column("sentence", Integer, nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("action", Text, nullable=False),
    Column("negated", Boolean, nullable=False),
    Column("arguments", Text, nullable=False),
)


# --- brief versions (migration 5) -----------------------------------------------------------
# Each brief a story has had, as the JSON of docs/brief-json.md; a new version only when the
# brief changed (``digest``: sha256 of that JSON).
brief_versions = Table(
    "brief_versions",
    metadata,
    Column("story_id", String(32), primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("created_at", String(40), nullable=False),
    Column("article_ids", Text, nullable=False),  # JSON list
    Column("digest", String(64), nullable=False),
    Column("brief", Text, nullable=False),
)


def _initial(conn: Connection) -> None:
    for table in (articles, sentences, entities, _quotes_v1):
        table.create(conn)


def _duplicates_and_feeds(conn: Connection) -> None:
    for table in (fingerprints, lsh_buckets, duplicates, feeds, _feed_entries_v2):
        table.create(conn)


def _stories(conn: Connection) -> None:
    for table in (_stories_v3, story_members, _story_merges_v3):
        table.create(conn)


def _parts_and_roles(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE quotes ADD COLUMN parts TEXT"))
    roles.create(conn)


def _last_seen(conn: Connection) -> None:
    conn.execute(text("ALTER TABLE stories ADD COLUMN last_seen VARCHAR(10)"))
    conn.execute(
        text(
            "UPDATE stories SET last_seen = (SELECT max(substr(coalesce(a.published,"
            " a.ingested_at), 1, 10)) FROM story_members m JOIN articles a ON a.id = m.article_id"
            " WHERE m.story_id = stories.id)"
        )
    )
    stories_last_seen.create(conn)


def _listing(conn: Connection) -> None:
    """Covering indexes for the story list's filters (Store.list_stories): what it reads of
    articles and memberships, scanned without the articles' text or the members' vectors.
    Plain SQL, not Index objects: migrations 1 and 3 create those tables from their current
    definitions, which must not gain these."""
    columns = "id, published, ingested_at, outlet, title"
    conn.execute(text(f"CREATE INDEX articles_listing ON articles ({columns})"))
    conn.execute(text("CREATE INDEX story_members_names ON story_members (names, story_id)"))


def _story_changes(conn: Connection) -> None:
    for table in ("stories", "story_merges"):
        conn.execute(text(f"ALTER TABLE {table} ADD COLUMN changed BIGINT NOT NULL DEFAULT 0"))
        conn.execute(text(f"CREATE INDEX {table}_changed ON {table} (changed)"))
    counters.create(conn)
    conn.execute(counters.insert().values(name="stories", value=0))


def _feed_retries(conn: Connection) -> None:
    for column in (
        "attempts INTEGER NOT NULL DEFAULT 1",
        "done BOOLEAN NOT NULL DEFAULT TRUE",
        "error TEXT",
    ):
        conn.execute(text(f"ALTER TABLE feed_entries ADD COLUMN {column}"))


# (version, what it does, how). Append only: a released migration never changes. The tables of
# migration 1 are created from their current definitions: the first change to one of them must
# freeze its original shape in migration 1 and alter it in a migration of its own.
MIGRATIONS: list[tuple[int, str, Callable[[Connection], None]]] = [
    (1, "articles, sentences, entities, quotes", _initial),
    (2, "fingerprints, lsh_buckets, duplicates, feeds, feed_entries", _duplicates_and_feeds),
    (3, "stories, story_members, story_merges", _stories),
    (4, "quotes.parts (split statements), roles", _parts_and_roles),
    (5, "brief_versions", brief_versions.create),
    (6, "stories.last_seen: the story list ordered and paged in SQL", _last_seen),
    (7, "articles_listing, story_members_names: the story list's filters", _listing),
    (8, "counters, stories.changed, story_merges.changed: placements seen", _story_changes),
    (9, "feed_entries.attempts, done, error: failed entries tried again", _feed_retries),
    (
        10,
        "events (what each sentence says happened; `newsbrief reanalyse` fills them)",
        events.create,
    ),
]
