"""The web app: REST API, pages, security (token, escaping, headers, read-only store)."""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, text
from sqlalchemy.exc import SQLAlchemyError

from newsbrief import nlp, pipeline
from newsbrief.ingest import expand
from newsbrief.records import RawArticle
from newsbrief.settings import Settings, load_settings
from newsbrief.store import Store
from newsbrief.web import create_app
from web_server import serving

TOKEN = "s3cret-token"
HOSTILE = RawArticle(
    origin="hostile",
    title="Council <script>alert(1)</script> votes on the harbour plan",
    text=(
        "The city council voted on Tuesday to approve the harbour plan <img src=x "
        "onerror=alert(2)> after a long debate.\n\n"
        'Opponents said the plan <a href="javascript:alert(3)">x</a> would cost the city '
        "far more than the mayor claims.\n\n"
        "The mayor said the harbour would reopen to ferries next spring."
    ),
    outlet="Harbour <b>Gazette</b>",
    url="javascript:alert(4)",
    published="2025-03-04",
)


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """A store with the seed story (its brief kept) and a hostile article's story."""
    folder = tmp_path_factory.mktemp("web")
    settings = load_settings(env={}, db=str(folder / "web.db"))
    seeds = Path(__file__).parent / "fixtures" / "seeds"
    with Store.open(settings.db) as store:
        pipeline.ingest([*expand([str(seeds)]), HOSTILE], store, settings)
        for row in store.list_stories():
            pipeline.brief_story(store, row.id, nlp.load_encoder(settings))
    yield settings


@pytest.fixture(scope="module")
def client(store_path: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(store_path, token=TOKEN)) as opened:
        yield opened


def _seed_story(client: TestClient) -> str:
    listed = client.get("/api/stories", params={"q": "Putin"}).json()
    (story,) = listed["stories"]
    return str(story["id"])


# --- API -----------------------------------------------------------------------------------


def test_stories_are_listed_searched_and_filtered(client: TestClient) -> None:
    every = client.get("/api/stories").json()
    assert every["total"] == 2 and len(every["stories"]) == 2
    seed = client.get("/api/stories", params={"q": "tomahawk"}).json()["stories"]
    assert [s["articles"] for s in seed] == [2] and "Trump" in seed[0]["actors"]
    assert client.get("/api/stories", params={"since": "2025-03-05"}).json()["total"] == 1
    assert client.get("/api/stories", params={"actor": "Putin"}).json()["total"] == 1
    assert client.get("/api/stories", params={"outlet": "nobody"}).json()["total"] == 0
    page = client.get("/api/stories", params={"limit": 1, "offset": 1}).json()
    assert page["total"] == 2 and len(page["stories"]) == 1
    assert client.get("/api/stories", params={"since": "not a date"}).status_code == 422
    assert client.get("/api/stories", params={"limit": 0}).status_code == 422


def test_a_story_by_prefix_with_its_members_and_versions(client: TestClient) -> None:
    story = _seed_story(client)
    got = client.get(f"/api/stories/{story[:8]}").json()
    assert got["id"] == story and got["versions"] == 1
    assert len(got["members"]) == 2 and all(m["title"] for m in got["members"])
    missing = client.get("/api/stories/ffffffffffff")
    assert missing.status_code == 404 and "story" in missing.json()["detail"]


def test_the_brief_in_each_format(client: TestClient) -> None:
    story = _seed_story(client)
    brief = client.get(f"/api/stories/{story}/brief").json()
    assert brief["sections"][0]["key"] == "executive_summary"
    assert all(i["citations"] for s in brief["sections"] for i in s["items"])
    md = client.get(f"/api/stories/{story}/brief", params={"format": "md"})
    assert md.headers["content-type"].startswith("text/markdown") and "## Timeline" in md.text
    page = client.get(f"/api/stories/{story}/brief", params={"format": "html"})
    assert page.text.startswith("<!doctype html>")
    assert "script-src" not in page.headers["content-security-policy"]  # default-src 'none'
    assert client.get(f"/api/stories/{story}/brief", params={"format": "pdf"}).status_code == 422


