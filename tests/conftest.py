"""Fixtures shared by the test modules: fresh settings, an open store (SQLite, or PostgreSQL
for the tests marked postgres), the seed articles."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from sqlalchemy import create_engine, text
from sqlalchemy.exc import SQLAlchemyError

from http_server import LocalServer
from newsbrief.settings import Settings, load_settings
from newsbrief.store import Store

FIXTURES = Path(__file__).parent / "fixtures"

# Tests with generated inputs draw the same examples at every run (CI stays deterministic, a
# failure reproduces); bench/fuzz.py explores beyond them, with new seeds, for as long as
# asked. HYPOTHESIS_PROFILE=explore makes the tests draw new examples too.
hypothesis_settings.register_profile("deterministic", derandomize=True, database=None)
hypothesis_settings.register_profile("explore", database=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "deterministic"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    """Shipped defaults only (no environment), with a store in this test's tmp_path."""
    return load_settings(env={}, db=str(tmp_path / "t.db"))


@pytest.fixture
def store(settings: Settings) -> Iterator[Store]:
    with Store.open(settings.db) as opened:
        yield opened


@pytest.fixture
def server() -> Iterator[LocalServer]:
    """A local HTTP server on 127.0.0.1 serving the routes a test registers."""
    with LocalServer() as running:
        yield running


@pytest.fixture
def web(settings: Settings) -> Settings:
    """Settings for fetching from the local server: private addresses allowed, short timeouts,
    no per-host delay."""
    return settings.replace(
        allow_private=True, per_host_delay=0.0, fetch_connect_timeout=0.5, fetch_read_timeout=0.5
    )


@pytest.fixture
def seeds() -> Path:
    """The folder of the two seed articles (000_… and 004_…), with their sidecars."""
    return FIXTURES / "seeds"


# The PostgreSQL database the tests marked postgres use (a fresh schema each); skipped when the
# driver is missing or the server does not answer. CI runs them against a local server.
PG_ENV = "NEWSBRIEF_TEST_PG"
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@pytest.fixture
def pg_db() -> Iterator[str]:
    """A SQLAlchemy URL of a fresh, empty schema in the test PostgreSQL database, dropped
    afterwards."""
    pytest.importorskip("psycopg", reason="PostgreSQL tests need the driver: pip install psycopg")
    url = os.environ.get(PG_ENV, PG_DEFAULT)
    schema = f"newsbrief_test_{uuid.uuid4().hex[:12]}"
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(text(f"CREATE SCHEMA {schema}"))
    except SQLAlchemyError as exc:
        engine.dispose()
        pytest.skip(f"no PostgreSQL at {url} ({PG_ENV}): {exc.__class__.__name__}")
    sep = "&" if "?" in url else "?"
    try:
        yield f"{url}{sep}options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def any_store(request: pytest.FixtureRequest, settings: Settings) -> Iterator[Store]:
    """An open store on SQLite, then on PostgreSQL."""
    db = settings.db if request.param == "sqlite" else request.getfixturevalue("pg_db")
    with Store.open(db) as opened:
        yield opened
