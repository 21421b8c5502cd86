"""The REST API under /api: stories (search, filter by date, outlet, actor), a story, its brief
(json, md, html), its kept brief versions and what changed between two of them, articles,
actors; POST /api/ingest (token) adds articles or URLs."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import UTC, date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Header, HTTPException, Path, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from fastapi.routing import APIRoute
from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema

from newsbrief import pipeline
from newsbrief.analyse.actors import resolve_actors
from newsbrief.brief import diff as brief_diff
from newsbrief.brief import render, versions
from newsbrief.errors import NewsbriefError, NotFound
from newsbrief.ingest import InputURL
from newsbrief.records import RawArticle
from newsbrief.store import Store, StoryFilter, StoryRow
from newsbrief.web.app import (
    NUMBER_MAX,
    QUERY_MAX,
    FoundArticle,
    FoundStory,
    WebState,
    current_brief,
    state_of,
)


class Problem(BaseModel):
    detail: str


MISSING: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such story or article"}
}
router = APIRouter(prefix="/api", tags=["api"])
# Days and moments as ISO text, parsed here: pydantic's own parsing would also take a number
# as seconds since 1970 ("until=0"), which a user never means.
Day = Annotated[
    str | None,
    Query(description="YYYY-MM-DD", json_schema_extra={"format": "date"}, examples=["2025-10-17"]),
]


def _invalid(name: str, message: str, where: str = "query") -> RequestValidationError:
    """A 422 in FastAPI's own shape (as the OpenAPI document says) for a parameter ``where``
    the request has it ("query", "body")."""
    return RequestValidationError([{"loc": (where, name), "msg": message, "type": "value_error"}])


def _day(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError as exc:
        raise _invalid(name, f"expected a date YYYY-MM-DD, found {value!r}") from exc


PAGE_MAX = 200  # stories or articles per request at most
INGEST_MAX = 100  # articles and URLs per POST /api/ingest


class Story(BaseModel):
    id: str
    title: str
    articles: int = Field(description="Articles in the story, copies included.")
    outlets: int = Field(description="Independent sources: an outlet or a copy group once.")
    first_seen: str | None = Field(description="Earliest day an article was seen (YYYY-MM-DD).")
    last_seen: str | None
    actors: list[str] = Field(description="The story's main actors, as the sources name them.")

    @classmethod
    def of(cls, row: StoryRow) -> Story:
        return cls(
            id=row.id,
            title=row.title,
            articles=row.articles,
            outlets=row.outlets,
            first_seen=row.first_seen,
            last_seen=row.last_seen,
            actors=list(row.actors),
        )


class StoryList(BaseModel):
    total: int = Field(description="Stories matching the filters.")
    offset: int
    limit: int
    stories: list[Story]


class ArticleRef(BaseModel):
    id: str
    title: str
    outlet: str | None
    url: str | None
    published: str | None


class StoryDetail(Story):
    members: list[ArticleRef] = Field(description="The story's articles, oldest first.")
    versions: int = Field(description="Kept versions of the story's brief.")


class SentenceOut(BaseModel):
    index: int
    start: int = Field(description="Character offset in the article's text.")
    end: int


class ArticleDetail(ArticleRef):
    authors: list[str]
    language: str | None
    text: str = Field(description="The clean text, as plain text (never HTML).")
    sentences: list[SentenceOut]


class ArticleList(BaseModel):
    articles: list[ArticleRef]


class ActorOut(BaseModel):
    name: str
    kind: Literal["person", "group"]
    mentions: int
    statements: int = Field(description="Quotes and reported statements attributed to them.")
    roles: list[str]


class VersionOut(BaseModel):
    version: int
    created_at: str
    article_ids: list[str]


def _some(value: str) -> str:
    if not value:
        raise ValueError("expected at least one character, found none")
    return value


# Not Field(min_length=1): pydantic measures only text it can encode, so that a lone surrogate
# ("\\ud800" is valid JSON) in one article failed the whole request; the clean step replaces it.
SomeText = Annotated[str, AfterValidator(_some), WithJsonSchema({"type": "string", "minLength": 1})]


class ArticleIn(BaseModel):
    title: SomeText
    text: SomeText
    outlet: str | None = None
    url: str | None = None
    published: str | None = Field(default=None, description="ISO date or date and time.")
    authors: list[str] = []


class IngestIn(BaseModel):
    articles: list[ArticleIn] = Field(default=[], max_length=INGEST_MAX)
    urls: list[str] = Field(default=[], max_length=INGEST_MAX, description="http(s) URLs.")


class RejectedOut(BaseModel):
    origin: str
    stage: str
    reason: str


class IngestOut(BaseModel):
    ingested: int
    present: int = Field(description="Articles the store held already.")
    rejected: list[RejectedOut]
    article_ids: list[str]
    stories: list[str] = Field(description="The stories new articles joined.")
    briefs_updated: int = Field(description="Kept briefs rebuilt because their story grew.")


@router.get("/stories", response_model=StoryList, summary="Search and list stories")
def list_stories(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=QUERY_MAX, description="Text in an article's title or outlet.")
    ] = None,
    since: Day = None,
    until: Day = None,
    outlet: Annotated[
        str | None, Query(max_length=QUERY_MAX, description="An article of this outlet.")
    ] = None,
    actor: Annotated[
        str | None, Query(max_length=QUERY_MAX, description="Naming this actor.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
    offset: Annotated[int, Query(ge=0, le=NUMBER_MAX)] = 0,
) -> StoryList:
    """Stories, the most recently active first; ``since`` and ``until`` keep those with an
    article seen on or after / on or before that day."""
    store = state_of(request).store
    filters = StoryFilter(
        query=q or None,
        since=_day(since, "since"),
        until=_day(until, "until"),
        outlet=outlet or None,
        actor=actor or None,
    )
    rows = store.list_stories(filters, limit=limit, offset=offset)
    return StoryList(
        total=store.count_stories(filters),
        offset=offset,
        limit=limit,
        stories=[Story.of(r) for r in rows],
    )


@router.get(
    "/stories/{story_id}", response_model=StoryDetail, summary="One story", responses=MISSING
)
def get_story(request: Request, found: FoundStory) -> StoryDetail:
    """A story by id or unique id prefix (a story merged into another resolves to it)."""
    store = state_of(request).store
    (row,) = store.story_rows([found])
    members = store.article_rows(store.story_articles(found))
    return StoryDetail(
        **Story.of(row).model_dump(),
        members=[
            ArticleRef(id=m.id, title=m.title, outlet=m.outlet, url=m.url, published=m.published)
            for m in members
        ],
        versions=newest.version if (newest := store.kept_brief(found)) else 0,
    )


@router.get(
    "/stories/{story_id}/brief",
    summary="A story's brief",
    responses={
        **MISSING,
        200: {
            "content": {
                "application/json": {},
                "text/markdown": {},
                "text/html": {},
            },
            "description": "The brief (JSON as in docs/brief-json.md).",
        },
    },
)
def get_brief(
    request: Request,
    found: FoundStory,
    format: Annotated[Literal["json", "md", "html"], Query()] = "json",
) -> Response:
    """The story's brief: its newest kept version when that was built from the story's
    articles of now, else built now (and not kept: the API reads the store only)."""
    brief, _ = current_brief(state_of(request), found)
    if format == "md":
        return PlainTextResponse(render.to_markdown(brief), media_type="text/markdown")
    if format == "html":
        # a standalone document with its own style element: a policy of its own, no script
        policy = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'"
        return Response(
            render.to_html(brief),
            media_type="text/html",
            headers={"Content-Security-Policy": policy},
        )
    return JSONResponse(render.to_dict(brief))


@router.get(
    "/stories/{story_id}/versions",
    response_model=list[VersionOut],
    summary="Brief versions",
    responses=MISSING,
)
def list_versions(request: Request, found: FoundStory) -> list[VersionOut]:
    """The kept versions of the story's brief, oldest first (kept by `newsbrief brief`,
    `newsbrief diff` and by each ingest that adds to a story briefed before)."""
    return [
        VersionOut(version=v.version, created_at=v.created_at, article_ids=list(v.article_ids))
        for v in state_of(request).store.kept_briefs(found)
    ]


@router.get("/stories/{story_id}/versions/{version}", summary="One kept brief", responses=MISSING)
def get_version(
    request: Request, found: FoundStory, version: Annotated[int, Path(ge=1, le=NUMBER_MAX)]
) -> JSONResponse:
    """A kept version of the story's brief (JSON as in docs/brief-json.md)."""
    kept = versions.newest(state_of(request).store, found, version=version)
    if kept is None:
        raise NotFound(f"story {found} has no brief version {version}")
    return JSONResponse(render.to_dict(kept.brief))


