"""Fixtures shared by the test modules: fresh settings, an open store, the seed articles."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from http_server import LocalServer
from newsbrief.settings import Settings, load_settings
from newsbrief.store import Store

FIXTURES = Path(__file__).parent / "fixtures"


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
