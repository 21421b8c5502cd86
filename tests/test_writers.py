"""Two writers on one store: two real `newsbrief ingest` processes with overlapping inputs, on
SQLite and on PostgreSQL. Both finish with exit code 0; every article is stored once and placed
once; every story's stored size and state are those of its members."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

pytestmark = pytest.mark.slow

# Six events, six reports each: stories to found, join and merge from both processes at once.
EVENTS = [
    ("earthquake", "Chile", "Valparaiso", "Onemi", "magnitude 7.1"),
    ("flood", "Germany", "Ahrweiler", "the Red Cross", "two metres of water"),
    ("wildfire", "Greece", "Evia", "the fire brigade", "40 square kilometres"),
    ("bridge collapse", "Italy", "Genoa", "Autostrade", "a 200-metre span"),
    ("train crash", "India", "Odisha", "Indian Railways", "three trains"),
    ("cyclone", "Mozambique", "Beira", "the UN", "winds of 170 km/h"),
]
REPORTS = 20
WAIT_SECONDS = 240  # for both processes; the test takes ~15 s a backend on a laptop


def _articles(folder: Path) -> list[Path]:
    """REPORTS articles on each event, each worded its own way."""
    folder.mkdir()
    paths = []
    for e, (kind, country, city, source, size) in enumerate(EVENTS):
        for r in range(REPORTS):
            day = 3 + e * 2 + r % 2
            lines = [
                f"{kind.title()} in {city}: report {r + 1} from {country}",
                f"A {kind} hit {city} in {country} on March {day}, {source} said in its "
                f"update number {r + 1}.",
                f"Officials in {city} described {size} and said {r + 2} districts were hit.",
                f"Rescue teams from across {country} reached {city} by the evening.",
            ]
            if r % 2:
                lines.append(f"Residents of {city} gathered in schools opened as shelters.")
            path = folder / f"{e}_{r}.txt"
            path.write_text("\n".join(lines) + "\n", "utf-8")
            meta = f'{{"source": "Outlet {r}", "published": "2024-03-{day:02d}"}}'
            (folder / f"{e}_{r}.meta.json").write_text(meta, "utf-8")
            paths.append(path)
    return paths


def _split(paths: list[Path], tmp: Path) -> tuple[Path, Path]:
    """Two input folders, A with the first two thirds of the articles and B with the last two
    thirds, interleaved so that both write to every story."""
    a, b = tmp / "a", tmp / "b"
    a.mkdir()
    b.mkdir()
    third = len(paths) // 3
    for n, path in enumerate(paths):
        which = [a] if n % 3 == 0 else [b] if n % 3 == 1 else [a, b]
        for folder in which:
            (folder / path.name).write_bytes(path.read_bytes())
            sidecar = path.with_name(path.stem + ".meta.json")
            (folder / sidecar.name).write_bytes(sidecar.read_bytes())
    assert third
    return a, b


def _two_ingests(db: str, a: Path, b: Path, tmp: Path) -> list[tuple[int, str]]:
    env = {
        **os.environ,
        # small batches, so that the two processes write in turns all along the run
        "NEWSBRIEF_NLP_BATCH_SIZE": "2",
        "NEWSBRIEF_ENCODER": "newsbrief.cluster:HashingEncoder",
        "NEWSBRIEF_KEEP_BRIEFS": "false",
    }
    script = "from newsbrief.cli import main; main()"
    runs = []
    for name, folder in (("a", a), ("b", b)):
        log = (tmp / f"{name}.log").open("wb")
        command = [sys.executable, "-c", script, "--db", db, "ingest", str(folder)]
        runs.append((subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env), log))
    results = []
    for process, log in runs:
        code = process.wait(timeout=WAIT_SECONDS)
        log.close()
        results.append((code, Path(log.name).read_text("utf-8")))
    return results


def _check(url: str, expected: int) -> None:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:

            def one(sql: str) -> int:
                return int(conn.execute(text(sql)).scalar() or 0)

            assert one("SELECT count(*) FROM articles") == expected
            assert one("SELECT count(DISTINCT article_id) FROM story_members") == expected
            assert one("SELECT count(*) FROM story_members") == expected
            wrong_size = one(
                "SELECT count(*) FROM stories s WHERE s.size != "
                "(SELECT count(*) FROM story_members m WHERE m.story_id = s.id)"
            )
            assert wrong_size == 0
            assert one("SELECT sum(size) FROM stories") == expected
            # one placement, one raise of the counter
            assert one("SELECT value FROM counters WHERE name = 'stories'") == expected
            orphans = one(
                "SELECT count(*) FROM story_members m "
                "LEFT JOIN stories s ON s.id = m.story_id WHERE s.id IS NULL"
            )
            assert orphans == 0
            stories = one("SELECT count(*) FROM stories")
            assert len(EVENTS) <= stories < expected
    finally:
        engine.dispose()


def _run(db: str, url: str, tmp: Path) -> None:
    paths = _articles(tmp / "all")
    a, b = _split(paths, tmp)
    results = _two_ingests(db, a, b, tmp)
    for code, log in results:
        assert code == 0, log
    ingested = [int(log.strip().splitlines()[-1].split()[0]) for _, log in results]
    assert sum(ingested) == len(paths), results
    _check(url, len(paths))


def test_two_ingests_on_one_sqlite_file(tmp_path: Path) -> None:
    db = tmp_path / "t.db"
    _run(str(db), f"sqlite:///{db}", tmp_path)


@pytest.mark.postgres
def test_two_ingests_on_one_postgresql_database(tmp_path: Path, pg_db: str) -> None:
    _run(pg_db, pg_db, tmp_path)
