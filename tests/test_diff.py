"""Brief versions (Store.save_brief), their diff (newsbrief.brief.diff) and `newsbrief diff`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from newsbrief.brief.diff import diff, render
from newsbrief.cli import app
from newsbrief.store import Store
from test_cli import CLEAN_ENV


def item(text: str, start: int, sources: int = 1, label: str | None = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "text": text,
        "citations": [{"article_id": "a1", "start": start, "end": start + 5, "text": text}],
        "independent_sources": sources,
    }
    if label:
        out["label"] = label
    return out


def brief(**sections: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "title": "Talks",
        "sections": [{"key": k, "title": k, "items": v} for k, v in sections.items()],
        "sources": [],
        "independent_sources": 1,
        "notes": [],
    }


def test_versions_are_kept_only_when_the_brief_changes(store: Store) -> None:
    first = store.save_brief("s1", ["a1"], brief(executive_summary=[item("Talks began.", 0)]))
    again = store.save_brief("s1", ["a1"], brief(executive_summary=[item("Talks began.", 0)]))
    assert (first.version, again.version) == (1, 1)
    later = store.save_brief("s1", ["a1", "a2"], brief(executive_summary=[item("Talks ended.", 0)]))
    assert later.version == 2 and later.article_ids == ("a1", "a2")
    assert store.brief_version("s1", at=first.created_at) == first
    assert store.brief_version("s1", version=1) == first
    assert store.brief_version("s1") == later
    assert store.brief_version("s2") is None


def test_diff_finds_new_changed_gone_and_now_disputed(store: Store) -> None:
    since = store.save_brief(
        "s1",
        ["a1"],
        brief(
            executive_summary=[item("Talks began.", 0), item("A deal is near.", 20)],
            story_so_far=[item("They met in May.", 40)],
            sources_differ=[],
        ),
    )
    until = store.save_brief(
        "s1",
        ["a1", "a2"],
        brief(
            executive_summary=[item("Talks began.", 0, sources=2), item("Talks broke down.", 60)],
            story_so_far=[item("They first met in May.", 40)],
            sources_differ=[item("“2 days” vs “3 days”", 80, label="Figures")],
        ),
    )
    found = diff(since, until)
    changes = {(c.section, c.change, c.text) for c in found.changes}
    assert changes == {
        ("executive_summary", "changed", "Talks began."),  # now two sources
        ("executive_summary", "new", "Talks broke down."),
        ("story_so_far", "changed", "They first met in May."),
        ("sources_differ", "new", "“2 days” vs “3 days”"),
        ("executive_summary", "gone", "A deal is near."),
    }
    assert [c.text for c in found.disputed] == ["“2 days” vs “3 days”"]
    assert found.articles_added == ("a2",)
    md = render(found, "md")
    assert "## Now disputed" in md and "independent sources: 1 → 2" in md
    assert "before: They met in May." in md
    data = json.loads(render(found, "json"))
    assert data["articles_added"] == ["a2"] and len(data["now_disputed"]) == 1


def test_an_unchanged_brief_diffs_to_nothing(store: Store) -> None:
    version = store.save_brief("s1", ["a1"], brief(executive_summary=[item("Talks.", 0)]))
    found = diff(version, version)
    assert found.changes == () and "Nothing changed." in render(found, "md")


def test_diff_command_on_the_seeds(
    seeds: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env=CLEAN_ENV)
    db = str(tmp_path / "v.db")
    first = runner.invoke(app, ["--db", db, "ingest", str(seeds / "000_64c8e49a1d5cd0eb.txt")])
    assert first.exit_code == 0, first.output
    with Store.open(db) as store:
        (story,) = [row.id for row in store.list_stories()]
    made = runner.invoke(app, ["--db", db, "brief", "--story", story])
    assert made.exit_code == 0, made.output
    with Store.open(db) as store:
        version = store.brief_version(story)
    assert version is not None
    second = runner.invoke(app, ["--db", db, "ingest", str(seeds / "004_76146be16f698244.txt")])
    assert second.exit_code == 0, second.output

    shown = runner.invoke(
        app, ["--db", db, "diff", "--story", story, "--since", version.created_at, "-f", "json"]
    )
    assert shown.exit_code == 0, shown.output
    data = json.loads(shown.stdout)
    assert (data["since"]["version"], data["until"]["version"]) == (1, 2)
    assert len(data["articles_added"]) == 1
    # the second seed brings both real disagreements
    assert {c["label"] for c in data["now_disputed"]} == {"Figures", "Title of Donald Trump"}

    early = runner.invoke(app, ["--db", db, "diff", "--story", story, "--since", "2020-01-01"])
    assert early.exit_code == 2
    assert "expected a brief of story" in early.output and "found none" in early.output
    bad = runner.invoke(app, ["--db", db, "diff", "--story", story, "--since", "yesterday"])
    assert bad.exit_code == 2 and "--since expects an ISO date" in bad.output
    unknown = runner.invoke(app, ["--db", db, "diff", "--story", "ffff", "--since", "2020-01-01"])
    assert unknown.exit_code == 2 and "expected one story" in unknown.output
