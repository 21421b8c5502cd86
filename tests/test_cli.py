"""The newsbrief command, run in-process with typer's CliRunner from a fresh working folder."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import httpx
import pytest
from typer.testing import CliRunner, Result

from http_server import LocalServer
from newsbrief import __version__, pipeline
from newsbrief.cli import app
from newsbrief.ingest import READERS
from newsbrief.nlp import SentenceEncoder
from newsbrief.settings import CONFIG_ENV, ENV_PREFIX, Settings
from newsbrief.store import Store
from seed_facts import write_near_copy

Run = Callable[..., Result]

# No setting leaks in from the environment; wide lines so that messages are not wrapped.
CLEAN_ENV = {ENV_PREFIX + f.name.upper(): None for f in fields(Settings)} | {
    CONFIG_ENV: None,
    "COLUMNS": "300",
}


def _article(n: int) -> str:
    return (
        f"Harbour Bridge Reopens After Repairs {n}\n"
        f"The harbour bridge reopened on day {n} after two months of repairs.\n"
        f"Engineers said the new cables would last for forty years, according to report {n}.\n"
    )


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Run:
    """Invoke the app with the test's tmp_path as working folder (short, relative paths)."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner(env=CLEAN_ENV)

    def invoke(*args: str | Path, stdin: str | None = None) -> Result:
        return runner.invoke(app, [str(a) for a in args], input=stdin)

    return invoke


def _ids(db: str) -> list[str]:
    with Store.open(db, readonly=True) as store:
        return list(store.iter_ids())


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()]


# --- ingest ----------------------------------------------------------------------------------
def test_ingest_seeds_twice(run: Run, seeds: Path) -> None:
    first = run("--db", "t.db", "ingest", seeds)
    assert first.exit_code == 0, first.output
    assert "2 ingested, 0 already present, 0 failed" in _lines(first.stdout)
    again = run("--db", "t.db", "ingest", seeds)
    assert again.exit_code == 0, again.output
    assert "0 ingested, 2 already present, 0 failed" in _lines(again.stdout)
    assert len(_ids("t.db")) == 2


def test_ingest_mixed_folder_reports_each_bad_input(run: Run, tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    folder.mkdir()
    (folder / "good1.txt").write_text(_article(1), "utf-8")
    (folder / "good2.txt").write_text(_article(2), "utf-8")
    (folder / "latin1.txt").write_bytes(
        _article(3).replace("bridge", "pont d'\xe9t\xe9").encode("latin-1")
    )
    (folder / "empty.txt").write_bytes(b"")
    (folder / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(64))
    (folder / "big.txt").write_text(_article(4) + "More words follow here. " * 40, "utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.7\n")
    (tmp_path / "small.toml").write_text("max_input_bytes = 600\n", "utf-8")

    result = run("ingest", "mixed", "--db", "t.db", "--config", "small.toml")

    assert result.exit_code == 1, result.output
    # a file of another type in a folder is passed over, counted (issue 15: it was a failure)
    summary = "3 ingested, 0 already present, 3 failed (1 skipped: 1 not an article type)"
    assert summary in _lines(result.stdout)
    errors = _lines(result.stderr)
    for line in [
        "failed: mixed/empty.txt: expected article text, found an empty file",
        "failed: mixed/image.txt: expected text, found binary data",
    ]:
        assert line in errors
    assert not any("notes.pdf" in line for line in errors)
    assert any(
        line.startswith("failed: mixed/big.txt:") and "more than the size cap of 600 bytes" in line
        for line in errors
    )
    assert any(line.startswith("warning: mixed/latin1.txt: invalid UTF-8") for line in errors)
    assert len(_ids("t.db")) == 3


def test_ingest_with_every_input_bad_is_a_total_failure(run: Run, tmp_path: Path) -> None:
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "notes.pdf").write_bytes(b"%PDF-1.7\n")
    result = run("ingest", "empty.txt", "notes.pdf", "missing.txt", "--db", "t.db")
    assert result.exit_code == 2, result.output
    assert "0 ingested, 0 already present, 3 failed" in _lines(result.stdout)
    assert "failed: missing.txt: no such file or directory" in _lines(result.stderr)
    unsupported = "failed: notes.pdf: unsupported file type '.pdf'; supported: "
    assert unsupported + ", ".join(sorted(READERS)) in _lines(result.stderr)  # named: a failure