def test_versions_and_diff(client: TestClient) -> None:
    story = _seed_story(client)
    (version,) = client.get(f"/api/stories/{story}/versions").json()
    assert version["version"] == 1 and len(version["article_ids"]) == 2
    kept = client.get(f"/api/stories/{story}/versions/1").json()
    assert kept == client.get(f"/api/stories/{story}/brief").json()
    assert client.get(f"/api/stories/{story}/versions/7").status_code == 404
    same = client.get(f"/api/stories/{story}/diff", params={"since": version["created_at"]})
    assert same.status_code == 200
    assert same.json()["since"]["version"] == same.json()["until"]["version"] == 1
    early = client.get(f"/api/stories/{story}/diff", params={"since": "2001-01-01T00:00"})
    assert early.status_code == 404 and "found none" in early.json()["detail"]


def test_articles_and_actors(client: TestClient) -> None:
    listed = client.get("/api/articles", params={"q": "harbour"}).json()["articles"]
    (hostile,) = listed
    article = client.get(f"/api/articles/{hostile['id'][:6]}").json()
    assert article["text"].count("<script>") == 0  # the title holds it, not the text
    assert "<img src=x onerror=alert(2)>" in article["text"]  # plain text, kept as written
    first = article["sentences"][0]
    assert article["text"][first["start"] : first["end"]].startswith("The city council")
    assert client.get("/api/articles/zzzz").status_code == 404
    actors = client.get(f"/api/stories/{_seed_story(client)}/actors").json()
    putin = next(a for a in actors if a["name"] == "Vladimir Putin")
    assert putin["kind"] == "person" and putin["statements"] >= 1 and putin["mentions"] > 1


