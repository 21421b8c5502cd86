"""Brief versions (Store.save_brief and its readers), their diff (newsbrief.brief.diff), the
versions ingest keeps (pipeline.update_briefs) and `newsbrief diff`."""

from __future__ import annotations

import concurrent.futures
import json
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from newsbrief import nlp, pipeline
from newsbrief.brief import versions
from newsbrief.brief.diff import StoryDiff, diff, diff_versions, render
from newsbrief.brief.render import from_dict, to_dict
from newsbrief.cli import app
from newsbrief.ingest import expand
from newsbrief.records import (
    Brief,
    BriefItem,
    BriefSection,
    BriefVersion,
    Citation,
    Rejected,
    SourceRef,
)
from newsbrief.settings import Settings
from newsbrief.store import Store
from test_cli import CLEAN_ENV

FIRST_SEED, SECOND_SEED = "000_64c8e49a1d5cd0eb.txt", "004_76146be16f698244.txt"


# --- records to diff ---------------------------------------------------------------------------
def cite(article_id: str, start: int) -> Citation:
    return Citation(
        article_id=article_id, start=start, end=start + 10, text=f"{article_id}@{start}"
    )


def item(text: str, *cited: tuple[str, int], label: str | None = None) -> BriefItem:
    return BriefItem(text=text, citations=tuple(cite(a, s) for a, s in cited), label=label)


def brief(**sections: tuple[BriefItem, ...]) -> Brief:
    """A brief over articles a, b and c, each of its own outlet."""
    return Brief(
        title="Talks",
        sections=tuple(
            BriefSection(key=key, title=key.replace("_", " ").title(), items=items)
            for key, items in sections.items()
        ),
        sources=tuple(
            SourceRef(
                article_id=i, title=f"Talks {i}", outlet=f"Daily {i}", url=None, published=None
            )
            for i in "abc"
        ),
        independent_sources=3,
    )


def version(story: str, number: int, made: Brief, *articles: str) -> BriefVersion:
    return BriefVersion(
        story_id=story,
        version=number,
        created_at=f"2025-10-1{number}T08:00:00.000000+00:00",
        article_ids=articles,
        brief=made,
    )


DISPUTE = "“two hours” (Daily a) vs “three hours” (Daily b)"


def test_new_changed_gone_and_now_disputed() -> None:
    before = brief(
        executive_summary=(item("Talks began.", ("a", 0)), item("A deal is near.", ("a", 40))),
        story_so_far=(item("They met in May.", ("a", 80)),),
        sources_differ=(),
    )
    after = brief(
        executive_summary=(
            item("Talks began.", ("a", 0), ("b", 5)),  # another outlet says it too
            item("Talks broke down.", ("b", 60)),
        ),
        story_so_far=(item("They first met in May.", ("a", 80)),),
        sources_differ=(item(DISPUTE, ("a", 120), ("b", 30), label="Figures"),),
    )
    found = diff(before, after)
    assert [(c.section, c.change, c.item.text) for c in found.changes] == [
        ("executive_summary", "changed", "Talks began."),
        ("executive_summary", "new", "Talks broke down."),
        ("story_so_far", "changed", "They first met in May."),
        ("sources_differ", "new", DISPUTE),
        ("executive_summary", "gone", "A deal is near."),
    ]
    began, _, met, _, gone = found.changes
    assert (began.sources_before, began.sources) == (1, 2)
    assert met.before is not None and met.before.text == "They met in May."
    assert gone.sources == 1 and gone.before is None
    assert [c.item.text for c in found.now_disputed] == [DISPUTE]
    assert diff(after, after).changes == ()


def test_items_are_matched_by_their_citations_not_their_place_or_first_citation() -> None:
    before = brief(
        executive_summary=(
            item("One.", ("a", 0)),
            item("Two.", ("a", 50)),
            item("Three.", ("a", 90)),
        )
    )
    after = brief(
        executive_summary=(
            item("Three, now with a note.", ("a", 90)),
            item("One.", ("c", 7), ("a", 0)),  # an earlier article now cited first
            item("Two.", ("a", 50)),
        )
    )
    found = diff(before, after)
    assert [
        (c.change, c.item.text, c.before.text if c.before else None) for c in found.changes
    ] == [
        ("changed", "Three, now with a note.", "Three."),
        ("changed", "One.", "One."),
    ]