def test_ingest_stdin_with_metadata_options(run: Run) -> None:
    result = run(
        "ingest",
        "-",
        "--db",
        "t.db",
        "--source",
        "Harbour News",
        "--published",
        "2025-10-17",
        stdin=_article(1),
    )
    assert result.exit_code == 0, result.output
    assert "1 ingested, 0 already present, 0 failed" in _lines(result.stdout)
    listed = run("articles", "--db", "t.db")
    assert "Harbour News" in listed.stdout
    assert "2025-10-17" in listed.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["ingest", "a.txt", "b.txt", "--url", "https://example.org/a"], "--url names one article"),
        (["ingest", "a.txt", "--published", "last Friday"], "expects an ISO 8601 date"),
        (["ingest", "a.txt", "--published", "9999-12-31"], "expects a date from 1900-01-01 to"),
        (["ingest"], "give at least one file"),
        (["ingest", "a.txt", "--config", "missing.toml"], "missing.toml"),
    ],
)
def test_ingest_usage_errors(run: Run, tmp_path: Path, args: list[str], message: str) -> None:
    for name in ("a.txt", "b.txt"):
        (tmp_path / name).write_text(_article(1), "utf-8")
    result = run(*args, "--db", "t.db")
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert not (tmp_path / "t.db").exists()


@pytest.mark.parametrize(
    "args",
    [["--db", "x.db", "ingest", "in"], ["ingest", "in", "--db", "x.db"]],
    ids=["db-before-command", "db-after-command"],
)
def test_db_option_before_or_after_the_command(run: Run, tmp_path: Path, args: list[str]) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text(_article(1), "utf-8")
    result = run(*args)
    assert result.exit_code == 0, result.output
    assert len(_ids("x.db")) == 1
    assert not (tmp_path / "newsbrief.db").exists()


# --- ingest: hostile inputs (issue 15) ------------------------------------------------------
def _no_traceback(result: Result) -> None:
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output


def _page(charset: str) -> bytes:
    """An article page that declares ``charset`` but holds windows-1252 bytes."""
    body = f"The café by the harbour, says the {charset} page, reopened on Monday. " * 3
    return (
        f'<html><head><meta charset="{charset}"><title>Café Reopens</title></head><body>'
        f"<article><h1>Café Reopens</h1><p>{body}</p></article></body></html>"
    ).encode("cp1252")


def _feed_with_a_surrogate_reference() -> str:
    words = " ".join(f"word{i}" for i in range(90))
    return (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Harbour Feed</title><item>'
        "<title>Lone &#xD800; surrogate</title><link>https://example.org/feed/1</link>"
        f"<description>The harbour &#xD800; reopened. {words}</description></item></channel></rss>"
    )


def _hostile_folder(folder: Path) -> None:
    """Beside two good articles, one input of each kind that stopped a whole run."""
    folder.mkdir()
    (folder / "good1.txt").write_text(_article(1), "utf-8")
    (folder / "good2.txt").write_text(_article(2), "utf-8")
    (folder / "deep.txt").write_text(_article(3), "utf-8")
    (folder / "deep.meta.json").write_text("[" * 100_000 + "]" * 100_000, "utf-8")
    (folder / "lines.jsonl").write_text(
        "\n".join(
            [
                '{"text": ' + json.dumps(_article(4)) + "}",
                '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}",
                '{"text": "x", "note": ' + "9" * 5000 + "}",
                '{"text": ' + json.dumps(_article(5)).replace("bridge", "bridge \\ud800") + "}",
            ]
        ),
        "utf-8",
    )
    (folder / "feed.rss").write_text(_feed_with_a_surrogate_reference(), "utf-8")
    for charset in ("idna", "undefined", "punycode"):
        (folder / f"{charset}.html").write_bytes(_page(charset))
    (folder / "logo.html").write_text(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><title>Logo</title>'
        '<circle r="3"/></svg>\n',
        "utf-8",
    )
    (folder / os.fsdecode(b"caf\xe9.txt")).write_bytes(_article(6).encode())  # not UTF-8
    (folder / "README.md").write_text("# Articles\n", "utf-8")
    (folder / "short.txt").write_text("Hi\nTen chars.\n", "utf-8")
    long_text = "".join(f"Line {i} of a text far longer than any article.\n" for i in range(25_000))
    (folder / "long.txt").write_text("A Very Long Text\n" + long_text, "utf-8")


