"""Stories: incremental assignment (cluster.py), its store tables and its commands. Offline: the
model-free HashingEncoder, or hand-made vectors."""

from __future__ import annotations

import itertools
import json
from datetime import date
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from newsbrief import cluster, pipeline
from newsbrief.cli import app
from newsbrief.cluster import Features, HashingEncoder, StoryIndex
from newsbrief.ingest import expand
from newsbrief.placement import placement_of
from newsbrief.records import Analysis, Article
from newsbrief.settings import Settings
from newsbrief.store import Store, StoryFilter
from newsbrief.store.schema import MIGRATIONS, stories, story_members, story_merges

QUAKE_CHILE = [
    (
        "Strong earthquake shakes central Chile",
        "A magnitude 7.1 earthquake struck central Chile near Valparaiso on Monday, "
        "Chile's emergency office Onemi said. Buildings in Valparaiso and Santiago swayed.",
        "2024-03-04",
    ),
    (
        "Chile earthquake: Valparaiso counts damage",
        "Rescuers in Valparaiso searched collapsed buildings after the magnitude 7.1 earthquake "
        "in central Chile, Onemi said. Santiago reported power cuts.",
        "2024-03-05",
    ),
]
QUAKE_JAPAN = [
    (
        "Strong earthquake shakes northern Japan",
        "A magnitude 6.9 earthquake struck northern Japan near Sendai on Tuesday, the Japan "
        "Meteorological Agency said. Buildings in Sendai and Miyagi swayed.",
        "2024-09-10",
    ),
    (
        "Japan earthquake: Sendai counts damage",
        "Rescuers in Sendai searched collapsed buildings after the magnitude 6.9 earthquake in "
        "northern Japan, the Meteorological Agency said. Miyagi reported power cuts.",
        "2024-09-11",
    ),
]


def _write(folder: Path, docs: list[tuple[str, str, str]], prefix: str) -> None:
    folder.mkdir(exist_ok=True)
    for i, (title, text, published) in enumerate(docs):
        (folder / f"{prefix}{i}.txt").write_text(f"{title}\n{text}\n", "utf-8")
        meta = {"source": f"Outlet {i}", "published": published}
        (folder / f"{prefix}{i}.meta.json").write_text(json.dumps(meta), "utf-8")


def _ingest(store: Store, settings: Settings, *paths: Path) -> pipeline.IngestReport:
    return pipeline.ingest(
        expand([str(p) for p in paths]),
        store,
        settings.replace(encoder="newsbrief.cluster:HashingEncoder"),
    )


def _grouping(store: Store) -> set[frozenset[str]]:
    return {frozenset(store.story_articles(row.id)) for row in store.list_stories()}


def _tables(store: Store) -> list[list[tuple[object, ...]]]:
    with store.engine.connect() as conn:
        return [
            sorted(tuple(r[:3]) for r in conn.execute(t.select()))
            for t in (stories, story_members, story_merges)
        ]


@pytest.fixture
def quakes(tmp_path: Path) -> Path:
    folder = tmp_path / "quakes"
    _write(folder, QUAKE_CHILE, "chile")
    _write(folder, QUAKE_JAPAN, "japan")
    return folder


def test_two_similar_events_months_apart_are_two_stories(
    quakes: Path, store: Store, settings: Settings
) -> None:
    report = _ingest(store, settings, quakes)
    assert report.ingested == 4
    groups = _grouping(store)
    by_title = [{a.article.title for a in store.load(sorted(g))} for g in groups]
    assert len(groups) == 2, by_title
    assert all(len({("Chile" in t) for t in g}) == 1 for g in by_title)


def test_seeds_are_one_story(seeds: Path, store: Store, settings: Settings) -> None:
    # the real encoder: bag-of-words vectors of two differently worded leads are too far apart
    pipeline.ingest(expand([str(seeds)]), store, settings)
    rows = store.list_stories()
    assert [(r.articles, r.outlets) for r in rows] == [(2, 2)]
    assert rows[0].first_seen and {"Putin", "Trump"} <= set(rows[0].actors)  # as written


