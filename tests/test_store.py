"""The store: migrations, one transaction per article, round trips of hand-built analyses
(no spaCy needed)."""

from __future__ import annotations

import sqlite3
from contextlib import closing
from dataclasses import replace
from pathlib import Path
from typing import Any
from unittest.mock import patch

import pytest
from sqlalchemy.exc import OperationalError

import newsbrief.store.articles as store_module
from newsbrief.errors import NotFound, StoreError
from newsbrief.records import (
    Analysis,
    Argument,
    Article,
    Block,
    Entity,
    Event,
    Quote,
    Removal,
    Role,
    Sentence,
    Span,
    content_id,
    statement_text,
)
from newsbrief.settings import Settings
from newsbrief.store import Store, schema
from newsbrief.store.schema import MIGRATIONS

TITLE = "Council Passes Budget"
TEXT = (
    "The city council approved the budget on Monday, Mayor Ann Lee said.\n\n"
    "“It is a relief for our schools,” the mayor said, “and a fair deal.”"
)


def _span(text: str, part: str) -> Span:
    at = text.index(part)
    return Span(start=at, end=at + len(part))


def _analysis(title: str = TITLE, text: str = TEXT) -> Analysis:
    """An analysed article built by hand: two sentences, three entities, one quote split by
    its cue and one role."""
    article_id = content_id(title, text)
    spans = [_span(text, line) for line in text.split("\n\n")]
    article = Article(
        id=article_id,
        title=title,
        text=text,
        outlet="Daily Planet",
        url="https://example.org/budget",
        published="2025-10-17",
        authors=("Lois Lane", "Clark Kent"),
        language="en",
        origin="budget.txt",
        blocks=tuple(Block(span=s, kind="paragraph") for s in spans),
        removed=(Removal(text="Advertisement", reason="boilerplate"),),
    )
    sentences = tuple(
        Sentence(article_id=article_id, index=i, span=s, text=s.of(text), role=role)
        for i, (s, role) in enumerate(zip(spans, ("lead", "body"), strict=True))
    )
    entities = tuple(
        Entity(article_id=article_id, sentence=n, span=_span(text, part), text=part, label=label)
        for n, part, label in [
            (0, "city council", "ORG"),
            (0, "Monday", "DATE"),
            (1, "mayor", "PERSON"),
        ]
    )
    pieces = (_span(text, "It is a relief for our schools"), _span(text, "and a fair deal."))
    quote = Quote(
        article_id=article_id,
        sentence=1,
        content=Span(start=pieces[0].start, end=pieces[1].end),
        text=statement_text(text, pieces),
        direct=True,
        speaker="Ann Lee",
        speaker_span=_span(text, "the mayor"),
        cue="said",
        parts=pieces,
    )
    role = Role(
        article_id=article_id,
        sentence=0,
        person="Ann Lee",
        person_span=_span(text, "Ann Lee"),
        role="Mayor",
        span=_span(text, "Mayor"),
    )
    event = Event(
        article_id=article_id,
        sentence=0,
        action="approv",
        span=_span(text, "approved"),
        negated=False,
        arguments=tuple(
            Argument(role=role, span=_span(text, part), text=part, value=value)  # type: ignore[arg-type]
            for role, part, value in [
                ("agent", "The city council", "council"),
                ("time", "Monday", "2025-10-13 day"),
            ]
        ),
    )
    return Analysis(
        article=article,
        sentences=sentences,
        entities=entities,
        quotes=(quote,),
        roles=(role,),
        events=(event,),
    )


def _query(db: str, sql: str) -> list[tuple[Any, ...]]:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True)) as conn:
        return conn.execute(sql).fetchall()


ANALYSIS_TABLES = ("articles", "sentences", "entities", "quotes", "roles", "events")
EMPTY = dict.fromkeys(ANALYSIS_TABLES, 0)


def _row_counts(db: str) -> dict[str, int]:
    return {t: _query(db, f"SELECT count(*) FROM {t}")[0][0] for t in ANALYSIS_TABLES}


# --- schema ----------------------------------------------------------------------------------
def test_open_migrates_once(settings: Settings) -> None:
    latest = MIGRATIONS[-1][0]
    with Store.open(settings.db) as first:
        assert first.version() == latest
    applied = _query(settings.db, "SELECT version, applied_at FROM schema_version")
    assert [v for v, _ in applied] == [m[0] for m in MIGRATIONS]
    with Store.open(settings.db) as again:
        assert again.version() == again.migrate() == latest
    assert _query(settings.db, "SELECT version, applied_at FROM schema_version") == applied
    assert _row_counts(settings.db) == EMPTY


def test_wal_journal_mode(store: Store, settings: Settings) -> None:
    assert _query(settings.db, "PRAGMA journal_mode") == [("wal",)]


