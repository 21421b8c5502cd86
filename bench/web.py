"""Web latency harness: p50/p95 of the story list, a story page and the JSON story list of the
web app, served with 10,000 stories in the store.

    .venv/bin/python bench/web.py [--data DIR] [--floors bench/floors.toml] [--stories 10000]
        [--store PATH] [--rebuild] [--requests 200] [--warmup 20] [--sample 50]
        [--app newsbrief.web:create_app] [--path /extra/url ...]

1. real articles, analysed once with ``pipeline.analyse`` (lead vectors included, as ingest
   runs it): the two bundled samples (one story, two outlets) and the first ``--templates``
   triplets of DIR/basil (one event, three outlets) when that set is present;
2. the store: ``--stories`` synthetic stories of 1–3 articles, each article a copy of a real
   analysis under a new id, headline, outlet and publication time, written with ``Store.add``
   and placed in its story by a ``Placement`` built from the real article's features
   (the clustering model is not run per article: ingest places ~10 articles/s, far too slow
   for 10,000 stories). The stories span ``DAYS`` days and arrive in publication order, their
   articles interleaved as a feed delivers them; one story in ten of two articles or more
   carries a syndicated copy (a duplicate group). Kept at ``--store`` (default: a folder under
   the system's temporary directory) beside a sidecar of what built it, and reused while those
   parameters hold (``--rebuild`` builds it again, e.g. after a change to the analysis);
3. briefs: of the ``--sample`` stories (seed 0) whose pages are requested, every other one gets
   a kept brief version (``pipeline.brief_story``, as ``newsbrief brief --story`` makes it);
4. the app (``--app``: module:factory, called with the Settings) served by uvicorn on
   127.0.0.1, on a free port, in a child process (one worker, access log off: the app is
   measured, not the logger), the store opened read-only by the app;
5. latency: sequential GETs over one keep-alive httpx connection (each timed to the last byte
   of the body), ``--warmup`` unmeasured then ``--requests`` measured per URL: "/", its last
   page, a search ("/?q=Putin"), "/api/stories", "/stories/{id}" rotating over the sampled
   stories with a kept brief, and over those without one once the server has built theirs
   (it keeps them in memory), and any ``--path``; p50, p95 and max in ms, the first request
   apart. Before all of these, the first view of each story without a kept brief, once each
   (the first one, which loads the sentence encoder, apart): the server builds its brief
   then. That row is a lower bound: the copies share their text with a few real articles, so
   the server's cache of sentence vectors (brief.compose.VECTORS_KEPT) spares it most of the
   encoding that a story of new text costs. Any answer but 200 counts as an error.

Exit code 0 when every limit of [web] in ``--floors`` holds, 1 otherwise.
"""

from __future__ import annotations

import argparse
import importlib
import json
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import IO, Any

import httpx
import numpy as np
from rich.console import Console
from rich.progress import MofNCompleteColumn, Progress, TimeElapsedColumn
from rich.table import Table

import floors
from compare import basil
from newsbrief import cluster, dedup, nlp, pipeline
from newsbrief.cluster import Assignment, Features, StoryState
from newsbrief.ingest import prepare, read_inputs
from newsbrief.ingest.meta import Metadata
from newsbrief.placement import placement_of
from newsbrief.records import Analysis, Article, Fingerprint, RawArticle, content_id
from newsbrief.settings import Settings, load_settings
from newsbrief.store import Placement, Store
from newsbrief.store.schema import MIGRATIONS

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "src" / "newsbrief" / "data" / "samples"
DEFAULT_DATA = ROOT.parent / "shared" / "data"
DEFAULT_FLOORS = Path(__file__).resolve().with_name("floors.toml")
DEFAULT_STORE_DIR = Path(tempfile.gettempdir()) / "newsbrief-bench-web"
DEFAULT_APP = "newsbrief.web:create_app"
console = Console(highlight=False, width=110)