def test_the_openapi_document_and_its_reference_page(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert {"/api/stories", "/api/stories/{story_id}/brief", "/api/ingest"} <= set(spec["paths"])
    page = client.get("/api")
    assert page.status_code == 200 and "GET /api/stories/{story_id}/diff" in page.text


# --- ingest and its token --------------------------------------------------------------------

ARTICLE = {
    "title": "Ferry service resumes in the harbour",
    "text": (
        "Ferries returned to the harbour on Monday for the first time in two years.\n\n"
        "The operator said six crossings a day would run through the summer."
    ),
    "outlet": "Coast Daily",
    "published": "2025-03-10",
}


def test_ingest_needs_the_token(client: TestClient) -> None:
    body = {"articles": [ARTICLE]}
    missing = client.post("/api/ingest", json=body)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    wrong = client.post("/api/ingest", json=body, headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    basic = client.post("/api/ingest", json=body, headers={"Authorization": f"Basic {TOKEN}"})
    assert basic.status_code == 401
    bad_url = client.post(
        "/api/ingest", json={"urls": ["file:///etc/passwd"]},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )  # fmt: skip
    assert bad_url.status_code == 422


def test_ingest_is_off_without_a_token(store_path: Settings) -> None:
    with TestClient(create_app(store_path, token="")) as off:
        refused = off.post("/api/ingest", json={"articles": [ARTICLE]})
    assert refused.status_code == 403 and "NEWSBRIEF_TOKEN" in refused.json()["detail"]


def test_ingest_adds_articles(tmp_path: Path) -> None:
    settings = load_settings(env={}, db=str(tmp_path / "ingest.db"))
    with TestClient(create_app(settings, token=TOKEN)) as fresh:
        assert fresh.get("/api/stories").json()["total"] == 0  # a new store, created empty
        auth = {"Authorization": f"Bearer {TOKEN}"}
        done = fresh.post("/api/ingest", json={"articles": [ARTICLE]}, headers=auth).json()
        assert done["ingested"] == 1 and len(done["stories"]) == 1 and not done["rejected"]
        again = fresh.post("/api/ingest", json={"articles": [ARTICLE]}, headers=auth).json()
        assert again["ingested"] == 0 and again["present"] == 1
        blank = {**ARTICLE, "title": "Blank", "text": " \n \n "}
        refused = fresh.post("/api/ingest", json={"articles": [blank]}, headers=auth).json()
        assert refused["ingested"] == 0 and refused["rejected"][0]["reason"]
        (story,) = fresh.get("/api/stories").json()["stories"]
        assert story["title"] == ARTICLE["title"]


# --- pages ---------------------------------------------------------------------------------


def test_the_story_list_page(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.text.count('class="story-link"') == 2
    assert "2 stories" in page.text
    found = client.get("/", params={"q": "tomahawk"})
    assert found.text.count('class="story-link"') == 1
    assert 'value="tomahawk"' in found.text
    none = client.get("/", params={"outlet": "nobody"})
    assert "No stories match these filters" in none.text


def test_the_story_page_cites_every_sentence(client: TestClient) -> None:
    story = _seed_story(client)
    page = client.get(f"/stories/{story}")
    assert page.status_code == 200
    for heading in ("Executive Summary", "Who Thinks What?", "Timeline", "Where Sources Differ"):
        assert f"<h2>{heading}</h2>" in page.text
    brief = client.get(f"/api/stories/{story}/brief").json()
    first = brief["sections"][0]["items"][0]["citations"][0]
    sentence = first["text"].replace("’", "&rsquo;")
    assert f'<q class="source-sentence">{first["text"]}</q>' in page.text or sentence in page.text
    href = f"/articles/{first['article_id']}?start={first['start']}&amp;end={first['end']}#hl"
    assert href in page.text
    assert '<table class="actors">' in page.text and '<div class="versions">' in page.text
    moved = client.get(f"/stories/{story[:6]}", follow_redirects=False)
    assert moved.status_code == 307 and moved.headers["location"] == f"/stories/{story}"


def test_the_article_page_highlights_the_cited_sentence(client: TestClient) -> None:
    story = _seed_story(client)
    brief = client.get(f"/api/stories/{story}/brief").json()
    cited = brief["sections"][0]["items"][0]["citations"][0]
    page = client.get(
        f"/articles/{cited['article_id']}", params={"start": cited["start"], "end": cited["end"]}
    )
    (marked,) = re.findall(r'<mark id="hl">(.*?)</mark>', page.text, flags=re.S)
    assert marked == cited["text"]
    plain = client.get(f"/articles/{cited['article_id']}")
    assert "<mark" not in plain.text


def test_the_sources_page_and_errors(client: TestClient) -> None:
    story = _seed_story(client)
    sources = client.get(f"/stories/{story}/sources")
    assert sources.status_code == 200 and sources.text.count('<article class="source">') == 2
    missing = client.get("/stories/ffffffffffff")
    assert missing.status_code == 404 and "<h1>404</h1>" in missing.text


# --- security --------------------------------------------------------------------------------


def test_every_response_carries_the_security_headers(client: TestClient) -> None:
    for path in ("/", "/api/stories", "/stories/nope", "/static/style.css", "/openapi.json"):
        headers = client.get(path).headers
        policy = headers["content-security-policy"]
        assert "script-src 'self'" in policy and "unsafe-inline" not in policy
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["x-frame-options"] == "DENY"


def test_pages_use_no_inline_script_or_style(client: TestClient) -> None:
    story = _seed_story(client)
    for path in ("/", f"/stories/{story}", f"/stories/{story}/sources", "/api",
                 f"/stories/{story}/versions"):  # fmt: skip
        html = client.get(path).text
        assert "<script" not in html and " style=" not in html and "<style" not in html
        assert not re.search(r"\son[a-z]+=", html)


def test_hostile_article_text_renders_inert(client: TestClient) -> None:
    story = client.get("/api/stories", params={"q": "harbour"}).json()["stories"][0]["id"]
    article = client.get("/api/articles", params={"q": "harbour"}).json()["articles"][0]["id"]
    pages = [
        client.get(p).text
        for p in ("/", f"/stories/{story}", f"/stories/{story}/sources", f"/articles/{article}")
    ]
    for html in pages:
        assert "<script>alert" not in html and "<img" not in html and "<b>Gazette" not in html
        assert 'href="javascript:' not in html and "onerror=alert" not in html.replace(
            "&lt;img src=x onerror=alert(2)&gt;", ""
        )
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages[0]
    assert "&lt;img src=x onerror=alert(2)&gt;" in pages[3]


def test_pages_read_the_store_only(client: TestClient) -> None:
    store = client.app.state.web.store  # type: ignore[attr-defined]
    assert store.readonly
    with pytest.raises(SQLAlchemyError), store.engine.begin() as conn:
        conn.execute(text("DELETE FROM articles"))
    assert client.get("/api/stories").json()["total"] == 2


@pytest.mark.parametrize(
    "backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)]
)
def test_a_read_only_store_refuses_writes(
    backend: str, settings: Settings, request: pytest.FixtureRequest
) -> None:
    db = settings.db if backend == "sqlite" else request.getfixturevalue("pg_db")
    with Store.open(db):
        pass  # created and migrated
    with Store.open(db, readonly=True) as reader:
        assert reader.list_stories() == []
        with pytest.raises(SQLAlchemyError), reader.engine.begin() as conn:
            conn.execute(text("DELETE FROM articles"))


def test_the_timeline_chart_places_dated_items() -> None:
    from newsbrief.web.pages import Item, _chart

    def item(label: str) -> Item:
        return Item(text=f"Event of {label}", label=label, marks=(), single=False)

    chart = _chart([item("2025-08"), item("week of 2025-10-20"), item("date unknown: “Friday”")])
    assert chart is not None and (chart["first"], chart["last"]) == ("2025-08-01", "2025-10-20")
    first, last = chart["points"]
    assert first["x"] < last["x"] and first["y"] < last["y"]  # in time order, one row each
    assert _chart([item("2025-08"), item("date unknown: “Friday”")]) is None  # one dated


def test_versions_and_what_changed_pages(tmp_path: Path) -> None:
    settings = load_settings(env={}, db=str(tmp_path / "versions.db"))
    first = {
        **ARTICLE,
        "text": ARTICLE["text"] + "\n\nThe harbour master said the crossings were fully booked.",
    }
    second = {
        "title": "Harbour ferries resume after two years",
        "text": (
            "Ferries sailed from the harbour again on Monday after two years of repairs.\n\n"
            "Six crossings a day will run through the summer, the operator said.\n\n"
            "The harbour master said the first ferries were fully booked."
        ),
        "outlet": "Bay News",
        "published": "2025-03-11",
    }
    auth = {"Authorization": f"Bearer {TOKEN}"}
    with TestClient(create_app(settings, token=TOKEN)) as web:
        (story,) = web.post("/api/ingest", json={"articles": [first]}, headers=auth).json()[
            "stories"
        ]
        with Store.open(settings.db) as store:  # keep version 1: the story is followed now
            pipeline.brief_story(store, story, nlp.load_encoder(settings))
        grown = web.post("/api/ingest", json={"articles": [second]}, headers=auth).json()
        assert grown["stories"] == [story] and grown["briefs_updated"] == 1
        listed = web.get(f"/stories/{story}/versions")
        assert "Version 2" in listed.text and "Version 1" in listed.text
        assert f'href="/stories/{story}/versions/2/changes"' in listed.text
        changes = web.get(f"/stories/{story}/versions/2/changes")
        assert changes.status_code == 200 and "Articles added" in changes.text
        assert "Bay News — Harbour ferries resume after two years" in changes.text
        assert web.get(f"/stories/{story}/versions/1/changes").status_code == 404


# --- robustness (issue 15): every bad request is a 4xx, never a 500 ---------------------------

BEYOND_SQLITE = 2**70  # more than a 64-bit integer holds


def test_numbers_beyond_sqlite_are_refused(client: TestClient) -> None:
    story = _seed_story(client)
    article = client.get("/api/articles").json()["articles"][0]["id"]
    for path, params in [
        (f"/api/stories/{story}/versions/{BEYOND_SQLITE}", {}),
        ("/api/stories", {"offset": BEYOND_SQLITE}),
        ("/", {"page": BEYOND_SQLITE}),
        (f"/stories/{story}/versions/{BEYOND_SQLITE}/changes", {}),
        (f"/articles/{article}", {"start": BEYOND_SQLITE, "end": BEYOND_SQLITE + 1}),
    ]:
        refused = client.get(path, params=params)
        assert refused.status_code == 422, (path, params, refused.text)


def test_a_diff_since_beyond_utc_is_a_422(client: TestClient) -> None:
    story = _seed_story(client)
    for since in ("9999-12-31T23:00:00-05:00", "0001-01-01T00:30:00+01:00"):
        refused = client.get(f"/api/stories/{story}/diff", params={"since": since})
        assert refused.status_code == 422, refused.text
        (error,) = refused.json()["detail"]  # FastAPI's shape, as for any bad parameter
        assert error["loc"] == ["query", "since"] and since in error["msg"]


def test_ids_that_cannot_be_ids_are_404_without_a_query(client: TestClient) -> None:
    story = _seed_story(client)
    store = client.app.state.web.store  # type: ignore[attr-defined]
    queried: list[str] = []

    def record(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        if "LIKE" in statement.upper():
            queried.append(statement)

    event.listen(store.engine, "before_cursor_execute", record)
    for bad in ("a" * 50_000, "zz", "0" * 17, story + "0"):  # long, not hex, past a full id
        for path in (f"/api/stories/{bad}", f"/api/stories/{bad}/brief", f"/stories/{bad}",
                     f"/stories/{bad}/versions/1/changes", f"/api/articles/{bad}",
                     f"/articles/{bad}"):  # fmt: skip
            missing = client.get(path)
            assert missing.status_code == 404, (path[:40], missing.text[:200])
            assert len(missing.text) < 10_000  # the id is not echoed whole
    event.remove(store.engine, "before_cursor_execute", record)
    assert queried == []


def test_search_text_is_bounded(client: TestClient) -> None:
    long = "a" * 50_001  # SQLite refuses a LIKE pattern above 50,000 bytes
    for path, name in [("/api/stories", "q"), ("/api/stories", "actor"), ("/api/articles", "q"),
                       ("/", "q"), ("/", "actor")]:  # fmt: skip
        assert client.get(path, params={name: long}).status_code == 422, (path, name)


def test_one_bad_article_leaves_the_others_stored(tmp_path: Path) -> None:
    settings = load_settings(env={}, db=str(tmp_path / "bad.db"))

    def article(title: str, text: str, **more: str) -> dict[str, str]:
        text += " Residents said they had waited a long time for the news, the council added."
        return {**ARTICLE, "title": title, "text": text, **more}

    good = [
        ARTICLE,
        article("Bridge closes", "The old bridge closed on Tuesday for a year of repairs."),
    ]
    bad_date = article(
        "Tunnel opens", "A new tunnel under the river opened on Friday.", published="17/10/2025"
    )
    # a lone surrogate, valid JSON that no UTF-8 encoder takes: the clean step replaces it
    surrogate = article("Market \ud800 reopens", "The covered market reopened on Saturday.")
    body = json.dumps({"articles": [*good, bad_date, surrogate]})  # ASCII: "\ud800" escaped
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    with TestClient(create_app(settings, token=TOKEN)) as fresh:
        done = fresh.post("/api/ingest", content=body, headers=auth)
        assert done.status_code == 200, done.text
        report = done.json()
        assert report["ingested"] == 3, report
        (rejected,) = report["rejected"]
        assert "17/10/2025" in rejected["reason"]
        titles = {a["title"] for a in fresh.get("/api/articles").json()["articles"]}
    assert {ARTICLE["title"], "Bridge closes"} <= titles
    assert "Market \ufffd reopens" in titles


def test_a_422_echoing_a_lone_surrogate_is_answered(client: TestClient) -> None:
    refused = client.post(
        "/api/ingest", content=b'{"articles": [{"title": "\\ud800"}]}',
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"},
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "articles", 0, "text"]


@pytest.mark.parametrize(
    ("body", "content_type", "echoed"),
    [
        (b'{"articles": [NaN]}', "application/json", "nan"),  # Python's json reads NaN
        (b'{"articles": [{"title": 1e999, "text": "x"}]}', "application/json", "inf"),
        (b"\xd8\x00{", "text/plain", "\\xd8\x00{"),  # not JSON, not UTF-8: echoed as bytes
    ],
)
def test_a_422_echoes_what_json_cannot_hold(
    client: TestClient, body: bytes, content_type: str, echoed: str
) -> None:
    """Found by tests/test_fuzz.py: each was a 500."""
    refused = client.post(
        "/api/ingest", content=body,
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": content_type},
    )  # fmt: skip
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["input"] == echoed
    assert refused.headers["x-content-type-options"] == "nosniff"


def test_a_crash_answers_500_with_the_security_headers(
    store_path: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = create_app(store_path)

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a fault of ours")

    monkeypatch.setattr(app.state.web.store, "list_stories", broken)
    with TestClient(app, raise_server_exceptions=False) as crashing:
        for path in ("/api/stories", "/"):
            crashed = crashing.get(path)
            assert crashed.status_code == 500
            assert "script-src 'self'" in crashed.headers["content-security-policy"]
            assert crashed.headers["x-frame-options"] == "DENY"
            assert "a fault of ours" not in crashed.text
        assert crashing.get("/api/stories").json() == {"detail": "internal server error"}
    with TestClient(app) as raising, pytest.raises(RuntimeError, match="a fault of ours"):
        raising.get("/api/stories")  # re-raised past the answer: the server logs its traceback


def test_head_answers_every_get_route(client: TestClient) -> None:
    story = _seed_story(client)
    article = client.get("/api/articles").json()["articles"][0]["id"]
    for path in ("/", "/api", "/api/stories", f"/api/stories/{story}", f"/stories/{story}",
                 f"/stories/{story}/sources", f"/api/articles/{article}", f"/articles/{article}",
                 "/static/style.css", "/openapi.json", "/stories/ffff"):  # fmt: skip
        got, head = client.get(path), client.head(path)
        assert head.status_code == got.status_code, path
        assert head.content == b"", path
        for name in ("content-type", "content-length", "content-security-policy"):
            assert head.headers.get(name) == got.headers.get(name), (path, name)
    assert client.head("/api/ingest").status_code == 405  # POST only


# --- ingest caps: the token first, then the body up to max_request_bytes ----------------------


@pytest.fixture
def capped(store_path: Settings) -> Iterator[TestClient]:
    small = store_path.replace(max_request_bytes=10_000, max_article_chars=2_000)
    with TestClient(create_app(small, token=TOKEN)) as opened:
        yield opened


def test_ingest_checks_the_token_before_reading_the_body(capped: TestClient) -> None:
    for body in (b"not json", b"x" * 50_000):
        refused = capped.post("/api/ingest", content=body)  # no token
        assert refused.status_code == 401 and "Authorization" in refused.json()["detail"]


def test_bodies_and_articles_above_their_caps_are_413(capped: TestClient) -> None:
    auth = {"Authorization": f"Bearer {TOKEN}", "Content-Type": "application/json"}
    declared = capped.post("/api/ingest", content=b" " * 10_001, headers=auth)
    assert declared.status_code == 413
    assert "max_request_bytes" in declared.json()["detail"]
    assert "script-src 'self'" in declared.headers["content-security-policy"]

    def chunks() -> Iterator[bytes]:  # no Content-Length: sent chunked
        yield from [b" " * 4_000] * 5

    streamed = capped.post("/api/ingest", content=chunks(), headers=auth)
    assert streamed.status_code == 413 and "max_request_bytes" in streamed.json()["detail"]
    long = {**ARTICLE, "text": "Ferries sail again. " * 120}  # 2,400 characters of text
    one = capped.post("/api/ingest", json={"articles": [ARTICLE, long]}, headers=auth)
    assert one.status_code == 413
    assert "max_article_chars" in one.json()["detail"] and "articles[1]" in one.json()["detail"]


def test_a_chunked_body_is_refused_while_it_streams(store_path: Settings) -> None:
    """Over a real connection: the 413 comes once the cap is passed, while the client has not
    finished sending (the body's last chunk never comes)."""
    small = store_path.replace(max_request_bytes=10_000)
    with serving(create_app(small, token=TOKEN)) as url:
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
            conn.sendall(
                b"POST /api/ingest HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                b"Authorization: Bearer " + TOKEN.encode() + b"\r\n"
                b"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n"
            )
            for _ in range(3):
                conn.sendall(b"1000\r\n" + b" " * 4096 + b"\r\n")
            # a timeout here: the server waited for the whole body
            answer = b""
            while b"max_request_bytes" not in answer and (more := conn.recv(4096)):
                answer += more
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b"max_request_bytes" in answer