def test_the_same_words_from_another_copy_are_the_same_item() -> None:
    before = brief(executive_summary=(item("Talks began.", ("a", 0)),))
    after = brief(executive_summary=(item("Talks began.", ("c", 12)),))
    (changed,) = diff(before, after).changes
    assert changed.change == "changed"
    md = render(
        StoryDiff(
            since=version("s", 1, before), until=version("s", 2, after), diff=diff(before, after)
        ),
        "md",
    )
    assert "cites other sentences" in md


def test_a_dispute_that_gains_an_outlet_is_not_new_and_other_kinds_stay_apart() -> None:
    figures = item(DISPUTE, ("a", 120), ("b", 30), label="Figures")
    before = brief(sources_differ=(figures,))
    wider = item(
        DISPUTE + " / “two hours” (Daily c)", ("a", 120), ("b", 30), ("c", 3), label="Figures"
    )
    # a new kind of difference cited by the same sentence is a dispute of its own
    title = item(
        "“President” (Daily a) vs “former President” (Daily b)",
        ("a", 120),
        ("b", 30),
        label="Title of Donald Trump",
    )
    found = diff(before, brief(sources_differ=(title, wider)))  # the new one in its place
    assert [(c.change, c.item.label) for c in found.changes] == [
        ("new", "Title of Donald Trump"),
        ("changed", "Figures"),
    ]
    assert [c.item.label for c in found.now_disputed] == ["Title of Donald Trump"]


def test_a_section_the_earlier_brief_lacked_is_all_new() -> None:
    before = brief(executive_summary=(item("Talks began.", ("a", 0)),))
    after = brief(
        executive_summary=(item("Talks began.", ("a", 0)),),
        timeline=(item("Talks began.", ("a", 0), label="2025-10-16"),),
    )
    assert [(c.section, c.change) for c in diff(before, after).changes] == [("timeline", "new")]


def test_an_item_that_moved_to_another_section_says_where() -> None:
    before = brief(
        executive_summary=(item("Talks began.", ("a", 0)), item("It matters.", ("a", 40))),
        why_it_matters=(),
    )
    after = brief(
        executive_summary=(item("Talks began.", ("a", 0)),),
        why_it_matters=(item("It matters.", ("b", 9), ("a", 40)),),
    )
    found = diff(before, after)
    assert [(c.section, c.change, c.elsewhere) for c in found.changes] == [
        ("why_it_matters", "new", "executive_summary"),
        ("executive_summary", "gone", "why_it_matters"),
    ]
    story = diff_versions(version("s", 1, before), version("s", 2, after))
    md = render(story, "md")
    assert "- It matters. _(Why It Matters; 2 sources; was in Executive Summary)_" in md
    assert "- It matters. _(Executive Summary; 1 source; now in Why It Matters)_" in md
    new, gone = json.loads(render(story, "json"))["changes"]
    assert (new["was_in"], gone["now_in"]) == ("executive_summary", "why_it_matters")


def test_diff_of_versions_rendered() -> None:
    before = brief(
        executive_summary=(item("Talks began.", ("a", 0)), item("A deal is near.", ("a", 40))),
        sources_differ=(),
    )
    after = brief(
        executive_summary=(
            item("Talks began.", ("a", 0), ("b", 5)),
            item("Talks broke down.", ("b", 60)),
        ),
        sources_differ=(item(DISPUTE, ("a", 120), ("b", 30), label="Figures"),),
    )
    found = diff_versions(version("s1", 1, before, "a"), version("s1", 2, after, "a", "b"))
    assert found.articles_added == ("b",)

    md = render(found, "md")
    assert md.splitlines()[:3] == [
        "# What changed: Talks",
        "",
        "Story `s1`: version 1 (2025-10-11T08:00:00.000000+00:00, 1 article(s)) → version 2 "
        "(2025-10-12T08:00:00.000000+00:00, 2 article(s)).",
    ]
    assert "- Daily b — Talks b (`b`)" in md
    disputed = md.split("## Now disputed\n\n")[1].split("\n\n")[0]
    assert disputed == f"- **Figures** — {DISPUTE} _(Sources Differ; 2 sources)_"
    new = md.split("## New\n\n")[1].split("\n\n")[0]
    assert new == "- Talks broke down. _(Executive Summary; 1 source)_"  # the dispute is above
    changed = md.split("## Changed\n\n")[1].split("\n\n")[0]
    assert changed.splitlines() == [
        "- Talks began. _(Executive Summary; 2 sources)_",
        "  - independent sources: 1 → 2",
    ]
    assert "## Gone\n\n- A deal is near. _(Executive Summary; 1 source)_" in md

    data = json.loads(render(found, "json"))
    assert data["story_id"] == "s1" and data["articles_added"] == ["b"]
    assert data["since"] == {
        "version": 1,
        "created_at": "2025-10-11T08:00:00.000000+00:00",
        "articles": 1,
    }
    assert [c["item"]["label"] for c in data["now_disputed"]] == ["Figures"]
    changed_json = next(c for c in data["changes"] if c["change"] == "changed")
    assert changed_json["before"]["independent_sources"] == 1
    assert changed_json["item"]["citations"][1] == {
        "article_id": "b",
        "start": 5,
        "end": 15,
        "text": "b@5",
    }
    with pytest.raises(ValueError, match="format expects one of md, json, found 'html'"):
        render(found, "html")
    with pytest.raises(ValueError, match="two versions of one story, found s1 and s2"):
        diff_versions(version("s1", 1, before), version("s2", 2, after))
    unchanged = diff_versions(version("s1", 2, after), version("s1", 2, after))
    assert "Nothing changed." in render(unchanged, "md")