# --- the synthetic store ----------------------------------------------------------------------
# Bumped whenever the way the store is built changes, so that a cached store is built again.
BUILD = 2
SEED = 0  # of the plan and of the sampled stories: the same store and pages on every run
# The newest story's day, and how many days the stories span (~14 new stories a day at 10,000).
LAST_DAY = date(2025, 10, 17)
DAYS = 730
# Articles per story and how often each size occurs: most stories are told by one outlet.
SIZES = (1, 2, 3)
SIZE_WEIGHTS = (0.5, 0.3, 0.2)
# Share of stories of two articles or more whose last article is a syndicated copy of their
# first (same text, another outlet and headline): a duplicate group, as agency copy makes.
COPY_SHARE = 0.1
# Minutes between two articles of a story: the next one within a day and a half.
GAP_MINUTES = (20, 36 * 60)
HEADLINE_PREFIXES = ("", "", "", "Update: ", "Analysis: ", "Live: ", "Explainer: ")
OUTLETS = tuple(
    f"{place} {paper}"
    for place in "Harbor Riverside Capital Northern Coastal Valley Metro Lakeside Prairie "
    "Summit".split()
    for paper in "Herald Courier Gazette Post Tribune Ledger".split()
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Real:
    """A real article as analysed, and what clustering knows of it."""

    analysis: Analysis
    features: Features


@dataclass(frozen=True, slots=True, kw_only=True)
class Planned:
    """One synthetic article to write: its story, its place in it and the real article whose
    analysis it copies (``copy``: a syndicated copy of the story's first article)."""

    story: int
    position: int
    template: int
    real: int
    published: datetime
    outlet: str
    prefix: str
    copy: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Built:
    """What the store holds and how long building it took (read back from the sidecar when the
    store is reused)."""

    path: Path
    stories: int
    articles: int
    kept: tuple[str, ...]
    """Sampled stories with a kept brief version."""
    unkept: tuple[str, ...]
    """Sampled stories without one."""
    analyse_s: float
    write_s: float
    brief_s: float

    @property
    def fill_s(self) -> float:
        return self.analyse_s + self.write_s + self.brief_s

    def sidecar(self, params: dict[str, int]) -> str:
        """What the sidecar file holds: the parameters, and the rest but the path."""
        fields = {k: getattr(self, k) for k in self.__slots__ if k != "path"}
        return json.dumps({"params": params, **fields}, indent=1)

    @classmethod
    def from_sidecar(cls, path: Path, saved: dict[str, Any]) -> Built:
        fields = {k: v for k, v in saved.items() if k != "params"}
        return cls(
            path=path, **fields | {"kept": tuple(saved["kept"]), "unkept": tuple(saved["unkept"])}
        )


def seed_articles(settings: Settings) -> list[Article]:
    """The bundled samples, read (sidecar metadata included) and cleaned as ingest does."""
    found = read_inputs([str(SAMPLES)], meta=Metadata(), settings=settings)
    return [prepare(raw) for raw in found if isinstance(raw, RawArticle)]


def real_stories(data: Path, templates: int, settings: Settings) -> list[list[Real]]:
    """The real stories the synthetic ones copy, each a list of its analysed articles."""
    stories = [seed_articles(settings)]
    triplets = basil(data)
    if triplets is None:
        console.print(f"basil: skipped (not in {data}); the samples alone are copied")
    else:
        stories += [articles for _name, articles in triplets[:templates]]
    flat = [a for articles in stories for a in articles]
    analyses = list(pipeline.analyse(flat, settings, encode=True))
    feats = cluster.features(analyses, nlp.load_encoder(settings))
    reals = iter(Real(analysis=a, features=f) for a, f in zip(analyses, feats, strict=True))
    return [[next(reals) for _ in articles] for articles in stories]


def plan(templates: Sequence[Sequence[Real]], stories: int, seed: int) -> list[Planned]:
    """The synthetic articles, in the order they are written: by publication time."""
    rng = random.Random(seed)
    first_day = LAST_DAY.toordinal() - DAYS
    out = []
    for story in range(stories):
        template = rng.randrange(len(templates))
        size = rng.choices(SIZES, SIZE_WEIGHTS)[0]
        copy = size >= 2 and rng.random() < COPY_SHARE
        size = min(size, len(templates[template]) + copy)
        day = date.fromordinal(first_day + story * DAYS // stories)
        published = datetime.combine(day, datetime.min.time(), UTC)
        published += timedelta(minutes=rng.randrange(24 * 60))
        for position, outlet in enumerate(rng.sample(OUTLETS, size)):
            last_copy = copy and position == size - 1
            out.append(
                Planned(
                    story=story,
                    position=position,
                    template=template,
                    real=0 if last_copy else position,
                    published=published,
                    outlet=outlet,
                    prefix=rng.choice(HEADLINE_PREFIXES),
                    copy=last_copy,
                )
            )
            published += timedelta(minutes=rng.randrange(*GAP_MINUTES))
    out.sort(key=lambda p: (p.published, p.story, p.position))
    return out


def copy_analysis(real: Analysis, p: Planned, fingerprint: Fingerprint | None) -> Analysis:
    """``real`` as another article: new headline, outlet, time and id (the hash of the new
    headline and the text, as ingest makes it), every record carrying the new id. Without a
    ``fingerprint`` (an original, not a copy) it gets one of its own: copies of one text must
    not all fall into one duplicate group."""
    base = real.article
    title = f"{p.prefix}{base.title} (#{p.story + 1}.{p.position + 1})"
    article_id = content_id(title, base.text)
    article = replace(
        base,
        id=article_id,
        title=title,
        outlet=p.outlet,
        url=f"https://{p.outlet.lower().replace(' ', '-')}.example/{article_id}",
        published=p.published.isoformat(timespec="seconds"),
        authors=(),
        origin=f"bench-web:{p.story}.{p.position}",
    )
    return Analysis(
        article=article,
        sentences=tuple(replace(s, article_id=article_id) for s in real.sentences),
        entities=tuple(replace(e, article_id=article_id) for e in real.entities),
        quotes=tuple(replace(q, article_id=article_id) for q in real.quotes),
        roles=tuple(replace(r, article_id=article_id) for r in real.roles),
        fingerprint=fingerprint or unique_fingerprint(article_id),
        lead_vector=real.lead_vector,
    )


def unique_fingerprint(article_id: str) -> Fingerprint:
    """A fingerprint that duplicates no other: a text hash and MinHash values drawn from the
    article id, so that its LSH buckets are its own."""
    rng = np.random.default_rng(int(article_id, 16))
    values = rng.integers(0, 2**32, dedup.NUM_PERM, dtype=np.uint32).astype("<u4")
    return Fingerprint(text_hash=content_id("bench-web", article_id), minhash=values.tobytes())


def placement(
    p: Planned, f: Features, states: dict[int, StoryState], seq: int, model: str
) -> Placement:
    """Where ingest would have put the article if clustering agreed with the plan: its first
    article founds the story, the others join it (the score: cosine to the story's centroid)."""
    if p.position == 0:
        state = StoryState.founded_by(f, seq)
        states[p.story] = state
        decision = Assignment(article_id=f.article_id, story_id=f.article_id, score=0.0,
                              founded=True)  # fmt: skip
    else:
        state = states[p.story]
        centroid = state.total / (float(np.linalg.norm(state.total)) or 1.0)
        score = float(np.dot(centroid, f.vector))
        state.absorb(f)
        decision = Assignment(article_id=f.article_id, story_id=state.id, score=score,
                              founded=False)  # fmt: skip
    return placement_of(f, decision, state, model)


def write_stories(
    store: Store, templates: Sequence[Sequence[Real]], planned: Sequence[Planned], model: str
) -> list[str]:
    """Write the planned articles, one Store.add (one transaction) each; the story ids in the
    order the stories were founded."""
    states: dict[int, StoryState] = {}
    originals: dict[int, Fingerprint] = {}  # a story's first article, for its copy
    story_ids: list[str] = []
    with _progress() as progress:
        task = progress.add_task("writing stories", total=len(planned))
        for p in planned:
            real = templates[p.template][p.real]
            analysis = copy_analysis(real.analysis, p, originals.get(p.story) if p.copy else None)
            if p.position == 0 and analysis.fingerprint is not None:
                originals[p.story] = analysis.fingerprint
            f = replace(real.features, article_id=analysis.article.id, day=p.published.toordinal())
            story = placement(p, f, states, len(story_ids), model)
            if not store.add(analysis, place=lambda _ledger, story=story: story):
                raise RuntimeError(f"article {analysis.article.id} was written twice")
            if p.position == 0:
                story_ids.append(f.article_id)
            progress.advance(task)
    return story_ids


def brief_sample(store: Store, story_ids: Sequence[str], encoder: nlp.SentenceEncoder) -> None:
    """Keep a brief version of each story, as ``newsbrief brief --story`` does."""
    with _progress() as progress:
        task = progress.add_task("briefing stories", total=len(story_ids))
        for story_id in story_ids:
            pipeline.brief_story(store, story_id, encoder)
            progress.advance(task)


def _progress() -> Progress:
    return Progress(
        *Progress.get_default_columns(), MofNCompleteColumn(), TimeElapsedColumn(),
        console=console,
    )  # fmt: skip


def build(path: Path, params: dict[str, int], data: Path) -> Built:
    """Build the store at ``path`` (replacing what is there) as ``params`` say, then its
    sidecar."""
    for stale in (path, *(path.with_name(path.name + s) for s in ("-wal", "-shm", ".json"))):
        stale.unlink(missing_ok=True)
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = load_settings(env={}).replace(db=str(path))
    start = time.perf_counter()
    reals = real_stories(data, params["templates"], settings)
    encoder = nlp.load_encoder(settings)
    analyse_s = time.perf_counter() - start
    articles = sum(len(r) for r in reals)
    console.print(f"analysed {articles} real articles in {analyse_s:.1f} s (models loaded)")

    planned = plan(reals, params["stories"], SEED)
    start = time.perf_counter()
    with Store.open(settings.db) as store:
        story_ids = write_stories(store, reals, planned, encoder.name)
        write_s = time.perf_counter() - start
        console.print(
            f"wrote {len(story_ids):,} stories, {len(planned):,} articles in {write_s:.1f} s "
            f"({len(planned) / write_s:.0f} articles/s)"
        )
        sample = random.Random(SEED).sample(story_ids, min(params["sample"], len(story_ids)))
        start = time.perf_counter()
        brief_sample(store, sample[::2], encoder)
        brief_s = time.perf_counter() - start
    built = Built(
        path=path,
        stories=len(story_ids),
        articles=len(planned),
        kept=tuple(sample[::2]),
        unkept=tuple(sample[1::2]),
        analyse_s=analyse_s,
        write_s=write_s,
        brief_s=brief_s,
    )
    _sidecar(path).write_text(built.sidecar(params), "utf-8")
    return built


def _sidecar(path: Path) -> Path:
    return path.with_name(path.name + ".json")


def cached(path: Path, params: dict[str, int]) -> Built | None:
    """The store at ``path`` when its sidecar says it was built with ``params``."""
    sidecar = _sidecar(path)
    if not (path.is_file() and sidecar.is_file()):
        return None
    saved = json.loads(sidecar.read_text("utf-8"))
    if saved.get("params") != params:
        console.print(f"{path}: built with other parameters; building it again")
        return None
    return Built.from_sidecar(path, saved)


# --- serving and measuring --------------------------------------------------------------------
# The child process that serves the app: argv is the factory, the store and the port.
SERVER = """\
import importlib, sys
import uvicorn
from newsbrief.settings import load_settings
module, _, name = sys.argv[1].partition(":")
factory = getattr(importlib.import_module(module), name)
app = factory(load_settings(env={}).replace(db=sys.argv[2]))
uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[3]), log_level="warning", access_log=False)
"""
STARTUP_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 60.0
# Stories per page of the list (the app's PAGE_SIZE), for the URL of its last page.
LIST_PAGE = 50
# A search of the story list: a word of the samples' headline, so every store holds matches.
SEARCH = "Putin"


def free_port() -> int:
    """A port nothing listens on now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def serving(app: str, db: Path) -> Iterator[str]:
    """The app served on 127.0.0.1 in a child process until the block ends; its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with tempfile.TemporaryFile() as log:
        server = subprocess.Popen(
            [sys.executable, "-c", SERVER, app, str(db), str(port)], stdout=log, stderr=log
        )
        try:
            wait_until_up(server, base, log)
            yield base
        finally:
            server.terminate()
            try:
                server.wait(timeout=10)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()


def wait_until_up(server: subprocess.Popen[bytes], base: str, log: IO[bytes]) -> None:
    """Return once the server answers over HTTP (any status); exit with its output when it
    stops or does not answer within STARTUP_TIMEOUT_S."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            break
        try:
            httpx.get(base + "/", timeout=REQUEST_TIMEOUT_S)
            return
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    server.wait()
    log.seek(0)
    tail = log.read().decode("utf-8", "replace")[-3000:]
    raise SystemExit(f"the app did not start (exit code {server.returncode}):\n{tail}")


@dataclass(frozen=True, slots=True, kw_only=True)
class Latency:
    """The requests of one URL kind: the first (cold) one, and the measured ones in ms."""

    key: str
    label: str
    urls: int
    first_ms: float
    times_ms: tuple[float, ...]
    kilobytes: float
    errors: tuple[str, ...]

    @property
    def p50(self) -> float:
        return float(np.percentile(self.times_ms, 50))

    @property
    def p95(self) -> float:
        return float(np.percentile(self.times_ms, 95))


def measure(
    client: httpx.Client, key: str, label: str, paths: Sequence[str], warmup: int, requests: int
) -> Latency:
    """``warmup`` then ``requests`` GETs, rotating over ``paths``; each timed from the request
    to the last byte of the body."""
    times: list[float] = []
    sizes: list[int] = []
    errors: list[str] = []
    for i in range(warmup + requests):
        path = paths[i % len(paths)]
        start = time.perf_counter()
        response = client.get(path)
        ms = (time.perf_counter() - start) * 1000
        if response.status_code != 200:
            errors.append(f"GET {path}: {response.status_code} {response.reason_phrase}")
        times.append(ms)
        sizes.append(len(response.content))
    return Latency(
        key=key,
        label=label,
        urls=len(paths),
        first_ms=times[0],
        times_ms=tuple(times[warmup:]),
        kilobytes=sum(sizes) / len(sizes) / 1024,
        errors=tuple(errors),
    )


def latency_table(results: Sequence[Latency], built: Built, requests: int) -> Table:
    table = Table(
        title=f"web latency, {built.stories:,} stories / {built.articles:,} articles "
        f"({requests} sequential requests per URL kind, keep-alive, loopback)"
    )
    table.add_column("GET")
    for name in ("urls", "first ms", "p50 ms", "p95 ms", "max ms", "KB", "errors"):
        table.add_column(name, justify="right", style="bold" if name == "p95 ms" else None)
    for r in results:
        table.add_row(
            r.label,
            str(r.urls),
            f"{r.first_ms:.1f}",
            f"{r.p50:.1f}",
            f"{r.p95:.1f}",
            f"{max(r.times_ms):.1f}",
            f"{r.kilobytes:.1f}",
            str(len(r.errors)),
        )
    return table


def run_requests(args: argparse.Namespace, built: Built) -> list[Latency]:
    """Serve the app on the built store and time every URL kind. The first views of stories
    without a kept brief come first, before anything else could warm what they use."""
    last_page = -(-built.stories // LIST_PAGE)
    kept = [f"/stories/{s}" for s in built.kept]
    unkept = [f"/stories/{s}" for s in built.unkept]
    n, w = args.requests, args.warmup
    with (
        serving(args.app, built.path) as base,
        httpx.Client(base_url=base, timeout=REQUEST_TIMEOUT_S) as client,
    ):
        results = []
        if len(unkept) > 1:  # each once; the first loads the encoder, so it is not measured
            label = "/stories/{id}, no kept brief, first view"
            results.append(measure(client, "story_page_built", label, unkept, 1, len(unkept) - 1))
        results += [
            measure(client, "story_list", "/ (story list)", ["/"], w, n),
            measure(
                client, "story_list_last", f"/?page={last_page}", [f"/?page={last_page}"], w, n
            ),
            measure(client, "story_search", f"/?q={SEARCH}", [f"/?q={SEARCH}"], w, n),
            measure(client, "api_stories", "/api/stories (JSON)", ["/api/stories"], w, n),
        ]
        if kept:
            label = "/stories/{id}, kept brief"
            results.append(measure(client, "story_page_kept", label, kept, w, n))
        if unkept:
            label = "/stories/{id}, no kept brief, seen before"
            results.append(measure(client, "story_page_cached", label, unkept, w, n))
        results += [measure(client, "", path, [path], w, n) for path in args.path]
    return results


def arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="shared data folder")
    parser.add_argument("--floors", type=Path, default=DEFAULT_FLOORS, help="pinned limits")
    parser.add_argument("--stories", type=int, default=10_000, help="stories in the store")
    parser.add_argument(
        "--templates", type=int, default=8, help="BASIL triplets copied beside the samples"
    )
    parser.add_argument("--sample", type=int, default=50, help="story pages requested")
    parser.add_argument(
        "--store", type=Path, help="the built store (default: under the temporary directory)"
    )
    parser.add_argument("--rebuild", action="store_true", help="build the store even if cached")
    parser.add_argument("--requests", type=int, default=200, help="measured requests per URL")
    parser.add_argument("--warmup", type=int, default=20, help="unmeasured requests first")
    parser.add_argument("--app", default=DEFAULT_APP, help="module:factory taking the Settings")
    parser.add_argument(
        "--path", action="append", default=[], help="another URL path to time (repeatable)"
    )
    args = parser.parse_args(argv)
    if args.stories < 1 or args.requests < 1 or args.warmup < 0 or args.templates < 0:
        parser.error("--stories and --requests expect at least 1, --warmup and --templates 0")
    module = args.app.partition(":")[0]
    try:  # here, rather than in the server, where it would fail less visibly
        importlib.import_module(module)
    except ImportError as exc:
        parser.error(f"--app {args.app}: cannot import {module}: {exc}")
    return args


def store_for(args: argparse.Namespace) -> Built:
    """The store the arguments ask for: the cached one when it was built with them, else a new
    one; how it was filled is printed."""
    path = args.store or DEFAULT_STORE_DIR / f"stories-{args.stories}.db"
    basil_present = (args.data / "basil" / "triplets.jsonl").is_file()
    params = {
        "build": BUILD,
        "schema": len(MIGRATIONS),
        "stories": args.stories,
        "templates": args.templates if basil_present else 0,
        "sample": args.sample,
    }
    built = None if args.rebuild else cached(path, params)
    if built is None:
        built = build(path, params, args.data)
        console.print(f"store built in {built.fill_s:.1f} s: {path}")
    else:
        console.print(f"store reused: {path} (built in {built.fill_s:.1f} s; --rebuild to redo)")
    console.print(
        f"fill: analysis {built.analyse_s:.1f} s, writing {built.write_s:.1f} s "
        f"({built.articles / built.write_s:.0f} articles/s), {len(built.kept)} briefs "
        f"{built.brief_s:.1f} s; {path.stat().st_size / 2**20:.0f} MB"
    )
    return built


def main(argv: Sequence[str] | None = None) -> int:
    args = arguments(argv)
    built = store_for(args)
    results = run_requests(args, built)
    console.print(latency_table(results, built, args.requests))
    errors = Counter(e for r in results for e in r.errors)
    for error, times in errors.most_common():
        console.print(f"[red]error[/] {error} (×{times})")
    scores: dict[str, float] = {"errors": errors.total()}
    for r in results:
        if r.key:
            scores |= {f"{r.key}_p50_ms": r.p50, f"{r.key}_p95_ms": r.p95}
    return floors.check("web", scores, args.floors, console)


if __name__ == "__main__":
    sys.exit(main())