def test_order_does_not_change_the_grouping() -> None:
    encoder = HashingEncoder()
    docs = QUAKE_CHILE + QUAKE_JAPAN
    vectors = encoder.encode([f"{t}\n{x}" for t, x, _ in docs])
    feats = [
        Features(
            article_id=f"a{i}",
            vector=v,
            actors=("chile", "valparaiso") if i < 2 else ("japan", "sendai"),
            day=cluster.as_day(date.fromisoformat(d)),
        )
        for i, ((_, _, d), v) in enumerate(zip(docs, vectors, strict=True))
    ]
    groupings = set()
    for order in itertools.permutations(feats):
        index = StoryIndex()
        story = {f.article_id: index.assign(f).story_id for f in order}
        groupings.add(
            frozenset(frozenset(a for a in story if story[a] == s) for s in story.values())
        )
    assert groupings == {frozenset({frozenset({"a0", "a1"}), frozenset({"a2", "a3"})})}


def _unit(*components: float) -> np.ndarray:
    v = np.zeros(8, dtype=np.float32)
    v[: len(components)] = components
    return v / np.linalg.norm(v)


def test_an_article_about_someone_else_starts_a_story_of_its_own() -> None:
    # cosine 0.48, sharing "klitschko": 0.48 + 0.35 · 1/2 = 0.655 joins (JOIN_SCORE 0.6) unless
    # its main actor is one the story never names (− 0.1)
    first = Features(article_id="r", vector=_unit(1, 0), actors=("rahman", "klitschko"),
                     main_actor="rahman", day=None)  # fmt: skip
    later = _unit(0.48, float(np.sqrt(1 - 0.48**2)))
    for main, joins in (("thompson", False), (None, True), ("klitschko", True)):
        index = StoryIndex()
        index.assign(first)
        f = Features(article_id="t", vector=later, actors=("thompson", "klitschko"),
                     main_actor=main, day=None)  # fmt: skip
        assert (index.assign(f).story_id == "r") is joins, main


def test_converging_stories_merge_and_the_old_id_resolves(store: Store) -> None:
    index = StoryIndex()
    feats = [
        Features(article_id="a1", vector=_unit(1, 0), actors=("a",), day=None),
        Features(article_id="b1", vector=_unit(0, 1), actors=("a",), day=None),
        Features(article_id="c1", vector=_unit(1, 1), actors=("a",), day=None),
    ]
    published = {"a1": "2025-01-01", "b1": "2025-03-01", "c1": "2025-02-01"}
    for f in feats:
        store.add(
            Analysis(
                article=Article(
                    id=f.article_id,
                    title=f.article_id,
                    text="t",
                    outlet=None,
                    url=None,
                    published=published[f.article_id],
                ),
                sentences=(),
            )
        )
    with store.engine.begin() as conn:  # add() placed nothing: stories come from place()
        assert conn.execute(story_members.select()).first() is None
    decisions = []
    for f in feats:
        decision = index.decide(f)
        placement = placement_of(f, decision, index.outcome(f, decision), "t")
        assert store.place(f.article_id, lambda _ledger, p=placement: p)
        index.apply(f, decision)
        decisions.append(decision)
    assert [d.founded for d in decisions] == [True, True, False]
    assert decisions[2].story_id == "a1" and decisions[2].merged == ("b1",)
    assert store.resolve_story("b1") == "a1"
    assert store.story_articles("a1") == ["a1", "c1", "b1"]  # oldest first
    assert [(r.id, r.last_seen) for r in store.list_stories()] == [("a1", "2025-03-01")]
    with store.engine.connect() as conn:  # the survivor's order: its merged member's day
        assert conn.execute(sa.select(stories.c.last_seen)).scalar() == "2025-03-01"
    assert len(store.active_stories("t").stories) == 1


def test_reingesting_changes_nothing(quakes: Path, store: Store, settings: Settings) -> None:
    _ingest(store, settings, quakes)
    before = _tables(store)
    report = _ingest(store, settings, quakes)
    assert (report.ingested, report.present) == (0, 4)
    assert _tables(store) == before


def test_an_article_without_a_story_gets_one_on_the_next_run(
    quakes: Path, store: Store, settings: Settings
) -> None:
    _ingest(store, settings, quakes)
    with store.engine.begin() as conn:  # as an interrupted older run would leave it
        conn.execute(story_members.delete())
        conn.execute(stories.delete())
    assert len(store.unplaced()) == 4
    _ingest(store, settings, quakes)
    assert not store.unplaced()
    assert len(_grouping(store)) == 2


