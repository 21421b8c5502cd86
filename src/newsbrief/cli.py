"""The ``newsbrief`` command: thin, over the functions of :mod:`newsbrief.pipeline`.

Exit codes: 0 all good; 1 some inputs failed (the rest went through); 2 usage error or total
failure.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from newsbrief import __version__, nlp, pipeline
from newsbrief.brief import diff as brief_diff
from newsbrief.brief import versions as brief_versions
from newsbrief.brief.render import FORMATS, render
from newsbrief.errors import MetadataError, NewsbriefError
from newsbrief.ingest import expand
from newsbrief.ingest.meta import Metadata, normalize_published, user_published
from newsbrief.records import Rejected, Skipped
from newsbrief.settings import Settings, load_settings
from newsbrief.store import Store, StoryFilter

if TYPE_CHECKING:
    from newsbrief.watch import FeedPoll

EXIT_OK, EXIT_PARTIAL, EXIT_FAILURE = 0, 1, 2
PROGRESS_MIN_INPUTS = 5  # fewer inputs than this finish too fast for a bar to help

app = typer.Typer(
    name="newsbrief",
    help="Turn news articles from many outlets into cited story briefs.\n\n"
    "Example: newsbrief brief article1.txt article2.txt --format md",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="markdown",  # joins the docstrings' wrapped lines into paragraphs
    pretty_exceptions_enable=False,
)
err = Console(stderr=True, highlight=False, soft_wrap=True)
out = Console(highlight=False, soft_wrap=True)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        envvar="NEWSBRIEF_DB",
        show_envvar=True,
        help="SQLite file (or SQLAlchemy URL) of the store (default: ./newsbrief.db).",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config",
        envvar="NEWSBRIEF_CONFIG",
        show_envvar=True,
        dir_okay=False,
        help="TOML file overriding settings of the shipped defaults.toml.",
    ),
]
SourceOption = Annotated[
    str | None, typer.Option("--source", help="Outlet name for inputs without one.")
]
UrlOption = Annotated[
    str | None, typer.Option("--url", help="URL of the article (one input only).")
]
PublishedOption = Annotated[
    str | None,
    typer.Option("--published", help="Publication date (ISO 8601) for inputs without one."),
]
Paths = Annotated[
    list[str] | None,
    typer.Argument(
        help="Files (.txt, .jsonl, …), directories (read recursively; files of other types are "
        "skipped), http(s) URLs of pages or feeds, or - for stdin."
    ),
]
AllowPrivateOption = Annotated[
    bool,
    typer.Option(
        "--allow-private",
        help="Fetch from loopback, private and link-local addresses too (refused by default, "
        "as a server fetching URLs should). Example: --allow-private http://127.0.0.1:8000/a",
    ),
]


def _settings(
    ctx: typer.Context, config: Path | None, db: str | None, allow_private: bool = False
) -> Settings:
    """Settings from the command's options, else the ones given before the command."""
    given = ctx.obj or {}
    return load_settings(
        config or given.get("config"),
        db=db or given.get("db"),
        allow_private=True if allow_private else None,  # else the config's or the default
    )


def _fail(message: str) -> typer.Exit:
    err.print(f"[bold red]error:[/] {escape(message)}")
    return typer.Exit(EXIT_FAILURE)


def _metadata(
    paths: list[str], source: str | None, url: str | None, published: str | None
) -> Metadata:
    if url and (len(paths) != 1 or _is_dir(paths[0])):
        raise MetadataError("--url names one article: give exactly one file (or -)")
    published = user_published(published, where="--published")
    return Metadata(source=source, url=url, published=published)


def _is_dir(name: str) -> bool:
    try:
        return Path(name).is_dir()
    except OSError:  # a name too long for the file system: ingest reports it as a failure
        return False


def _progress(label: str, items: int) -> Progress:
    """A progress bar on stderr for long work, shown from PROGRESS_MIN_INPUTS items."""
    return Progress(
        TextColumn(label),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=items < PROGRESS_MIN_INPUTS,
    )