@router.get("/stories/{story_id}/diff", summary="What changed in a brief", responses=MISSING)
def get_diff(
    request: Request,
    found: FoundStory,
    since: Annotated[
        str,
        Query(
            description="ISO date and time, UTC unless it names a zone.",
            json_schema_extra={"format": "date-time"},
            examples=["2025-10-17T08:00:00+02:00"],
        ),
    ],
    format: Annotated[Literal["json", "md"], Query()] = "json",
) -> Response:
    """New, changed and gone items, and what is now disputed, from the newest kept version at
    or before ``since`` to the newest kept version (docs/brief-json.md, Diff)."""
    store = state_of(request).store
    try:
        moment = datetime.fromisoformat(since.upper())
        at = (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)
    except (ValueError, OverflowError) as exc:  # overflow: beyond year 9999 or before 1 in UTC
        raise _invalid(
            "since", f"expected an ISO date and time within years 1 to 9999 UTC, found {since!r}"
        ) from exc
    then = versions.newest(store, found, at=at)
    now = versions.newest(store, found)
    if then is None or now is None:
        raise NotFound(
            f"expected a kept brief of story {found} at or before {at.isoformat()}, found none"
        )
    change = brief_diff.diff_versions(then, now)
    if format == "md":
        return PlainTextResponse(brief_diff.to_markdown(change), media_type="text/markdown")
    return JSONResponse(brief_diff.to_dict(change))