def test_ingest_of_hostile_inputs_keeps_every_good_article(run: Run, tmp_path: Path) -> None:
    """Each of these inputs stopped the whole run with a traceback (exit 1, nothing stored):
    now each is refused with its reason, or read with a warning, and the run goes on."""
    _hostile_folder(tmp_path / "in")
    result = run("ingest", "in", "--db", "t.db")
    _no_traceback(result)
    assert result.exit_code == 1, result.output  # partial: some failed, the others stored
    assert _lines(result.stdout) == [
        "9 ingested, 0 already present, 6 failed (1 skipped: 1 not an article type)"
    ]
    errors = _lines(result.stderr)
    assert all(len(line) < 1200 for line in errors)  # excerpts, never the input
    for fragment in [
        "failed: in/deep.meta.json: expected JSON nested at most 32 levels deep",
        "failed: in/lines.jsonl:2: expected JSON nested at most 32 levels deep",
        "failed: in/lines.jsonl:3: expected JSON numbers of at most 100 characters, found one "
        "of 5,000",
        "failed: in/logo.html: expected an HTML page, found markup the parser fails on "
        "(AssertionError",
        "failed: in/long.txt: expected an article of at most 200,000 characters (setting "
        "max_article_chars), found 1,",
        "failed: in/short.txt: expected an article of at least 40 characters (spaces apart), "
        "found 9: too short to be an article",
        "warning: in/idna.html: not UTF-8 and no usable charset declared (found 'idna', which "
        "names no text encoding); read as windows-1252",
        "warning: in/undefined.html: not UTF-8 and no usable charset declared (found 'undefined'",
    ]:
        assert any(line.startswith(fragment) for line in errors), (fragment, errors)
    with Store.open("t.db", readonly=True) as store:
        stored = store.load(list(store.iter_ids()))
    origins = sorted(a.article.origin for a in stored)
    assert "in/caf\\xe9.txt" in origins  # the undecodable byte of the name, escaped
    texts = " ".join(a.article.title + a.article.text for a in stored)
    assert "\ufffd" in texts  # the lone surrogates, replaced
    assert "Café Reopens" in {a.article.title for a in stored}  # read as windows-1252
    again = run("ingest", "in", "--db", "t.db")  # a rerun fails the same inputs, no others
    assert "0 ingested, 9 already present, 6 failed" in again.stdout


def test_ingest_of_too_long_file_names(run: Run, tmp_path: Path) -> None:
    stem = "b" * 251  # its sidecar's name (stem + .meta.json) is too long to exist
    (tmp_path / f"{stem}.txt").write_text(_article(1), "utf-8")
    result = run("ingest", "a" * 300 + ".txt", f"{stem}.txt", "--db", "t.db")
    _no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "1 ingested, 0 already present, 1 failed" in _lines(result.stdout)
    assert f"failed: {'a' * 300}.txt: File name too long" in _lines(result.stderr)
    url = run("ingest", "a" * 300 + ".txt", "--url", "https://example.org/a", "--db", "t.db")
    _no_traceback(url)
    assert url.exit_code == 2, url.output


def test_ingest_reports_an_unreadable_subdirectory(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "in" / "locked").mkdir(parents=True)
    (tmp_path / "in" / "good.txt").write_text(_article(1), "utf-8")
    (tmp_path / "in" / "locked" / "hidden.txt").write_text(_article(2), "utf-8")
    listdir = os.listdir

    def refusing(path: str | os.PathLike[str] = ".") -> list[str]:
        if Path(path).name == "locked":  # as chmod 000 would for a user who is not root
            raise PermissionError(13, "Permission denied", str(path))
        return listdir(path)

    monkeypatch.setattr(os, "listdir", refusing)
    result = run("ingest", "in", "--db", "t.db")
    assert result.exit_code == 1, result.output
    assert "1 ingested, 0 already present, 1 failed" in _lines(result.stdout)
    assert (
        "failed: in/locked: cannot read the directory (Permission denied); its files were not "
        "read" in _lines(result.stderr)
    )


