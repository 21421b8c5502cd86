"""The pages: server-rendered with Jinja2 (autoescaped), no script needed. A citation marker is
a <details> element: a click shows the exact source sentence and links to the article view,
where that sentence is highlighted."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader

from newsbrief.brief import diff as brief_diff
from newsbrief.brief import versions
from newsbrief.brief.render import duplicate_note, single_source
from newsbrief.errors import NotFound
from newsbrief.records import Article, Brief, BriefItem, BriefSection, Citation, SourceRef
from newsbrief.store import StoryFilter
from newsbrief.web.app import (
    HERE,
    NUMBER_MAX,
    QUERY_MAX,
    FoundArticle,
    FoundStory,
    current_brief,
    state_of,
)

router = APIRouter(include_in_schema=False)
# autoescape on every template, whatever its name: article text is untrusted
templates = Jinja2Templates(
    env=Environment(loader=FileSystemLoader(HERE / "templates"), autoescape=True)
)
PAGE_SIZE = 50
Search = Annotated[str, Query(max_length=QUERY_MAX)]
Offset = Annotated[int | None, Query(ge=0, le=NUMBER_MAX)]  # a character's, as citations give
PROSE = ("executive_summary", "story_so_far", "why_it_matters")
_QUOTED = re.compile(r"“([^”]+)”")
# The timeline chart: width and height of the SVG's drawing box, its margin.
CHART_WIDTH, CHART_ROW, CHART_MARGIN = 640, 22, 12
_DAY = re.compile(r"^(?:week of )?(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")


@dataclass(frozen=True, slots=True, kw_only=True)
class Cited:
    """A cited span and where to read it in its article."""

    text: str
    href: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Mark:
    """A citation marker: the source's number, what the item cites of it (a sentence, or a
    role and a sentence), the source's name."""

    number: int
    cited: tuple[Cited, ...]
    source: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Item:
    text: str
    label: str | None
    marks: tuple[Mark, ...]
    single: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Column:
    """One side of a disagreement: its version and the sentences that say it."""

    version: str
    marks: tuple[Mark, ...]


def _page(request: Request, template: str, code: int = 200, **context: Any) -> HTMLResponse:
    response: HTMLResponse = templates.TemplateResponse(
        request, template, context, status_code=code
    )
    return response


def error_page(
    request: Request, status: int, detail: str, headers: Mapping[str, str] | None = None
) -> Response:
    response = _page(request, "error.html", status, status=status, detail=detail)
    response.headers.update(headers or {})
    return response