# --- the store -----------------------------------------------------------------------------
def test_versions_round_trip_and_only_a_changed_brief_adds_one(any_store: Store) -> None:
    store = any_store
    first_brief = brief(executive_summary=(item("Talks began.", ("a", 0), label="x"),))
    first, added = versions.keep(store, "s1", ["a"], first_brief)
    assert added and first.version == 1 and first.brief == first_brief
    again, added = versions.keep(store, "s1", ["a"], first_brief)
    assert not added and again == first
    later_brief = brief(executive_summary=(item("Talks ended.", ("a", 0)),))
    later, added = versions.keep(store, "s1", ["a", "b"], later_brief)
    assert added and later.version == 2 and later.article_ids == ("a", "b")
    assert later.created_at >= first.created_at

    assert versions.newest(store, "s1") == later
    assert versions.newest(store, "s1", version=1) == first
    assert versions.every(store, "s1") == [first, later]
    at_first = datetime.fromisoformat(first.created_at)
    assert versions.newest(store, "s1", at=at_first) == first
    assert versions.newest(store, "s1", at=at_first - timedelta(microseconds=1)) is None
    # the same moment in another zone
    assert (
        versions.newest(store, "s1", at=at_first.astimezone(timezone(timedelta(hours=2)))) == first
    )
    assert versions.newest(store, "s2") is None and versions.every(store, "s2") == []
    assert store.followed(["s1", "s2"]) == {"s1"}
    with pytest.raises(ValueError, match="expects an aware datetime"):
        versions.newest(store, "s1", at=datetime(2025, 10, 17))