def test_an_article_the_analysis_cannot_take_costs_no_other(run: Run, tmp_path: Path) -> None:
    """Above spaCy's 1,000,000 characters (error E088), the batch raised and none of it was
    stored, on every rerun. With the setting raised past spaCy's limit the analysis refuses
    it: that article alone is a failure (stage analyse); the others of its batch are stored."""
    (tmp_path / "in").mkdir()
    for n in range(1, 4):
        (tmp_path / "in" / f"good{n}.txt").write_text(_article(n), "utf-8")
    text = "".join(f"Line {i} of a text far longer than any article.\n" for i in range(25_000))
    (tmp_path / "in" / "huge.txt").write_text("A Very Long Text\n" + text, "utf-8")
    (tmp_path / "big.toml").write_text("max_article_chars = 2_000_000\n", "utf-8")
    result = run("ingest", "in", "--db", "t.db", "--config", "big.toml")
    _no_traceback(result)
    assert result.exit_code == 1, result.output
    assert "3 ingested, 0 already present, 1 failed" in _lines(result.stdout)
    assert any(
        line.startswith("failed: in/huge.txt: expected an article the analysis can take, found ")
        and "E088" in line
        for line in _lines(result.stderr)
    )
    assert len(_ids("t.db")) == 3
    only = run("ingest", "in/huge.txt", "--db", "t.db", "--config", "big.toml")
    assert only.exit_code == 2, only.output  # its only article failed: a total failure


# --- articles --------------------------------------------------------------------------------
def test_articles_lists_stored_ids(run: Run, seeds: Path) -> None:
    run("ingest", seeds, "--db", "t.db")
    result = run("--db", "t.db", "articles")
    assert result.exit_code == 0, result.output
    ids = _ids("t.db")
    assert len(ids) == 2
    assert all(article_id in result.stdout for article_id in ids)
    assert "2 of 2 article(s)" in _lines(result.stdout)
    only_miami = run("articles", "--db", "t.db", "--query", "miami")
    assert "1 of 2 article(s)" in _lines(only_miami.stdout)


def test_articles_without_a_store(run: Run, tmp_path: Path) -> None:
    result = run("articles", "--db", "t.db")
    assert result.exit_code == 2
    assert "no store at" in result.stderr
    assert not (tmp_path / "t.db").exists()


# --- brief -----------------------------------------------------------------------------------
def _check_brief(fmt: str, text: str) -> None:
    if fmt == "md":
        assert text.startswith("# ")
        assert "## Sources" in text
        assert "Miami Daily Life" in text
    elif fmt == "json":
        brief = json.loads(text)
        assert len(brief["sources"]) == 2
        assert brief["sections"]
    else:
        assert text.startswith("<!doctype html>")
        assert text.rstrip().endswith("</html>")


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_brief_to_stdout(run: Run, seeds: Path, fmt: str) -> None:
    result = run("brief", seeds, "--format", fmt, "--db", "t.db")
    assert result.exit_code == 0, result.output
    _check_brief(fmt, result.stdout)  # the ingest summary goes to stderr, not into the brief
    assert "2 ingested, 0 already present, 0 failed" in _lines(result.stderr)


@pytest.mark.parametrize("fmt", ["md", "json", "html"])
def test_brief_to_a_file(run: Run, seeds: Path, tmp_path: Path, fmt: str) -> None:
    result = run("--db", "t.db", "brief", seeds, "-f", fmt, "--output", f"brief.{fmt}")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert f"brief written to brief.{fmt}" in _lines(result.stderr)
    _check_brief(fmt, (tmp_path / f"brief.{fmt}").read_text("utf-8"))


def test_brief_of_stored_articles_by_id_prefix(run: Run, seeds: Path) -> None:
    run("ingest", seeds, "--db", "t.db")
    prefixes = [article_id[:6] for article_id in _ids("t.db")]
    result = run("brief", "-a", prefixes[0], "-a", prefixes[1], "-f", "json", "--db", "t.db")
    assert result.exit_code == 0, result.output
    assert sorted(s["article_id"][:6] for s in json.loads(result.stdout)["sources"]) == sorted(
        prefixes
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["brief"], "give files or directories to brief, or --article"),
        (["brief", "SEEDS", "--format", "pdf"], "--format expects one of md, json, html"),
        (["brief", "-a", "0000"], "expected one article with id '0000'"),
    ],
)
def test_brief_usage_errors(run: Run, seeds: Path, args: list[str], message: str) -> None:
    result = run(*[str(seeds) if a == "SEEDS" else a for a in args], "--db", "t.db")
    assert result.exit_code == 2, result.output
    assert message in result.stderr