@router.get("/", response_class=HTMLResponse)
def story_list(
    request: Request,
    q: Search = "",
    since: Annotated[date | None, Query()] = None,
    until: Annotated[date | None, Query()] = None,
    outlet: Search = "",
    actor: Search = "",
    page: Annotated[int, Query(ge=1, le=NUMBER_MAX // PAGE_SIZE)] = 1,
) -> HTMLResponse:
    store = state_of(request).store
    filters = StoryFilter(
        query=q or None,
        since=since.isoformat() if since else None,
        until=until.isoformat() if until else None,
        outlet=outlet or None,
        actor=actor or None,
    )
    rows = store.list_stories(filters, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    total = store.count_stories(filters)
    form = {
        "q": q,
        "since": since.isoformat() if since else "",
        "until": until.isoformat() if until else "",
        "outlet": outlet,
        "actor": actor,
    }
    given = {k: v for k, v in form.items() if v}

    def link(n: int) -> str:
        return "/?" + urlencode({**given, "page": n})

    pages = -(-total // PAGE_SIZE)
    return _page(
        request,
        "stories.html",
        rows=rows,
        total=total,
        form=form,
        page=page,
        previous=link(page - 1) if page > 1 else None,
        next=link(page + 1) if page < pages else None,
    )


@router.get("/stories/{story_id}", response_class=HTMLResponse)
def story_page(request: Request, story_id: str, found: FoundStory) -> Response:
    state = state_of(request)
    if found != story_id:  # a prefix, or a story merged into another
        return RedirectResponse(f"/stories/{found}", status_code=307)
    brief, version = current_brief(state, found)
    (row,) = state.store.story_rows([found])
    numbers = {s.article_id: n for n, s in enumerate(brief.sources, start=1)}
    sections = {s.key: s for s in brief.sections}

    def items(key: str) -> list[Item]:
        return [_item(brief, sections[key], i, numbers) for i in sections[key].items]

    return _page(
        request,
        "story.html",
        story=row,
        brief=brief,
        version=version,
        prose=[(sections[k].title, items(k)) for k in PROSE],
        actors=[_actor(i) for i in items("who_thinks_what")],
        timeline=items("timeline"),
        chart=_chart(items("timeline")),
        disputes=[(i, _columns(i, brief, numbers)) for i in sections["sources_differ"].items],
        sources=[(n, s, duplicate_note(brief, s)) for n, s in enumerate(brief.sources, 1)],
    )


@router.get("/stories/{story_id}/sources", response_class=HTMLResponse)
def sources_page(request: Request, found: FoundStory) -> Response:
    store = state_of(request).store
    (row,) = store.story_rows([found])
    analyses = store.load(store.story_articles(found))
    return _page(
        request,
        "sources.html",
        story=row,
        articles=[(a.article, _paragraphs(a.article)) for a in analyses],
    )


@router.get("/stories/{story_id}/versions", response_class=HTMLResponse)
def versions_page(request: Request, found: FoundStory) -> Response:
    """The kept versions of a story's brief, newest first, each with what changed from the
    one before."""
    store = state_of(request).store
    (row,) = store.story_rows([found])
    kept = list(reversed(versions.every(store, found)))
    return _page(request, "versions.html", story=row, versions=kept)


@router.get("/stories/{story_id}/versions/{version}/changes", response_class=HTMLResponse)
def changes_page(
    request: Request, found: FoundStory, version: Annotated[int, Path(ge=1, le=NUMBER_MAX)]
) -> Response:
    """What changed in the brief from the version before ``version`` to it: now disputed,
    new, changed and gone items, and the articles that arrived."""
    store = state_of(request).store
    until = versions.newest(store, found, version=version)
    since = versions.newest(store, found, version=version - 1) if version > 1 else None
    if until is None or since is None:
        raise NotFound(f"story {found} has no versions {version - 1} and {version} to compare")
    change = brief_diff.diff_versions(since, until)
    titles = {s.key: s.title for s in (*since.brief.sections, *until.brief.sections)}
    sources = {s.article_id: s for s in until.brief.sources}
    (row,) = store.story_rows([found])
    return _page(
        request,
        "changes.html",
        story=row,
        change=change,
        titles=titles,
        groups=brief_diff.grouped(change.diff),
        added=[sources.get(a) for a in change.articles_added],
    )


@router.get("/articles/{article_id}", response_class=HTMLResponse)
def article_page(
    request: Request, found: FoundArticle, start: Offset = None, end: Offset = None
) -> Response:
    """An article's clean text, paragraph by paragraph; with ``start`` and ``end`` (character
    offsets, as a citation gives them) that span highlighted."""
    (analysis,) = state_of(request).store.load([found])
    span = (start, end) if start is not None and end is not None and start < end else None
    return _page(
        request,
        "article.html",
        article=analysis.article,
        paragraphs=_paragraphs(analysis.article, span),
        highlighted=span is not None,
    )


@router.get("/api", response_class=HTMLResponse)
def api_reference(request: Request) -> HTMLResponse:
    """The API's reference, from its OpenAPI document (served as /openapi.json)."""
    spec = request.app.openapi()
    operations = [
        (method.upper(), path, op)
        for path, methods in spec["paths"].items()
        for method, op in methods.items()
    ]
    return _page(request, "api.html", spec=spec, operations=operations)


# --- helpers -------------------------------------------------------------------------------


def _source_name(source: SourceRef) -> str:
    return f"{source.outlet or 'unknown outlet'} — {source.title}"


def _marks(
    brief: Brief, citations: tuple[Citation, ...], numbers: dict[str, int]
) -> tuple[Mark, ...]:
    """One marker per source, in the order of the Sources list."""
    by_id = {s.article_id: s for s in brief.sources}
    spans: dict[str, list[Cited]] = {}
    for c in citations:
        query = urlencode({"start": c.start, "end": c.end})
        spans.setdefault(c.article_id, []).append(
            Cited(text=c.text, href=f"/articles/{c.article_id}?{query}#hl")
        )
    return tuple(
        Mark(number=numbers[a], cited=tuple(cited), source=_source_name(by_id[a]))
        for a, cited in sorted(spans.items(), key=lambda kv: numbers[kv[0]])
    )


def _item(brief: Brief, section: BriefSection, item: BriefItem, numbers: dict[str, int]) -> Item:
    return Item(
        text=item.text,
        label=item.label,
        marks=_marks(brief, item.citations, numbers),
        single=single_source(brief, section, item),
    )


def _actor(item: Item) -> dict[str, Any]:
    name, _, role = (item.label or "").partition(", ")
    return {"name": name, "role": role, "item": item}


def _columns(item: BriefItem, brief: Brief, numbers: dict[str, int]) -> list[Column]:
    """The versions of a disagreement side by side, each with the cited sentences that hold
    it (a sentence holding none of them is shown under the last)."""
    versions = list(dict.fromkeys(_QUOTED.findall(item.text)))
    if not versions:
        return [Column(version=item.text, marks=_marks(brief, item.citations, numbers))]
    held: dict[str, list[Citation]] = {v: [] for v in versions}
    for citation in item.citations:
        text = citation.text.replace("’", "'").casefold()
        owner = next((v for v in versions if v.replace("’", "'").casefold() in text), versions[-1])
        held[owner].append(citation)
    return [Column(version=v, marks=_marks(brief, tuple(held[v]), numbers)) for v in versions]


def _chart(items: list[Item]) -> dict[str, Any] | None:
    """The dated Timeline items placed on a time axis (an SVG drawn by the template): x of
    each item's day, its row, the axis' first and last day; None with fewer than two."""
    dated = []
    for n, item in enumerate(items):
        if item.label and (m := _DAY.match(item.label)):
            year, month, day = int(m[1]), int(m[2] or 1), int(m[3] or 1)
            try:
                dated.append((date(year, month, day), n, item))
            except ValueError:
                continue
    if len(dated) < 2:
        return None
    first, last = min(d for d, _, _ in dated), max(d for d, _, _ in dated)
    span = max((last - first).days, 1)
    width = CHART_WIDTH - 2 * CHART_MARGIN
    points = [
        {
            "x": CHART_MARGIN + round(width * (d - first).days / span),
            "y": CHART_MARGIN + row * CHART_ROW,
            "label": item.label,
            "number": n + 1,
            "text": item.text,
        }
        for row, (d, n, item) in enumerate(sorted(dated, key=lambda t: (t[0], t[1])))
    ]
    return {
        "width": CHART_WIDTH,
        "height": 2 * CHART_MARGIN + len(points) * CHART_ROW + 16,
        "points": points,
        "first": first.isoformat(),
        "last": last.isoformat(),
    }


def _paragraphs(
    article: Article, span: tuple[int, int] | None = None
) -> list[list[tuple[str, bool]]]:
    """The article's paragraphs, each as (text, highlighted) runs: the text outside ``span``
    and the text inside it."""
    text = article.text
    blocks = [(b.span.start, b.span.end) for b in article.blocks] or [(0, len(text))]
    out = []
    for start, end in blocks:
        if span is None or span[1] <= start or end <= span[0]:
            out.append([(text[start:end], False)])
            continue
        lo, hi = max(start, span[0]), min(end, span[1])
        runs = [(text[start:lo], False), (text[lo:hi], True), (text[hi:end], False)]
        out.append([r for r in runs if r[0]])
    return out