@router.get(
    "/stories/{story_id}/actors",
    response_model=list[ActorOut],
    summary="Actors",
    responses=MISSING,
)
def list_actors(request: Request, found: FoundStory) -> list[ActorOut]:
    """The people and groups of a story, the most mentioned first."""
    store = state_of(request).store
    analyses = store.load(store.story_articles(found))
    return [
        ActorOut(
            name=a.name,
            kind=a.kind,
            mentions=a.mentions,
            statements=len(a.quotes),
            roles=list(dict.fromkeys(r.role for r in a.roles)),
        )
        for a in resolve_actors(analyses)
    ]


@router.get("/articles", response_model=ArticleList, summary="Search and list articles")
def list_articles(
    request: Request,
    q: Annotated[
        str | None, Query(max_length=QUERY_MAX, description="Text in the title or outlet.")
    ] = None,
    limit: Annotated[int, Query(ge=1, le=PAGE_MAX)] = 50,
) -> ArticleList:
    """Articles, the most recently published first."""
    rows = state_of(request).store.list_articles(query=q or None, limit=limit)
    return ArticleList(
        articles=[
            ArticleRef(id=r.id, title=r.title, outlet=r.outlet, url=r.url, published=r.published)
            for r in rows
        ]
    )


@router.get(
    "/articles/{article_id}",
    response_model=ArticleDetail,
    summary="One article",
    responses=MISSING,
)
def get_article(request: Request, found: FoundArticle) -> ArticleDetail:
    """An article by id or unique id prefix, with its clean text and sentence offsets."""
    (analysis,) = state_of(request).store.load([found])
    a = analysis.article
    return ArticleDetail(
        id=a.id,
        title=a.title,
        outlet=a.outlet,
        url=a.url,
        published=a.published,
        authors=list(a.authors),
        language=a.language,
        text=a.text,
        sentences=[
            SentenceOut(index=s.index, start=s.span.start, end=s.span.end)
            for s in analysis.sentences
        ],
    )


class _BodyRead(Request):
    """A request whose body was read already (TokenRoute's cap)."""

    def __init__(self, request: Request, body: bytes) -> None:
        super().__init__(request.scope, request.receive)
        self._read = body

    async def body(self) -> bytes:
        return self._read


