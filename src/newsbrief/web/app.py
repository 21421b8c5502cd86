"""The FastAPI application: shared state (the read-only store, the sentence encoder, the
token), what every response carries (security headers, HEAD as GET), error pages, and the
bounds every request keeps to; routes live in api.py and pages.py."""

from __future__ import annotations

import hmac
import json
import math
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from newsbrief import __version__, nlp, pipeline
from newsbrief.brief import versions
from newsbrief.errors import NotFound, StoreError
from newsbrief.records import Brief, BriefVersion
from newsbrief.settings import Settings
from newsbrief.store import Store
from newsbrief.store.schema import MIGRATIONS

HERE = Path(__file__).resolve().parent
# Scripts and styles only from this server, no inline script, no plugins, no framing; images
# from this server or inline SVG. The API's standalone HTML brief carries its own, stricter one.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
}
# Bounds on what a request gives, so that no value reaches a query or a computation it breaks
# (each was a 500). Numbers: beyond any store's stories or brief versions and any article's
# characters, and far within SQLite's 64-bit integers, offsets computed from them included.
NUMBER_MAX = 1_000_000_000
# Search text (q, outlet, actor): longer than any headline or outlet name, and far below the
# 50,000 bytes SQLite allows a LIKE pattern (a 50,001-character q was a 500).
QUERY_MAX = 500
# Seconds `newsbrief serve` lets requests in flight finish after SIGTERM before it stops them
# (an ingest of 100 long articles ran on for minutes): below the 10 s that `docker stop`
# waits before it kills.
SHUTDOWN_GRACE = 5


@dataclass
class WebState:
    """What the routes share: settings, the read-only store, the ingest token (None: ingest is
    off), the encoder once a brief needed it, and a lock so that one ingest runs at a time."""

    settings: Settings
    store: Store
    token: str | None
    _encoder: nlp.SentenceEncoder | None = None
    writing: threading.Lock = field(default_factory=threading.Lock)
    building: threading.Lock = field(default_factory=threading.Lock)
    # briefs built for stories with no current kept version, by story and articles
    built: OrderedDict[tuple[str, tuple[str, ...]], Brief] = field(default_factory=OrderedDict)

    def encoder(self) -> nlp.SentenceEncoder:
        if self._encoder is None:
            self._encoder = nlp.load_encoder(self.settings)
        return self._encoder

    def authorised(self, header: str | None) -> bool:
        """Whether an Authorization header carries the token (``Bearer <token>``), compared
        in constant time."""
        if self.token is None or not header:
            return False
        scheme, _, given = header.partition(" ")
        if scheme.lower() != "bearer":
            return False
        return hmac.compare_digest(given.strip().encode(), self.token.encode())


BUILT_KEPT = 256  # briefs built by the server (not kept in the read-only store) kept in memory


def current_brief(state: WebState, story_id: str) -> tuple[Brief, BriefVersion | None]:
    """The story's brief: its newest kept version when that was built from the story's
    articles of now, else one built now (kept in memory, not in the store, which the web
    reads only), with that version or None."""
    ids = tuple(state.store.story_articles(story_id))
    newest = versions.newest(state.store, story_id)
    if newest is not None and set(newest.article_ids) == set(ids):
        return newest.brief, newest
    key = (story_id, ids)
    with state.building:
        if key not in state.built:
            state.built[key] = pipeline.brief(state.store, ids, state.encoder())
            while len(state.built) > BUILT_KEPT:
                state.built.popitem(last=False)
        state.built.move_to_end(key)
        return state.built[key], None


def state_of(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def found_story(request: Request, story_id: str) -> str:
    """The full id of the story the path names: an id or unique id prefix (a story merged
    into another resolves to it)."""
    return state_of(request).store.resolve_story(story_id)


def found_article(request: Request, article_id: str) -> str:
    """The full id of the article the path names: an id or unique id prefix."""
    return state_of(request).store.resolve(article_id)


FoundStory = Annotated[str, Depends(found_story)]
FoundArticle = Annotated[str, Depends(found_article)]


def open_store(db: str) -> Store:
    """The store at ``db``, read-only; created (or migrated) first when it is missing or older
    than this release, so that a new server shows an empty list rather than an error."""
    try:
        store = Store.open(db, readonly=True)
        if store.version() == MIGRATIONS[-1][0]:
            return store
        store.close()
    except StoreError:
        pass
    with Store.open(db):
        pass  # creates and migrates
    return Store.open(db, readonly=True)


class SecurityHeaders:
    """SECURITY_HEADERS on every response of the app (a route's own policy stays). An
    unhandled exception's 500 is sent outside the middleware: create_app's handler for it
    sets them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in SECURITY_HEADERS.items():
                    headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_headers if scope["type"] == "http" else send)


class HeadAsGet:
    """HEAD on every GET route (FastAPI's routes answer only the methods they name): the
    request is routed as GET, and the response keeps its headers, Content-Length included,
    without its body."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD":
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


class AsciiJSONResponse(JSONResponse):
    """JSON with every character beyond ASCII escaped: a 422 echoes what the client sent,
    and a lone surrogate ("\\ud800" is valid JSON) cannot be encoded as UTF-8 (it was a 500)."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=True, allow_nan=False).encode("ascii")


def echoable(value: Any) -> Any:
    """What a 422 echoes of the request, as JSON can hold it: bytes (a body that is not JSON)
    as text, undecodable bytes escaped (``\\xd8``); NaN and infinities (Python's json reads
    them) as their names (each was a 500)."""
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", "backslashreplace")
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {str(echoable(k)): echoable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [echoable(v) for v in value]
    return value


def create_app(settings: Settings, *, token: str | None = None) -> FastAPI:
    """The app over the store of ``settings``; ``token`` turns on the POST endpoints (an
    empty one counts as none)."""
    from newsbrief.web import api, pages

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        yield
        app.state.web.store.close()

    app = FastAPI(
        lifespan=lifespan,
        title="newsbrief",
        version=__version__,
        description=(
            "Stories and briefs from many outlets, every sentence cited. GET endpoints read the "
            "store; POST /api/ingest needs `Authorization: Bearer <NEWSBRIEF_TOKEN>`."
        ),
        docs_url=None,  # Swagger UI loads scripts from a CDN: see /api for the reference
        redoc_url=None,
    )
    app.state.web = WebState(settings=settings, store=open_store(settings.db), token=token or None)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(HeadAsGet)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(api.writer)
    app.include_router(pages.router)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), exc.headers)

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        detail = jsonable_encoder(echoable(exc.errors()))
        return AsciiJSONResponse({"detail": detail}, status_code=422)

    @app.exception_handler(Exception)
    async def crashed(request: Request, exc: Exception) -> Response:
        """A fault of ours: its traceback goes to the server's log (Starlette re-raises the
        exception once this answer is sent, outside the middleware: hence the headers)."""
        return _error(request, 500, "internal server error", SECURITY_HEADERS)

    return app


def _error(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """JSON for the API, a page for a browser."""
    if request.url.path.startswith("/api") or request.url.path == "/openapi.json":
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    from newsbrief.web.pages import error_page

    return error_page(request, status, detail, headers)