def test_version_times_never_go_back(any_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    store = any_store
    first, _ = versions.keep(store, "s1", ["a"], brief(executive_summary=(item("One.", ("a", 0)),)))
    monkeypatch.setattr("newsbrief.store.briefs._stamp", lambda: "2000-01-01T00:00:00.000000+00:00")
    second, _ = versions.keep(
        store, "s1", ["a"], brief(executive_summary=(item("Two.", ("a", 0)),))
    )
    assert second.version == 2 and second.created_at == first.created_at


@pytest.mark.postgres
def test_writers_saving_at_once_lose_no_version(pg_db: str) -> None:
    """Four writers on PostgreSQL save briefs of one story at the same time: they take turns
    (the writer lock), each reads the newest version there is, none is lost or numbered
    twice."""
    texts = [f"Brief {n}." for n in range(4)]
    with Store.open(pg_db) as first:
        versions.keep(first, "s1", ["a"], brief(executive_summary=(item("Start.", ("a", 0)),)))
    start = threading.Barrier(len(texts))

    def save(text: str) -> int:
        with Store.open(pg_db) as store:
            start.wait(timeout=10)
            saved, added = versions.keep(
                store, "s1", ["a"], brief(executive_summary=(item(text, ("a", 0)),))
            )
            assert added
            return saved.version

    with concurrent.futures.ThreadPoolExecutor(len(texts)) as pool:
        numbers = sorted(pool.map(save, texts))
    assert numbers == [2, 3, 4, 5]
    with Store.open(pg_db) as store:
        kept = [v.brief.sections[0].items[0].text for v in versions.every(store, "s1")]
    assert kept[0] == "Start." and sorted(kept[1:]) == texts


def test_a_seed_brief_reads_back_equal(store: Store, settings: Settings, seeds: Path) -> None:
    report = pipeline.ingest(expand([str(seeds)]), store, settings)
    (story,) = report.stories
    made = pipeline.brief_story(store, story, nlp.load_encoder(settings))
    assert made.added and made.version.version == 1
    assert made.version.brief == made.brief == from_dict(to_dict(made.brief))
    assert made.version.article_ids == tuple(store.story_articles(story))
    assert not pipeline.brief_story(store, story, nlp.load_encoder(settings)).added


def test_ingest_keeps_versions_of_followed_stories_only(
    store: Store, settings: Settings, seeds: Path
) -> None:
    first = pipeline.ingest(expand([str(seeds / FIRST_SEED)]), store, settings)
    assert pipeline.update_briefs(store, first.stories) == []  # nobody briefed it
    (story,) = first.stories
    assert versions.every(store, story) == []
    pipeline.brief_story(store, story)
    second = pipeline.ingest(expand([str(seeds / SECOND_SEED)]), store, settings)
    assert second.stories == [story]
    (kept,) = pipeline.update_briefs(store, second.stories)
    assert kept.version == 2 and len(kept.article_ids) == 2
    assert pipeline.update_briefs(store, second.stories) == []  # nothing changed since


def test_a_story_whose_brief_fails_costs_the_others_nothing(
    store: Store, settings: Settings, seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an ingest, followed stories are rebuilt one by one: a failing one is reported
    (stage "brief"), the next is still rebuilt."""
    other = tmp_path / "harbour.txt"
    other.write_text(
        "Harbour bridge reopens after repairs\nThe harbour bridge in Sandvik reopened on Monday "
        "after eight months of repairs, the town council said.\n",
        "utf-8",
    )
    report = pipeline.ingest(expand([str(seeds), str(other)]), store, settings)
    stories = report.stories
    assert len(stories) == 2
    for story in stories:
        pipeline.brief_story(store, story)
    real, rebuilt = pipeline.brief_story, []

    def fails_on_first(store: Store, story_id: str, encoder: Any = None) -> Any:
        if story_id == stories[0]:
            raise RuntimeError("no brief today")
        rebuilt.append(story_id)
        return real(store, story_id, encoder)

    monkeypatch.setattr(pipeline, "brief_story", fails_on_first)
    failed: list[Rejected] = []
    assert pipeline.update_briefs(store, stories, on_failed=failed.append) == []  # unchanged
    assert [(r.stage, r.origin) for r in failed] == [("brief", f"story {stories[0]}")]
    assert "RuntimeError: no brief today" in failed[0].reason
    assert rebuilt == [stories[1]]
    with pytest.raises(RuntimeError, match="no brief today"):  # without a handler: raised
        pipeline.update_briefs(store, stories)


# --- the command -----------------------------------------------------------------------------
@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.chdir(tmp_path)
    return CliRunner(env=CLEAN_ENV)


def _story(db: str) -> str:
    with Store.open(db, readonly=True) as store:
        (row,) = store.list_stories()
    return row.id


def _ok(result: Result) -> Result:
    assert result.exit_code == 0, result.output
    return result


def test_diff_command_on_the_seeds(cli: CliRunner, seeds: Path) -> None:
    db = ["--db", "v.db"]
    _ok(cli.invoke(app, [*db, "ingest", str(seeds / FIRST_SEED)]))
    story = _story("v.db")
    _ok(cli.invoke(app, [*db, "brief", "--story", story]))
    # the story was briefed: ingest keeps the brief it grows into
    grown = _ok(cli.invoke(app, [*db, "ingest", str(seeds / SECOND_SEED)]))
    assert f"brief of story {story} kept as version 2" in grown.output
    assert grown.output.splitlines()[-1] == "1 ingested, 0 already present, 0 failed"
    _ok(cli.invoke(app, [*db, "brief", "--story", story]))
    with Store.open("v.db", readonly=True) as store:
        v1, v2 = versions.every(store, story)  # the brief after ingest was the same
    between = (
        datetime.fromisoformat(v1.created_at)
        + (datetime.fromisoformat(v2.created_at) - datetime.fromisoformat(v1.created_at)) / 2
    )
    since = between.astimezone(timezone(timedelta(hours=2))).isoformat()

    shown = _ok(
        cli.invoke(app, [*db, "diff", "--story", story[:8], "--since", since, "-f", "json"])
    )
    data = json.loads(shown.stdout)
    assert data["story_id"] == story
    assert (data["since"]["version"], data["until"]["version"]) == (1, 2)
    assert data["articles_added"] == [a for a in v2.article_ids if a not in v1.article_ids]
    # the second seed brings both disagreements of the story (README)
    assert {c["item"]["label"] for c in data["now_disputed"]} == {
        "Figures",
        "Title of Donald Trump",
    }
    assert {c["change"] for c in data["changes"]} >= {"new", "changed"}
    assert all(c["item"]["citations"] for c in data["changes"])

    md = _ok(cli.invoke(app, [*db, "diff", "--story", story, "--since", since])).stdout
    assert md.startswith(f"# What changed: {v2.brief.title}\n")
    assert "version 1 (" in md and "→ version 2 (" in md
    assert "## Now disputed" in md and "Miami Daily Life" in md  # the outlet added
    later = _ok(cli.invoke(app, [*db, "diff", "--story", story, "--since", v2.created_at]))
    assert "Nothing changed." in later.stdout


def test_diff_builds_the_brief_of_a_story_that_changed_since_its_last_version(
    cli: CliRunner, seeds: Path
) -> None:
    db = ["--db", "v.db"]
    quiet = {**CLEAN_ENV, "NEWSBRIEF_KEEP_BRIEFS": "false"}
    _ok(cli.invoke(app, [*db, "ingest", str(seeds / FIRST_SEED)]))
    story = _story("v.db")
    _ok(cli.invoke(app, [*db, "brief", "--story", story]))
    grown = _ok(cli.invoke(app, [*db, "ingest", str(seeds / SECOND_SEED)], env=quiet))
    assert "kept as version" not in grown.output
    with Store.open("v.db", readonly=True) as store:
        assert len(versions.every(store, story)) == 1
    shown = _ok(
        cli.invoke(app, [*db, "diff", "--story", story, "--since", "2099-01-01", "-f", "json"])
    )
    data = json.loads(shown.stdout)
    # the version at that time is the newest, kept just now: built from both seeds
    assert (data["since"]["version"], data["until"]["version"]) == (2, 2)
    assert data["changes"] == [] and data["until"]["articles"] == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--story", "ffff", "--since", "2020-01-01"],
            "expected one story with id 'ffff'…, found 0",
        ),
        (
            ["--since", "yesterday"],
            "--since expects an ISO date or date and time (2025-10-17, 2025-10-17T08:00, "
            "2025-10-17T08:00+02:00), found 'yesterday'",
        ),
        (["--since", "2025-10-17", "-f", "html"], "--format expects one of md, json, found 'html'"),
        (
            ["--since", "2020-01-01T09:30"],
            "expected a kept brief of story {story} at or before 2020-01-01T09:30:00+00:00, "
            "found none: its first version is from ",
        ),
    ],
)
def test_diff_usage_errors(cli: CliRunner, seeds: Path, args: list[str], message: str) -> None:
    _ok(cli.invoke(app, ["--db", "v.db", "ingest", str(seeds / FIRST_SEED)]))
    story = _story("v.db")
    given = args if "--story" in args else ["--story", story, *args]
    failed = cli.invoke(app, ["--db", "v.db", "diff", *given])
    assert failed.exit_code == 2
    assert message.format(story=story) in failed.output
    assert failed.stdout == ""


def test_diff_needs_a_story_and_a_time(cli: CliRunner) -> None:
    missing = cli.invoke(app, ["--db", "v.db", "diff", "--story", "abc"])
    assert missing.exit_code == 2 and "--since" in missing.output
    shown = _ok(cli.invoke(app, ["diff", "--help"]))
    assert "Example: newsbrief diff --story 64c8e49a --since 2025-10-17" in shown.output


def test_versions_record_time_in_utc(store: Store) -> None:
    saved, _ = versions.keep(store, "s1", ["a"], brief(executive_summary=(item("One.", ("a", 0)),)))
    moment = datetime.fromisoformat(saved.created_at)
    assert moment.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - moment) < timedelta(minutes=1)


@pytest.mark.postgres
def test_diff_command_on_postgresql(cli: CliRunner, seeds: Path, pg_db: str) -> None:
    db = ["--db", pg_db]
    _ok(cli.invoke(app, [*db, "ingest", str(seeds / FIRST_SEED)]))
    story = _story(pg_db)
    _ok(cli.invoke(app, [*db, "brief", "--story", story]))
    with Store.open(pg_db, readonly=True) as store:
        first = versions.newest(store, story)
    assert first is not None
    _ok(cli.invoke(app, [*db, "ingest", str(seeds / SECOND_SEED)]))
    shown = cli.invoke(app, [*db, "diff", "-s", story, "--since", first.created_at, "-f", "json"])
    data = json.loads(_ok(shown).stdout)
    assert (data["since"]["version"], data["until"]["version"]) == (1, 2)
    assert {c["item"]["label"] for c in data["now_disputed"]} == {
        "Figures",
        "Title of Donald Trump",
    }