# --- brief --all: each story on its own (issue 15) --------------------------------------------
@pytest.fixture
def two_stories(run: Run, seeds: Path, tmp_path: Path) -> dict[str, str]:
    """A store (t.db) of two stories: seed 004 with a near copy of it, and a harbour bridge
    article; the story id of each ("copies", "harbour")."""
    folder = tmp_path / "stories"
    write_near_copy(seeds, folder)
    (folder / "harbour.txt").write_text(_article(1), "utf-8")
    (folder / "harbour.meta.json").write_text(
        json.dumps({"source": "Harbour Gazette", "published": "2025-10-17"}), "utf-8"
    )
    result = run("--db", "t.db", "ingest", folder)
    assert result.exit_code == 0, result.output
    with Store.open("t.db", readonly=True) as store:
        rows = store.list_stories()
        stories = {("harbour" if "Harbour" in r.title else "copies"): r.id for r in rows}
        assert len(rows) == 2 and len(store.story_articles(stories["copies"])) == 2
    return stories


def _failing_for(monkeypatch: pytest.MonkeyPatch, story_ids: set[str]) -> None:
    """Make pipeline.brief_story raise for the given stories."""
    real = pipeline.brief_story

    def brief_story(
        store: Store, story_id: str, encoder: SentenceEncoder | None = None
    ) -> pipeline.StoryBrief:
        if story_id in story_ids:
            raise RuntimeError("no brief of this one")
        return real(store, story_id, encoder)

    monkeypatch.setattr(pipeline, "brief_story", brief_story)


def test_brief_all_briefs_a_story_with_a_near_copy(run: Run, two_stories: dict[str, str]) -> None:
    # the near copy's story raised KeyError in the brief's weight table, and --all printed
    # nothing at all
    result = run("--db", "t.db", "brief", "--all", "--format", "json")
    assert result.exit_code == 0, result.output
    briefs = json.loads(result.stdout)
    assert sorted(len(b["sources"]) for b in briefs) == [1, 2]


