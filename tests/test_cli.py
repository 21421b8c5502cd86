"""The newsbrief command, run in-process with typer's CliRunner from a fresh working folder."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import fields, replace
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from newsbrief import __version__
from newsbrief.cli import app
from newsbrief.ingest import READERS
from newsbrief.settings import CONFIG_ENV, ENV_PREFIX, Settings
from newsbrief.store import Store

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
    assert "3 ingested, 0 already present, 4 failed" in _lines(result.stdout)
    errors = _lines(result.stderr)
    for line in [
        "failed: mixed/empty.txt: expected article text, found an empty file",
        "failed: mixed/image.txt: expected text, found binary data",
        "failed: mixed/notes.pdf: unsupported file type '.pdf'; supported: "
        + ", ".join(sorted(READERS)),
    ]:
        assert line in errors
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
    assert "2 article(s) analysed again" in result.output
    with Store.open("t.db", readonly=True) as store:
        after = {a.article.id: a for a in store.load(list(store.iter_ids()))}
        assert [(s.id, s.articles) for s in store.list_stories()] == stories
    assert after == before  # the same analysis as a fresh ingest, roles and split quotes back
    assert any(a.roles for a in after.values())
    assert any(q.parts for a in after.values() for q in a.quotes)


def test_serve_starts_the_web_app(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    import uvicorn

    started: dict[str, object] = {}
    monkeypatch.setattr(uvicorn, "run", lambda app, **kw: started.update(app=app, **kw))
    monkeypatch.setenv("NEWSBRIEF_TOKEN", "t0ken")
    result = run("--db", "web.db", "serve", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert (started["host"], started["port"]) == ("127.0.0.1", 8123)  # loopback by default
    assert started["app"].state.web.token == "t0ken"  # type: ignore[attr-defined]
    assert "POST /api/ingest on" in result.output
    monkeypatch.delenv("NEWSBRIEF_TOKEN")
    off = run("--db", "web.db", "serve")
    assert "POST /api/ingest off (set NEWSBRIEF_TOKEN)" in off.output
    assert run("serve", "--port", "0").exit_code == 2
