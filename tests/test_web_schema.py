"""The REST API against its own OpenAPI document (schemathesis): generated requests to every
operation, no server error and responses as documented. POST /api/ingest is exercised without
the token (401): generated articles would each run the whole pipeline."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from newsbrief import nlp, pipeline
from newsbrief.ingest import expand
from newsbrief.settings import load_settings
from newsbrief.store import Store
from newsbrief.web import create_app

EXAMPLES = 25  # per operation: enough to find a crash on odd input, quick in CI

# schemathesis reads the document when the module loads: the app starts on an empty store,
# which the fixture below fills before the first test
FOLDER = Path(tempfile.mkdtemp(prefix="newsbrief-schema-"))
CONFIG = load_settings(env={}, db=str(FOLDER / "api.db"))
schema = schemathesis.openapi.from_asgi("/openapi.json", create_app(CONFIG, token="t0ken"))


@pytest.fixture(scope="module", autouse=True)
def seed_story() -> Iterator[None]:
    with Store.open(CONFIG.db) as store:
        pipeline.ingest(expand([str(Path(__file__).parent / "fixtures" / "seeds")]), store, CONFIG)
        for row in store.list_stories():
            pipeline.brief_story(store, row.id, nlp.load_encoder(CONFIG))
    yield
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_api_keeps_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()
