"""The FastAPI application: shared state (the read-only store, the sentence encoder, the
token), security headers and error pages; routes live in api.py and pages.py."""

from __future__ import annotations

import hmac
import threading
from collections import OrderedDict
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.middleware.base import BaseHTTPMiddleware, RequestResponseEndpoint

from newsbrief import __version__, nlp, pipeline
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
    newest = state.store.brief_version(story_id)
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


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next: RequestResponseEndpoint) -> Response:
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        return response


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
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(api.router)
    app.include_router(pages.router)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return _error(request, 404, str(exc))

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        return _error(request, exc.status_code, str(exc.detail), exc.headers)

    return app


def _error(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    """JSON for the API, a page for a browser."""
    if request.url.path.startswith("/api") or request.url.path == "/openapi.json":
        return JSONResponse({"detail": detail}, status_code=status, headers=headers)
    from newsbrief.web.pages import error_page

    return error_page(request, status, detail, headers)