def test_brief_all_reports_a_failing_story_and_prints_the_others(
    run: Run, two_stories: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _failing_for(monkeypatch, {two_stories["harbour"]})
    result = run("--db", "t.db", "brief", "--all", "--format", "json")
    assert result.exit_code == 1, result.output  # partial
    (brief,) = json.loads(result.stdout)
    assert len(brief["sources"]) == 2  # the near copies' story
    errors = _lines(result.stderr)
    assert f"failed: story {two_stories['harbour']}: RuntimeError: no brief of this one" in errors
    assert "1 of 2 stories briefed, 1 failed" in errors


def test_brief_all_fails_when_no_story_can_be_briefed(
    run: Run, two_stories: dict[str, str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    _failing_for(monkeypatch, set(two_stories.values()))
    result = run("--db", "t.db", "brief", "--all", "--output", "all.md")
    assert result.exit_code == 2, result.output
    errors = _lines(result.stderr)
    for story_id in two_stories.values():
        assert f"failed: story {story_id}: RuntimeError: no brief of this one" in errors
    assert "error: no story could be briefed (2 failed)" in errors
    assert not (tmp_path / "all.md").exists()
    one = run("--db", "t.db", "brief", "--story", two_stories["copies"][:8])
    assert one.exit_code == 2, one.output
    assert one.stdout == ""


# --- help and version ------------------------------------------------------------------------
def test_version(run: Run) -> None:
    result = run("--version")
    assert result.exit_code == 0
    assert result.stdout.strip() == f"newsbrief {__version__}"


@pytest.mark.parametrize("command", [[], ["ingest"], ["articles"], ["brief"]])
def test_help_has_an_example(run: Run, command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0, result.output
    assert "Example: newsbrief " in result.stdout


# --- reanalyse -------------------------------------------------------------------------------
def test_reanalyse_brings_an_old_store_up_to_date(run: Run, seeds: Path) -> None:
    assert run("--db", "t.db", "ingest", seeds).exit_code == 0
    with Store.open("t.db") as store:  # as an older version left it: no roles, quotes whole
        before = {a.article.id: a for a in store.load(list(store.iter_ids()))}
        for analysis in before.values():
            quotes = tuple(q for q in analysis.quotes if not q.parts)
            store.replace_analysis(replace(analysis, quotes=quotes, roles=()))
        stories = [(s.id, s.articles) for s in store.list_stories()]
    result = run("--db", "t.db", "reanalyse")
    assert result.exit_code == 0, result.output
    assert "2 article(s) analysed again, 0 failed" in result.output
    with Store.open("t.db", readonly=True) as store:
        after = {a.article.id: a for a in store.load(list(store.iter_ids()))}
        assert [(s.id, s.articles) for s in store.list_stories()] == stories
    assert after == before  # the same analysis as a fresh ingest, roles and split quotes back
    assert any(a.roles for a in after.values())
    assert any(q.parts for a in after.values() for q in a.quotes)


def test_reanalyse_keeps_going_past_an_article_it_cannot_take(
    run: Run, seeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert run("--db", "t.db", "ingest", seeds).exit_code == 0
    real = pipeline.find_quotes

    def fails_on_one(doc: Any, text: str, *rest: Any) -> Any:
        if "Szijj" in text:  # the one seed that names Szijjártó
            raise RuntimeError("a fault of ours on odd text")
        return real(doc, text, *rest)

    monkeypatch.setattr(pipeline, "find_quotes", fails_on_one)
    result = run("--db", "t.db", "reanalyse")
    assert result.exit_code == 1, result.output
    assert "1 article(s) analysed again, 1 failed" in result.stdout
    assert "RuntimeError: a fault of ours on odd text" in result.stderr
    assert "(its earlier analysis is kept)" in result.stderr


def test_serve_starts_the_web_app(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    from newsbrief.web import SHUTDOWN_GRACE

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    monkeypatch.setenv("NEWSBRIEF_TOKEN", "t0ken")
    result = run("--db", "web.db", "serve", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"]) == ("127.0.0.1", 8123)  # loopback by default
    assert started["app"].state.web.token == "t0ken"  # type: ignore[attr-defined]
    assert started["timeout_graceful_shutdown"] == SHUTDOWN_GRACE  # SIGTERM stops it in time
    assert "POST /api/ingest on" in result.output
    monkeypatch.delenv("NEWSBRIEF_TOKEN")
    off = run("--db", "web.db", "serve")
    assert "POST /api/ingest off (set NEWSBRIEF_TOKEN)" in off.output
    assert run("serve", "--port", "0").exit_code == 2


SERVE_WAIT = 120  # seconds the hanging page holds the ingest (it would hold an old server)
SERVE_MARGIN = 5  # seconds past the grace period for the process to exit


@pytest.mark.slow
def test_serve_stops_on_sigterm_with_an_ingest_in_flight(
    tmp_path: Path, server: LocalServer
) -> None:
    """A real `newsbrief serve`: an ingest hangs on a page that never comes (as a long one ran
    for minutes); SIGTERM stops the server within its grace period all the same."""
    from newsbrief.web import SHUTDOWN_GRACE

    for path in ("/robots.txt", "/a"):
        server.route(path, handler=lambda _: server.closing.wait(SERVE_WAIT))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in CLEAN_ENV} | {
        "NEWSBRIEF_TOKEN": "t0ken",
        "NEWSBRIEF_ALLOW_PRIVATE": "true",
        "NEWSBRIEF_FETCH_READ_TIMEOUT": str(SERVE_WAIT),
        "NEWSBRIEF_PER_HOST_DELAY": "0",
    }
    newsbrief = Path(sys.executable).with_name("newsbrief")
    command = [str(newsbrief), "--db", str(tmp_path / "w.db"), "serve", "--port", str(port)]
    log = tmp_path / "serve.log"
    base = f"http://127.0.0.1:{port}"
    with log.open("wb") as stderr:
        proc = subprocess.Popen(command, env=env, stderr=stderr)
    try:
        _until(lambda: _answers(base + "/api/stories"), "the server to start")
        post = (base + "/api/ingest", {"urls": [server.url("/a")]})
        threading.Thread(target=_post_quietly, args=post, daemon=True).start()
        _until(lambda: bool(server.requests), "the ingest to fetch")
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=SHUTDOWN_GRACE + SERVE_MARGIN)
        except subprocess.TimeoutExpired:
            pytest.fail(f"still serving {SHUTDOWN_GRACE + SERVE_MARGIN} s after SIGTERM: "
                        f"{log.read_text()[-2000:]}")  # fmt: skip
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def _until(done: Callable[[], bool], what: str) -> None:
    deadline = time.monotonic() + 60
    while not done():
        if time.monotonic() > deadline:
            pytest.fail(f"waited 60 s for {what}")
        time.sleep(0.1)


def _answers(url: str) -> bool:
    try:
        return httpx.get(url, timeout=1).status_code == 200
    except httpx.HTTPError:
        return False


def _post_quietly(url: str, body: dict[str, object]) -> None:
    """POST with the token; the server may go away first, which is what the test wants."""
    with contextlib.suppress(httpx.HTTPError):
        httpx.post(url, json=body, headers={"Authorization": "Bearer t0ken"}, timeout=SERVE_WAIT)
