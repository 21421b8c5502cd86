"""The REST API against its own OpenAPI document (schemathesis): generated requests to every
operation, no server error and responses as documented; the same at the bounds each parameter
keeps (numbers beyond SQLite's integers, moments beyond UTC, ids that cannot be ids, long search
text), and generated requests to the pages, which the document leaves out. POST /api/ingest is
exercised without the token (401): generated articles would each run the whole pipeline."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newsbrief import nlp, pipeline
from newsbrief.ingest import expand
from newsbrief.settings import load_settings
from newsbrief.store import Store
from newsbrief.web import create_app

# Per operation: enough to find a crash on odd input (positive and negative), the whole module
# within a minute on two cores.
EXAMPLES = 60
PAGE_EXAMPLES = 150  # requests to the pages, all routes together
BEYOND = [2**31, 2**63 - 1, 2**63, 2**70, -(2**63) - 1]  # 32- and 64-bit edges, and past them

# schemathesis reads the document when the module loads: the app starts on an empty store,
# which the fixture below fills before the first test
FOLDER = Path(tempfile.mkdtemp(prefix="newsbrief-schema-"))
CONFIG = load_settings(env={}, db=str(FOLDER / "api.db"))
APP = create_app(CONFIG, token="t0ken")
schema = schemathesis.openapi.from_asgi("/openapi.json", APP)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module", autouse=True)
def seed_story() -> Iterator[str]:
    with Store.open(CONFIG.db) as store:
        pipeline.ingest(expand([str(Path(__file__).parent / "fixtures" / "seeds")]), store, CONFIG)
        for row in store.list_stories():
            pipeline.brief_story(store, row.id, nlp.load_encoder(CONFIG))
        story = store.list_stories()[0].id
    yield story
    shutil.rmtree(FOLDER, ignore_errors=True)


@schema.parametrize()
@FUZZ
def test_the_api_keeps_its_contract(case: schemathesis.Case) -> None:
    case.call_and_validate()


def _bounds(story: str) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(operation path, path parameters, query) at and past each parameter's bounds."""
    ids = ["a" * 50_000, "zz", "0" * 17, story + "0", story.upper(), story[:1]]
    out: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    out += [("/api/stories/{story_id}/versions/{version}", {"story_id": story, "version": n}, {})
            for n in BEYOND]  # fmt: skip
    out += [("/api/stories", {}, {"offset": n}) for n in BEYOND]
    out += [("/api/stories", {}, {"limit": n}) for n in BEYOND]
    out += [("/api/articles", {}, {"limit": n}) for n in BEYOND]
    out += [("/api/stories", {}, {name: "a" * 50_001}) for name in ("q", "outlet", "actor")]
    out += [("/api/articles", {}, {"q": "%_" * 30_000})]
    moments = ("9999-12-31T23:00:00-05:00", "0001-01-01T00:00:00+14:00",
               "9999-12-31T23:59:59.999999", "0001-01-01", "2025-10-17T25:00")  # fmt: skip
    out += [("/api/stories/{story_id}/diff", {"story_id": story}, {"since": m}) for m in moments]
    out += [("/api/stories/{story_id}", {"story_id": i}, {}) for i in ids]
    out += [("/api/articles/{article_id}", {"article_id": i}, {}) for i in ids]
    return out


def test_the_api_keeps_its_contract_at_its_bounds(seed_story: str) -> None:
    for path, path_parameters, query in _bounds(seed_story):
        case = schema[path]["GET"].Case(path_parameters=path_parameters, query=query)
        response = case.call()
        assert response.status_code < 500, (path, path_parameters, query, response.text[:300])
        case.validate_response(response)


# The pages and their parameters; {id} and {n} are filled from the drawn values.
PAGES = [
    ("/", ("page", "q")),
    ("/", ("actor", "since")),
    ("/stories/{id}", ()),
    ("/stories/{id}/sources", ()),
    ("/stories/{id}/versions", ()),
    ("/stories/{id}/versions/{n}/changes", ()),
    ("/articles/{id}", ("start", "end")),
]
LONG = 50_001  # characters: past SQLite's LIKE pattern limit


def test_the_pages_answer_every_request_without_a_server_error(seed_story: str) -> None:
    """Generated requests to the pages: ids real, prefixed, too long, not hex or any text;
    numbers anywhere; text of any kind or past SQLite's limits."""
    ids = {"story": seed_story, "prefix": seed_story[:4], "past": seed_story + "0",
           "long": "a" * LONG, "not hex": "zz"}  # fmt: skip
    with TestClient(APP) as client:  # a server error raises here, with its traceback

        @given(
            page=st.sampled_from(PAGES),
            named=st.sampled_from(sorted(ids)) | st.text(min_size=1, max_size=40),
            number=st.sampled_from(BEYOND) | st.integers(),
            text=st.text(max_size=60) | st.just("long"),
        )
        @settings(max_examples=PAGE_EXAMPLES, deadline=None)
        def hunt(page: tuple[str, tuple[str, ...]], named: str, number: int, text: str) -> None:
            path, names = page
            given_id = quote(ids.get(named, named), safe="")
            value = {"page": number, "start": number, "end": number}
            query = {n: value.get(n, text) for n in names}
            if text == "long" and names:  # one long value: a URL holds 65,536 characters
                query[names[-1]] = "a" * LONG
            url = path.format(id=given_id, n=number)
            answer = client.get(url, params=query, follow_redirects=False)
            assert answer.status_code < 500

        hunt()