def test_cli_stories_and_briefs(
    quakes: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env={"COLUMNS": "300", "NEWSBRIEF_CONFIG": None, "NEWSBRIEF_DB": None})
    db = str(tmp_path / "cli.db")
    assert runner.invoke(app, ["--db", db, "ingest", str(quakes)]).exit_code == 0
    listed = runner.invoke(app, ["--db", db, "stories"])
    assert listed.exit_code == 0, listed.output
    assert "2 of 2 story(ies)" in listed.output
    assert "2024-03-04" in listed.output and "2024-09-11" in listed.output
    since = runner.invoke(app, ["--db", db, "stories", "--since", "2024-06-01"])
    assert "1 of 1" in since.output and "Japan" in since.output
    query = runner.invoke(app, ["--db", db, "stories", "--query", "chile"])
    assert "1 of 1" in query.output and "Chile" in query.output
    with Store.open(db, readonly=True) as store:
        chile = next(r.id for r in store.list_stories(StoryFilter(query="chile")))
    one = runner.invoke(app, ["--db", db, "brief", "--story", chile[:8]])
    assert one.exit_code == 0, one.output
    assert "Chile" in one.output and "Sendai" not in one.output
    every = runner.invoke(app, ["--db", db, "brief", "--all", "--format", "json"])
    assert every.exit_code == 0, every.output
    assert len(json.loads(every.output)) == 2
    bad = runner.invoke(app, ["--db", db, "brief", "--story", "zzz"])
    assert bad.exit_code == 2


def test_stories_are_filtered_and_paged_in_the_store(
    quakes: Path, store: Store, settings: Settings
) -> None:
    _ingest(store, settings, quakes)
    japan, chile = store.list_stories()  # the most recently seen first
    assert (japan.last_seen, chile.last_seen) == ("2024-09-11", "2024-03-05")
    assert [r.id for r in store.list_stories(limit=1, offset=1)] == [chile.id]
    assert store.list_stories(offset=2) == []
    assert store.count_stories() == 2
    assert [r.id for r in store.list_stories(StoryFilter(since="2024-06-01"))] == [japan.id]
    assert [r.id for r in store.list_stories(StoryFilter(until="2024-03-04"))] == [chile.id]
    assert [r.id for r in store.list_stories(StoryFilter(query="VALPARAISO"))] == [chile.id]
    assert store.list_stories(StoryFilter(query="%")) == []  # LIKE wildcards are text
    assert store.count_stories(StoryFilter(outlet="outlet 1")) == 2
    assert store.count_stories(StoryFilter(outlet="Outlet 9")) == 0
    assert [r.id for r in store.list_stories(StoryFilter(actor="Sendai"))] == [japan.id]


def test_a_version_5_store_gains_the_story_list_order(quakes: Path, settings: Settings) -> None:
    with Store.open(settings.db) as store:
        _ingest(store, settings, quakes)
        with store.engine.begin() as conn:  # back to the shape version 5 left
            conn.execute(sa.text("DROP INDEX stories_last_seen"))
            conn.execute(sa.text("ALTER TABLE stories DROP COLUMN last_seen"))
            conn.execute(sa.text("DROP INDEX articles_listing"))  # and of version 7
            conn.execute(sa.text("DROP INDEX story_members_names"))
            for table in ("stories", "story_merges"):  # and of version 8
                conn.execute(sa.text(f"DROP INDEX {table}_changed"))
                conn.execute(sa.text(f"ALTER TABLE {table} DROP COLUMN changed"))
            conn.execute(sa.text("DROP TABLE counters"))
            for column in ("attempts", "done", "error"):  # and of version 9
                conn.execute(sa.text(f"ALTER TABLE feed_entries DROP COLUMN {column}"))
            conn.execute(sa.text("DROP TABLE events"))  # and of version 10
            conn.execute(sa.text("DELETE FROM schema_version WHERE version >= 6"))
    with Store.open(settings.db) as store:  # migration 6 fills the column in
        assert store.version() == MIGRATIONS[-1][0]
        assert [r.last_seen for r in store.list_stories()] == ["2024-09-11", "2024-03-05"]
        with store.engine.connect() as conn:
            assert sorted(conn.execute(sa.select(stories.c.last_seen)).scalars()) == [
                "2024-03-05",
                "2024-09-11",
            ]