def _ingest(
    paths: list[str], store: Store, settings: Settings, meta: Metadata, console: Console
) -> pipeline.IngestReport:
    inputs = list(expand(paths))
    files = sum(1 for i in inputs if not isinstance(i, Rejected | Skipped))
    with _progress("ingesting", files) as progress:
        task = progress.add_task("ingest", total=len(inputs))
        report = pipeline.ingest(
            inputs, store, settings, meta=meta, on_input=lambda: progress.advance(task)
        )
    if settings.keep_briefs and report.stories:
        kept = pipeline.update_briefs(
            store, report.stories, nlp.load_encoder(settings), on_failed=report.rejected.append
        )
        for version in kept:
            console.print(f"brief of story {version.story_id} kept as version {version.version}")
    for warning in report.warnings:
        err.print(f"[yellow]warning:[/] {escape(warning)}")
    for rejected in report.rejected:
        err.print(f"[red]failed:[/] {escape(rejected.reason)}")
    console.print(report.summary())
    return report


def _exit_code(report: pipeline.IngestReport) -> int:
    if not report.failed:
        return EXIT_OK
    return EXIT_PARTIAL if report.article_ids else EXIT_FAILURE


@app.command()
def ingest(
    ctx: typer.Context,
    paths: Paths = None,
    db: DbOption = None,
    config: ConfigOption = None,
    source: SourceOption = None,
    url: UrlOption = None,
    published: PublishedOption = None,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Ingest articles into the store; ingesting the same article again adds nothing.

    Metadata comes from a sidecar NAME.meta.json beside NAME.txt ({"source", "url", "published",
    "authors", "language", "title"}); the options fill what a sidecar leaves out.

    An input that is no article (binary, too short, too long to analyse, a date before 1900 or
    after tomorrow, …) is refused with its reason and the others go on: exit 0 when all went
    well, 1 when some failed, 2 when every one failed.

    Example: newsbrief ingest articles/ --source "Reuters" --published 2025-10-17

    Example: newsbrief ingest https://example.com/news/rss.xml
    """
    if not paths:
        raise _fail("give at least one file, directory, URL or - (stdin)")
    try:
        settings = _settings(ctx, config, db, allow_private)
        meta = _metadata(paths, source, url, published)
        with Store.open(settings.db) as store:
            report = _ingest(paths, store, settings, meta, out)
    except NewsbriefError as exc:
        raise _fail(str(exc)) from exc
    raise typer.Exit(_exit_code(report))


@app.command()
def reanalyse(
    ctx: typer.Context,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Analyse every stored article again with this version's analysis (sentences, entities,
    quotes with their parts, roles), one article per transaction; stories, duplicate groups
    and the articles themselves are kept.

    Run it after an upgrade whose notes say the analysis changed; briefs of articles stored
    before then lack what the new analysis finds (roles, for one).

    Example: newsbrief reanalyse --db news.db
    """
    try:
        settings = _settings(ctx, config, db)
        with Store.open(settings.db) as store:
            total = store.count()
            with _progress("analysing", total) as progress:
                task = progress.add_task("reanalyse", total=total)
                done, failed = pipeline.reanalyse(
                    store, settings, on_article=lambda: progress.advance(task)
                )
    except NewsbriefError as exc:
        raise _fail(str(exc)) from exc
    for rejected in failed:
        err.print(f"[red]failed:[/] {escape(rejected.reason)} (its earlier analysis is kept)")
    out.print(f"{done} article(s) analysed again, {len(failed)} failed")
    raise typer.Exit(EXIT_PARTIAL if failed else EXIT_OK)


@app.command()
def articles(
    ctx: typer.Context,
    db: DbOption = None,
    config: ConfigOption = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Text in title or outlet.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many.")] = 50,
) -> None:
    """List stored articles, newest first.

    Example: newsbrief articles --query Putin
    """
    try:
        settings = _settings(ctx, config, db)
        with Store.open(settings.db, readonly=True) as store:
            rows = store.list_articles(query=query, limit=limit)
            total = store.count()
    except NewsbriefError as exc:
        raise _fail(str(exc)) from exc
    table = Table(box=None)
    table.add_column("id", no_wrap=True)
    table.add_column("published", no_wrap=True)
    table.add_column("outlet")
    table.add_column("title", ratio=1)
    table.add_column("sentences", justify="right")
    table.add_column("quotes", justify="right")
    for row in rows:
        table.add_row(
            row.id,
            (row.published or "")[:10],
            row.outlet or "—",
            row.title,
            str(row.sentences),
            str(row.quotes),
        )
    out.print(table)
    out.print(f"{len(rows)} of {total} article(s)")


@app.command()
def stories(
    ctx: typer.Context,
    db: DbOption = None,
    config: ConfigOption = None,
    since: Annotated[
        str | None, typer.Option("--since", help="Only stories with an article on or after.")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Only stories with an article on or before.")
    ] = None,
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Text in a member's title or outlet.")
    ] = None,
    outlet: Annotated[
        str | None, typer.Option("--outlet", help="Only stories with an article of this outlet.")
    ] = None,
    actor: Annotated[
        str | None, typer.Option("--actor", help="Only stories naming this actor.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, help="Show at most this many.")] = 50,
) -> None:
    """List stories, most recently active first: id, headline, articles, independent outlets,
    first and last seen, main actors.

    Example: newsbrief stories --since 2025-10-01 --query Putin
    """
    try:
        after = normalize_published(since, where="--since")
        before = normalize_published(until, where="--until")
        settings = _settings(ctx, config, db)
        filters = StoryFilter(
            since=after[:10] if after else None,
            until=before[:10] if before else None,
            query=query,
            outlet=outlet,
            actor=actor,
        )
        with Store.open(settings.db, readonly=True) as store:
            rows = store.list_stories(filters, limit=limit)
            total = store.count_stories(filters)
    except NewsbriefError as exc:
        raise _fail(str(exc)) from exc
    table = Table(box=None)
    table.add_column("id", no_wrap=True)
    table.add_column("headline · main actors")
    for column in ("articles", "outlets"):
        table.add_column(column, justify="right")
    for column in ("first seen", "last seen"):
        table.add_column(column, no_wrap=True)
    for row in rows:
        actors = f"\n[dim]{escape(', '.join(row.actors))}[/]" if row.actors else ""
        table.add_row(
            row.id,
            escape(row.title) + actors,
            str(row.articles),
            str(row.outlets),
            row.first_seen or "—",
            row.last_seen or "—",
        )
    out.print(table)
    out.print(f"{len(rows)} of {total} story(ies)")


@app.command()
def brief(
    ctx: typer.Context,
    paths: Paths = None,
    article: Annotated[
        list[str] | None,
        typer.Option(
            "--article", "-a", help="Id (or unique id prefix) of a stored article; repeatable."
        ),
    ] = None,
    story: Annotated[
        str | None,
        typer.Option("--story", "-s", help="Id (or unique prefix) of a stored story."),
    ] = None,
    every: Annotated[
        bool,
        typer.Option(
            "--all",
            help="Brief every stored story, one after another; a story that cannot be briefed"
            " is named on stderr and the others are still briefed (exit code 1).",
        ),
    ] = False,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(FORMATS)}.")
    ] = "md",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", dir_okay=False, help="Write here instead of stdout."),
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
    source: SourceOption = None,
    url: UrlOption = None,
    published: PublishedOption = None,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Ingest the given files, then brief them (and any --article) as one story; or brief a
    stored story (--story), or every story (--all).

    Example: newsbrief brief seeds/ --format html --output brief.html

    Example: newsbrief brief --story 64c8e49a

    Example: newsbrief brief --all --format json
    """
    if fmt not in FORMATS:
        raise _fail(f"--format expects one of {', '.join(FORMATS)}, found {fmt!r}")
    if story or every:
        if paths or article or (story and every):
            raise _fail("--story and --all brief stored stories: give one, and no files")
        _brief_stories(ctx, story, fmt, output, db, config)
        return
    if not paths and not article:
        raise _fail("give files or directories to brief, or --article ids of stored articles")
    code = EXIT_OK
    try:
        settings = _settings(ctx, config, db, allow_private)
        with Store.open(settings.db) as store:
            ids: list[str] = []
            if paths:
                report = _ingest(
                    paths, store, settings, _metadata(paths, source, url, published), err
                )
                code = _exit_code(report)
                ids += report.article_ids
            ids += [store.resolve(a) for a in article or []]
            if not ids:
                raise _fail("no article to brief: every input failed")
            text = render(pipeline.brief(store, ids, nlp.load_encoder(settings)), fmt)
    except NewsbriefError as exc:
        raise _fail(str(exc)) from exc
    if output:
        output.write_text(text, "utf-8")
        err.print(f"brief written to {escape(str(output))}")
    else:
        sys.stdout.write(text)
    raise typer.Exit(code)


def _brief_stories(
    ctx: typer.Context,
    story: str | None,
    fmt: str,
    output: Path | None,
    db: str | None,
    config: Path | None,
) -> None:
    """Brief one stored story or every one (oldest first), each on its own: a story whose
    brief fails is reported on stderr and the others are printed (exit 1; 2 when none was)."""
    texts: list[str] = []
    failed: list[Rejected] = []
    try:
        settings = _settings(ctx, config, db)
        with Store.open(settings.db) as store:
            if story:
                ids = [store.resolve_story(story)]
            else:
                ids = [row.id for row in reversed(store.list_stories())]  # oldest first
            encoder = nlp.load_encoder(settings)
            for story_id in ids:
                try:
                    texts.append(render(pipeline.brief_story(store, story_id, encoder).brief, fmt))
                # whatever one story's brief runs into, a fault of its data or of ours, is
                # that story's outcome: reported below, and the other stories still briefed
                except Exception as exc:
                    failed.append(Rejected(origin=story_id, stage="brief", reason=_reason(exc)))
    except NewsbriefError as exc:
        raise _fail(str(exc)) from exc
    for rejected in failed:
        err.print(f"[red]failed:[/] story {rejected.origin}: {escape(rejected.reason)}")
    if failed and not texts:
        raise _fail(f"no story could be briefed ({len(failed)} failed)")
    if fmt == "json":
        text = texts[0] if story else "[\n" + ",\n".join(t.rstrip() for t in texts) + "\n]\n"
    else:
        text = "\n".join(texts)
    if output:
        output.write_text(text, "utf-8")
        err.print(f"brief written to {escape(str(output))}")
    else:
        sys.stdout.write(text)
    if failed:
        err.print(f"{len(texts)} of {len(ids)} stories briefed, {len(failed)} failed")
        raise typer.Exit(EXIT_PARTIAL)


def _reason(exc: Exception) -> str:
    """What went wrong, for a user: our errors say it; another is named by its class."""
    if isinstance(exc, NewsbriefError):
        return str(exc)
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


@app.command()
def diff(
    ctx: typer.Context,
    story: Annotated[
        str, typer.Option("--story", "-s", help="Id (or unique prefix) of a stored story.")
    ],
    since: Annotated[
        str,
        typer.Option(
            "--since",
            help="ISO date or date and time, UTC unless it names a zone (2025-10-17,"
            " 2025-10-17T08:00, 2025-10-17T10:00+02:00): compare the brief the story had then"
            " with its brief now.",
        ),
    ],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help=f"One of {', '.join(brief_diff.FORMATS)}.")
    ] = "md",
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """What changed in a stored story's brief since a time: new, changed and gone items, and
    what is now disputed (new in Where Sources Differ).

    It compares the newest kept version of the brief at or before --since with the brief of
    now, which is built first and kept when the story changed. Versions are kept by `brief
    --story/--all`, by `diff` and, for a story briefed before, by each ingest that adds to it.

    Example: newsbrief diff --story 64c8e49a --since 2025-10-17

    Example: newsbrief diff --story 64c8e49a --since 2025-10-17T08:00+02:00 --format json
    """
    if fmt not in brief_diff.FORMATS:
        raise _fail(f"--format expects one of {', '.join(brief_diff.FORMATS)}, found {fmt!r}")
    try:
        at = _moment(since)
    except ValueError as exc:
        raise _fail(
            "--since expects an ISO date or date and time (2025-10-17, 2025-10-17T08:00, "
            f"2025-10-17T08:00+02:00), found {since!r}"
        ) from exc
    try:
        settings = _settings(ctx, config, db)
        with Store.open(settings.db) as store:
            story_id = store.resolve_story(story)
            now = pipeline.brief_story(store, story_id, nlp.load_encoder(settings)).version
            then = brief_versions.newest(store, story_id, at=at)
            first = brief_versions.newest(store, story_id, version=1)
    except NewsbriefError as exc:
        raise _fail(str(exc)) from exc
    if then is None:
        found = first.created_at if first is not None else now.created_at
        raise _fail(
            f"expected a kept brief of story {story_id} at or before "
            f"{at.isoformat(timespec='seconds')}, found none: its first version is from {found}"
        )
    sys.stdout.write(brief_diff.render(brief_diff.diff_versions(then, now), fmt))


def _moment(when: str) -> datetime:
    """An ISO date or date and time as an aware datetime (UTC when it names no zone)."""
    moment = datetime.fromisoformat(when.strip())
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


@app.command()
def watch(
    ctx: typer.Context,
    feeds: Annotated[list[str], typer.Argument(help="http(s) URLs of RSS or Atom feeds.")],
    every: Annotated[
        str, typer.Option("--every", help="Time between polls: 30s, 10m, 1h or 1h30m.")
    ] = "10m",
    once: Annotated[bool, typer.Option("--once", help="Poll once and exit.")] = False,
    polls: Annotated[
        int | None, typer.Option("--polls", min=1, help="Poll this many times and exit.")
    ] = None,
    db: DbOption = None,
    config: ConfigOption = None,
    source: SourceOption = None,
    allow_private: AllowPrivateOption = False,
) -> None:
    """Poll feeds and ingest their new entries, until Ctrl-C.

    Each poll is a conditional GET (ETag, Last-Modified); the entries each feed delivered are
    remembered in the store, so a restart ingests only what is new. One line per feed and poll.

    Example: newsbrief watch https://example.com/rss.xml https://example.org/atom --every 10m
    """
    from newsbrief.watch import parse_duration
    from newsbrief.watch import watch as watch_feeds

    try:
        seconds = parse_duration(every)
    except ValueError as exc:
        raise _fail(f"--every {exc}") from exc
    not_urls = [f for f in feeds if not f.lower().startswith(("http://", "https://"))]
    if not_urls:
        raise _fail(f"watch expects feed URLs (http:// or https://), found {not_urls[0]!r}")

    def show(poll: FeedPoll) -> None:
        for warning in poll.report.warnings:
            err.print(f"[yellow]warning:[/] {escape(warning)}")
        for rejected in poll.report.rejected:
            err.print(f"[red]failed:[/] {escape(rejected.reason)}")
        out.print(escape(poll.line()))

    try:
        settings = _settings(ctx, config, db, allow_private)
        with Store.open(settings.db) as store:
            result = watch_feeds(
                feeds,
                store=store,
                settings=settings,
                every=seconds,
                polls=1 if once else polls,
                meta=Metadata(source=source),
                on_poll=show,
            )
    except NewsbriefError as exc:
        raise _fail(str(exc)) from exc
    if result.interrupted:
        err.print(f"stopped after {result.polls} complete poll(s)")
    raise typer.Exit(EXIT_PARTIAL if result.failed else EXIT_OK)


@app.command()
def serve(
    ctx: typer.Context,
    host: Annotated[
        str, typer.Option("--host", help="Address to listen on (loopback unless you say so).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535, help="TCP port.")] = 8000,
    db: DbOption = None,
    config: ConfigOption = None,
) -> None:
    """Serve the web app: story list and search, stories with their briefs (every citation
    opens its source sentence), sources side by side, and the REST API (/api, OpenAPI at
    /openapi.json). Pages and GET endpoints read the store only.

    POST /api/ingest adds articles or URLs; it needs the header "Authorization: Bearer TOKEN"
    where TOKEN is the value of the environment variable NEWSBRIEF_TOKEN, and is off when
    that is not set. On SIGTERM or Ctrl-C, requests in flight (an ingest) get 5 seconds to
    finish, then the server stops.

    Example: NEWSBRIEF_TOKEN=$(openssl rand -hex 16) newsbrief serve --port 8000
    """
    try:
        import uvicorn

        from newsbrief.web import SHUTDOWN_GRACE, create_app
    except ImportError as exc:
        raise _fail(
            f"serve needs the web extra ({exc.name} is missing): pip install 'newsbrief[web]'"
        ) from exc
    try:
        settings = _settings(ctx, config, db)
        web = create_app(settings, token=os.environ.get("NEWSBRIEF_TOKEN"))
    except NewsbriefError as exc:
        raise _fail(str(exc)) from exc
    ingest_state = "on" if web.state.web.token else "off (set NEWSBRIEF_TOKEN)"
    err.print(f"serving {settings.db} on http://{host}:{port}/ — POST /api/ingest {ingest_state}")
    uvicorn.run(
        web, host=host, port=port, log_level="warning", timeout_graceful_shutdown=SHUTDOWN_GRACE
    )


def _version(value: bool) -> None:
    if value:
        out.print(f"newsbrief {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    ctx: typer.Context,
    db: DbOption = None,
    config: ConfigOption = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Turn news articles from many outlets into cited story briefs."""
    ctx.obj = {"db": db, "config": config}


def main() -> None:
    app()