class TokenRoute(APIRoute):
    """A route that needs the token. It is checked before the body is read (FastAPI reads
    and parses a declared body before any dependency runs), and the body is then read up to
    max_request_bytes only."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handle = super().get_route_handler()

        async def guarded(request: Request) -> Response:
            state = state_of(request)
            _check_token(state, request.headers.get("authorization"))
            body = await _read_body(request, state.settings.max_request_bytes)
            return await handle(_BodyRead(request, body))

        return guarded


def _check_token(state: WebState, header: str | None) -> None:
    if state.token is None:
        raise HTTPException(403, "ingest is off: start the server with NEWSBRIEF_TOKEN set")
    if not state.authorised(header):
        raise HTTPException(
            401, "expected the header Authorization: Bearer <token>",
            headers={"WWW-Authenticate": "Bearer"},
        )  # fmt: skip


async def _read_body(request: Request, cap: int) -> bytes:
    """The request's body; 413 once it passes ``cap`` bytes: at once when its Content-Length
    says so, else as soon as the bytes streamed in (chunked) do."""
    try:
        declared = int(request.headers.get("content-length", "0"))
    except ValueError:  # not a number (or of thousands of digits): the bytes are counted
        declared = 0
    if declared > cap:
        raise _too_large(f"a body of at most {cap:,} bytes", f"{declared:,}", "max_request_bytes")
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > cap:
            raise _too_large(f"a body of at most {cap:,} bytes", "more", "max_request_bytes")
    return bytes(body)


def _too_large(expected: str, found: str, setting: str) -> HTTPException:
    return HTTPException(413, f"expected {expected} (setting {setting}), found {found}")


def _size(article: ArticleIn) -> int:
    """The article's characters, title and text (what max_article_chars bounds in ingest)."""
    return len(article.title) + len(article.text)


# The POST endpoints: TokenRoute checks the token before reading the body.
writer = APIRouter(prefix="/api", tags=["api"], route_class=TokenRoute)


@writer.post(
    "/ingest",
    response_model=IngestOut,
    summary="Add articles or URLs (token)",
    responses={
        400: {"model": Problem, "description": "A body that is not JSON"},
        401: {"model": Problem, "description": "No or wrong token"},
        403: {"model": Problem, "description": "Ingest is off"},
        413: {"model": Problem, "description": "A body or an article above its size cap"},
        503: {"model": Problem, "description": "The store could not be written"},
    },
)
def ingest(
    request: Request,
    body: IngestIn,
    # checked by TokenRoute before the body is read; declared for the OpenAPI document
    authorization: Annotated[str | None, Header(description="Bearer <token>")] = None,
) -> IngestOut:
    """Clean, analyse and store the given articles and the pages at the given URLs, each in
    its story; briefs kept before are rebuilt when their story grew. Needs the header
    ``Authorization: Bearer <NEWSBRIEF_TOKEN>``; off when the server has no token. A body
    above max_request_bytes, or an article above max_article_chars, is refused whole
    (413), before any work."""
    state = state_of(request)
    cap = state.settings.max_article_chars
    for n, article in enumerate(body.articles):
        if (size := _size(article)) > cap:
            raise _too_large(
                f"articles of at most {cap:,} characters", f"{size:,} in articles[{n}]",
                "max_article_chars",
            )  # fmt: skip
    bad = [u for u in body.urls if not u.lower().startswith(("http://", "https://"))]
    if bad:
        raise _invalid("urls", f"expected http(s) URLs, found {bad[0]!r}", where="body")
    inputs: list[RawArticle | InputURL] = [
        RawArticle(
            origin=f"api:{a.url or n}",
            title=a.title,
            text=a.text,
            outlet=a.outlet,
            url=a.url,
            published=a.published,
            authors=tuple(a.authors),
        )
        for n, a in enumerate(body.articles)
    ]
    inputs += [InputURL(u) for u in body.urls]
    with state.writing, Store.open(state.settings.db) as store:
        try:
            report = pipeline.ingest(inputs, store, state.settings)
            updated = pipeline.update_briefs(
                store, report.stories, state.encoder(), on_failed=report.rejected.append
            )
        except NewsbriefError as exc:
            raise HTTPException(503, str(exc)) from exc  # the store, not the request
    return IngestOut(
        ingested=report.ingested,
        present=report.present,
        rejected=[
            RejectedOut(origin=r.origin, stage=r.stage, reason=r.reason) for r in report.rejected
        ],
        article_ids=report.article_ids,
        stories=report.stories,
        briefs_updated=len(updated),
    )