# --- writing and reading ---------------------------------------------------------------------
def test_round_trip(store: Store) -> None:
    analysis = _analysis()
    article_id = analysis.article.id
    assert not store.has(article_id)
    assert store.add(analysis) is True
    assert store.has(article_id)
    [loaded] = store.load([article_id])
    assert loaded == analysis
    assert all(s.text == loaded.article.text[s.span.start : s.span.end] for s in loaded.sentences)
    assert [q.text for q in loaded.quotes] == ["It is a relief for our schools … and a fair deal."]
    assert [r.role for r in loaded.roles] == ["Mayor"]
    [event] = loaded.events
    assert [(a.role, a.text) for a in event.arguments] == [
        ("agent", "The city council"),
        ("time", "Monday"),
    ]
    [row] = store.list_articles()
    assert (row.id, row.outlet, row.sentences, row.quotes) == (article_id, "Daily Planet", 2, 1)


def test_adding_the_same_analysis_twice(store: Store, settings: Settings) -> None:
    assert store.add(_analysis()) is True
    assert store.add(_analysis()) is False
    assert _row_counts(settings.db) == {
        "articles": 1,
        "sentences": 2,
        "entities": 3,
        "quotes": 1,
        "roles": 1,
        "events": 1,
    }


def test_load_and_resolve_ids(store: Store) -> None:
    first, second = _analysis(), _analysis(title="Budget Vote Delayed")
    store.add(first)
    store.add(second)
    assert [a.article.title for a in store.load([second.article.id, first.article.id])] == [
        "Budget Vote Delayed",
        TITLE,
    ]
    assert store.resolve(first.article.id[:8]) == first.article.id
    with pytest.raises(NotFound):
        store.resolve("not-an-id")
    with pytest.raises(NotFound, match="no article"):
        store.load(["0" * 16])


def _orphan_quote(analysis: Analysis, _monkeypatch: pytest.MonkeyPatch) -> Analysis:
    """A quote whose article does not exist: the foreign key fails after the other rows."""
    return replace(analysis, quotes=(replace(analysis.quotes[0], article_id="no-such-article"),))


def _quotes_insert_fails(analysis: Analysis, monkeypatch: pytest.MonkeyPatch) -> Analysis:
    """The database fails when the quotes are written, after the other rows."""
    real_insert = store_module.insert

    def insert(table: Any) -> Any:
        if table is schema.quotes:
            raise OperationalError("INSERT INTO quotes", {}, Exception("disk I/O error"))
        return real_insert(table)

    monkeypatch.setattr(store_module, "insert", insert)
    return analysis


@pytest.mark.parametrize("break_it", [_orphan_quote, _quotes_insert_fails])
def test_failure_while_writing_leaves_nothing_of_the_article(
    store: Store, settings: Settings, monkeypatch: pytest.MonkeyPatch, break_it: Any
) -> None:
    analysis = _analysis()
    with pytest.raises(StoreError, match=f"cannot write article {analysis.article.id}"):
        store.add(break_it(analysis, monkeypatch))
    assert _row_counts(settings.db) == EMPTY
    assert not store.has(analysis.article.id)
    monkeypatch.undo()
    assert store.add(analysis) is True  # no transaction was left open


# --- opening ---------------------------------------------------------------------------------
def test_read_only_open_of_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no store at"):
        Store.open(str(tmp_path / "missing.db"), readonly=True)
    assert not (tmp_path / "missing.db").exists()


def test_read_only_open_of_a_file_that_is_not_a_store(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("not a database", "utf-8")
    with pytest.raises(StoreError, match="cannot open store"):
        Store.open(str(path), readonly=True)


def test_read_only_store_reads_but_refuses_writes(store: Store, settings: Settings) -> None:
    store.add(_analysis())
    with Store.open(settings.db, readonly=True) as reader:
        assert reader.count() == 1
        with pytest.raises(StoreError, match="readonly"):
            reader.add(_analysis(title="Another"))
    assert store.count() == 1


@pytest.mark.parametrize("folder", ["what?", "issue#7", "100%41"])
def test_store_in_a_folder_with_url_characters(tmp_path: Path, folder: str) -> None:
    (tmp_path / folder).mkdir()
    db = str(tmp_path / folder / "t.db")
    with Store.open(db) as writer:
        writer.add(_analysis())
    with Store.open(db, readonly=True) as reader:
        assert reader.count() == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == [folder]  # no stray file beside it


def test_a_version_1_store_is_migrated_to_the_latest(settings: Settings) -> None:
    """A store written by the first release gains the later tables, its articles intact."""
    first = [m for m in MIGRATIONS if m[0] == 1]
    with patch("newsbrief.store.base.MIGRATIONS", first), Store.open(settings.db) as old:
        assert old.version() == 1
    with Store.open(settings.db) as new:
        assert new.version() == MIGRATIONS[-1][0]
    tables = {name for (name,) in _query(settings.db, "SELECT name FROM sqlite_master")}
    assert {"fingerprints", "lsh_buckets", "duplicates", "feeds", "feed_entries"} <= tables
