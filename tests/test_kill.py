"""An ingest killed with SIGKILL half-way leaves only whole articles, and re-running the same
command completes the store: each article exactly once."""

from __future__ import annotations

import signal
import sqlite3
import subprocess
import sys
import time
from contextlib import closing
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ARTICLES = 1000
WAIT_SECONDS = 60  # for each wait below; the whole test takes ~15 s on a laptop
TOPICS = "bridge harbour tunnel school hospital library market station stadium museum".split()


def _write_articles(folder: Path) -> None:
    folder.mkdir()
    for n in range(ARTICLES):
        topic = TOPICS[n % len(TOPICS)]
        lines = [
            f"Town {n} Reopens Its {topic.title()}",
            f"The {topic} in town {n} reopened on Monday after {n % 12 + 2} months of repairs.",
            f"Officials said the work on the {topic} had cost {n + 100} thousand euros.",
        ]
        if n % 2:
            lines.append(f"Residents of town {n} welcomed the news at a meeting on Tuesday.")
        (folder / f"article_{n:04d}.txt").write_text("\n".join(lines) + "\n", "utf-8")


def _count(db: Path, sql: str = "SELECT count(*) FROM articles") -> int:
    with closing(sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)) as conn:
        return int(conn.execute(sql).fetchone()[0])


def _stored_so_far(db: Path) -> int:
    """Articles stored by a running ingest; 0 while the store or its tables do not exist yet."""
    try:
        return _count(db)
    except sqlite3.OperationalError:
        return 0


def _no_process_left(marker: str) -> bool:
    """Whether, within a few seconds, no process runs with ``marker`` on its command line."""
    proc = Path("/proc")
    if not proc.is_dir():
        pytest.skip("needs /proc to list processes")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        alive = []
        for cmdline in proc.glob("[0-9]*/cmdline"):
            try:
                if marker.encode() in cmdline.read_bytes():
                    alive.append(cmdline.parent.name)
            except OSError:  # the process ended while we looked
                continue
        if not alive:
            return True
        time.sleep(0.1)
    return False


def _command(db: Path, folder: Path) -> list[str]:
    script = "from newsbrief.cli import main; main()"
    return [sys.executable, "-c", script, "--db", str(db), "ingest", str(folder)]


def test_sigkill_during_ingest_then_rerun(tmp_path: Path) -> None:
    folder, db = tmp_path / "articles", tmp_path / "t.db"
    _write_articles(folder)
    log = tmp_path / "first.log"

    with log.open("wb") as out:
        first = subprocess.Popen(_command(db, folder), stdout=out, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + WAIT_SECONDS
            while not 0 < _stored_so_far(db) < ARTICLES and first.poll() is None:
                assert time.monotonic() < deadline, "the first run stored nothing in time"
                time.sleep(0.02)
        finally:
            first.kill()  # SIGKILL: no chance to finish the article it is writing
            first.wait(timeout=WAIT_SECONDS)
    assert first.returncode == -signal.SIGKILL, log.read_text("utf-8")

    stored = _count(db)
    assert 0 < stored < ARTICLES, f"the kill did not land mid-run ({stored} stored)"
    assert _no_process_left(str(db)), "worker processes outlived the killed ingest"

    second = subprocess.run(
        _command(db, folder), capture_output=True, text=True, timeout=WAIT_SECONDS, check=False
    )
    assert second.returncode == 0, second.stderr
    summary = f"{ARTICLES - stored} ingested, {stored} already present, 0 failed"
    assert summary in second.stdout.splitlines()

    assert _count(db) == ARTICLES
    assert _count(db, "SELECT count(DISTINCT id) FROM articles") == ARTICLES
    assert _count(db, "SELECT count(DISTINCT origin) FROM articles") == ARTICLES
    orphans = "SELECT count(*) FROM sentences WHERE article_id NOT IN (SELECT id FROM articles)"
    assert _count(db, orphans) == 0
    # whole articles only: two body sentences each, three for every odd-numbered one
    assert _count(db, "SELECT count(*) FROM sentences") == 2 * ARTICLES + ARTICLES // 2
    # and every article in a story (the killed run's last one, if its story was not written
    # with it, got one on the re-run)
    assert _count(db, "SELECT count(*) FROM story_members") == ARTICLES
