"""The operations, importable: ingest paths into a store, brief a set of articles.

Stage order: read → clean → analyse (sentences, entities, quotes) → store; then brief: load →
compare → compose. No I/O of its own beyond the store and the readers it is handed.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from typing import BinaryIO

from newsbrief import cluster, dedup, nlp, parallel
from newsbrief.analyse import speakers
from newsbrief.analyse.events import find_events
from newsbrief.analyse.quotes import find_quotes
from newsbrief.analyse.roles import find_roles
from newsbrief.analyse.timeline import dated_events
from newsbrief.brief import versions
from newsbrief.brief.compose import compose
from newsbrief.dedup import link_repeats
from newsbrief.errors import InputError, ModelError, describe
from newsbrief.ingest import Input, admit, prepare, read
from newsbrief.ingest.meta import Metadata
from newsbrief.placement import ENCODE_BATCH, StoryPlacer
from newsbrief.records import (
    Analysis,
    Article,
    Brief,
    BriefVersion,
    RawArticle,
    Rejected,
    Skipped,
)
from newsbrief.settings import Settings
from newsbrief.store import Store

# Below this many new articles the pipe runs in this process: starting workers costs more than
# it saves (bench/speed.py: two workers beat one from about two batches of seed-sized articles).
PARALLEL_MIN_ARTICLES = 64


def analyse(
    articles: Iterable[Article],
    settings: Settings,
    *,
    workers: int = 1,
    encode: bool = False,
    on_rejected: Callable[[Article, Rejected], None] | None = None,
) -> Iterator[Analysis]:
    """Parse articles (nlp.pipe, batched) and extract sentences, entities, quotes and the
    duplicate fingerprints, and with ``encode`` the lead vectors clustering needs (the setting
    encoder); in input order, lazily. With ``workers`` > 1 the batches run in that many forked
    processes, each loading its own encoder on one thread. An article whose analysis raises
    costs no other (see _analyse_batch): it is handed to ``on_rejected`` as a
    Rejected(stage="analyse") and left out, or without ``on_rejected`` is an InputError."""
    nlp.pipeline_for(settings)  # loaded here, so that forked workers inherit it
    if workers <= 1:
        articles = iter(articles)
        batches = iter(lambda: list(itertools.islice(articles, settings.nlp_batch_size)), [])
        results: Iterable[Analysis | _Unanalysed] = itertools.chain.from_iterable(
            _analysis_list(batch, settings, encode=encode) for batch in batches
        )
    else:
        results = parallel.ordered_map(
            functools.partial(_analysis_list, settings=settings, encode=encode, encoder_threads=1),
            articles,
            workers=workers,
            batch_size=settings.nlp_batch_size,
        )
    for result in results:
        if isinstance(result, Analysis):
            yield result
        elif on_rejected is None:
            raise InputError(result.rejected.reason)
        else:
            on_rejected(result.article, result.rejected)


@dataclass(frozen=True, slots=True, kw_only=True)
class _Unanalysed:
    """An article whose analysis raised, and why: what crosses back from a worker process."""

    article: Article
    rejected: Rejected


def _analysis_list(
    articles: list[Article],
    settings: Settings,
    *,
    encode: bool = False,
    encoder_threads: int | None = None,
) -> list[Analysis | _Unanalysed]:
    out = _analyse_batch(articles, settings)
    done = [a for a in out if isinstance(a, Analysis)]
    if not encode or not done:
        return out
    encoder = nlp.load_encoder(settings, threads=encoder_threads)
    vectors = iter(cluster.lead_vectors(done, encoder))
    return [replace(a, lead_vector=next(vectors)) if isinstance(a, Analysis) else a for a in out]


def _analyse_batch(articles: list[Article], settings: Settings) -> list[Analysis | _Unanalysed]:
    """The analyses of a batch, parsed together; when anything raises, each article is
    analysed alone, and the one that raises is an _Unanalysed (spaCy's E088 on a text above
    its max_length, a fault of ours on odd text): one article never costs its batch."""
    try:
        return list(_analysed(articles, settings))
    except ModelError:  # no model: no article can be analysed
        raise
    except Exception as exc:
        if len(articles) > 1:
            return [out for article in articles for out in _analyse_batch([article], settings)]
        origin = articles[0].origin
        reason = f"{origin}: expected an article the analysis can take, found {describe(exc)}"
        rejected = Rejected(origin=origin, stage="analyse", reason=reason)
        return [_Unanalysed(article=articles[0], rejected=rejected)]


def _analysed(articles: Iterable[Article], settings: Settings) -> Iterator[Analysis]:
    """The analyses of ``articles``, parsed together (nlp.pipe)."""
    pipeline = nlp.pipeline_for(settings)
    for doc, article in nlp.parse(pipeline, ((a.text, a) for a in articles), settings):
        sents = link_repeats(nlp.sentences(doc, article))
        ents = nlp.entities(doc, article, sents)
        quotes = find_quotes(doc, article.text, sents, ents)
        roles = find_roles(doc, article.text, sents, ents, quotes)
        quotes = speakers.RESOLVER(doc, article.text, sents, ents, quotes, roles)
        dated = dated_events(article, ents, quotes, sents)
        events = find_events(doc, article.text, sents, ents, quotes, dated)
        yield Analysis(
            article=article,
            sentences=tuple(sents),
            entities=tuple(ents),
            quotes=tuple(quotes),
            roles=tuple(roles),
            events=tuple(events),
            fingerprint=dedup.fingerprint(article.text),
        )


@dataclass(slots=True)
class IngestReport:
    """What an ingest run did; ``article_ids`` lists every article the inputs hold, new or not,
    in input order."""

    ingested: int = 0
    present: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    warnings: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)
    stories: list[str] = field(default_factory=list)
    """The stories new articles joined, and those merged into them, each once: what
    :func:`update_briefs` looks at."""

    @property
    def failed(self) -> int:
        return len(self.rejected)

    def summary(self) -> str:
        line = f"{self.ingested} ingested, {self.present} already present, {self.failed} failed"
        if self.skipped:
            kinds = ", ".join(f"{n} {reason}" for reason, n in sorted(self.skipped.items()))
            line += f" ({sum(self.skipped.values())} skipped: {kinds})"
        return line


def ingest(
    inputs: Iterable[Input | Rejected | Skipped | RawArticle],
    store: Store,
    settings: Settings,
    *,
    meta: Metadata | None = None,
    stdin: BinaryIO | None = None,
    on_input: Callable[[], None] | None = None,
) -> IngestReport:
    """Read, clean, analyse and store every article of ``inputs`` (see ``ingest.expand``; a
    RawArticle is one already read, as ``watch`` hands in feed entries).
    Articles already in the store are not parsed again; each new one is written in its own
    transaction with its place in a story (see placement; the setting encoder), so an
    interrupted run leaves only whole articles and can simply be re-run; stored articles
    without a story get one first. Other writers may share the store meanwhile (see
    placement)."""
    meta = meta or Metadata()
    report = IngestReport()

    def new_articles() -> Iterator[Article]:
        """Clean articles that the store does not hold yet, each once; everything else is
        counted in the report on the way."""
        pending: set[str] = set()  # queued for analysis in this run
        listed: set[str] = set()  # in report.article_ids
        for item in inputs:
            found = (
                [item]
                if isinstance(item, Rejected | Skipped | RawArticle)
                else read(item, meta=meta, settings=settings, stdin=stdin)
            )
            for raw in found:
                if isinstance(raw, Rejected):
                    report.rejected.append(raw)
                    continue
                if isinstance(raw, Skipped):
                    report.skipped[raw.reason] += 1
                    continue
                report.warnings.extend(raw.warnings)
                try:
                    article = admit(prepare(raw), settings)
                except InputError as exc:
                    report.rejected.append(
                        Rejected(origin=raw.origin, stage="clean", reason=str(exc))
                    )
                    continue
                if article.id not in listed:
                    listed.add(article.id)
                    report.article_ids.append(article.id)
                if article.id in pending or store.has(article.id):
                    report.present += 1
                    continue
                pending.add(article.id)
                yield article
            if on_input:
                on_input()

    def unanalysed(article: Article, rejected: Rejected) -> None:
        """An article whose analysis failed: a failure, and not an article of this run."""
        report.rejected.append(rejected)
        report.article_ids.remove(article.id)

    # The model loads, and workers start, only when there is enough new work for them.
    articles = new_articles()
    head = list(itertools.islice(articles, PARALLEL_MIN_ARTICLES))
    placer = StoryPlacer(store, functools.partial(nlp.load_encoder, settings))
    placer.place_unplaced()
    if not head:
        return report
    workers = nlp.processes(settings) if len(head) == PARALLEL_MIN_ARTICLES else 1
    analyses = analyse(
        itertools.chain(head, articles),
        settings,
        workers=workers,
        encode=True,
        on_rejected=unanalysed,
    )
    while batch := list(itertools.islice(analyses, ENCODE_BATCH)):
        for analysis, f in zip(batch, placer.features(batch), strict=True):
            placed = placer.add(analysis, f)
            if placed is None:  # another writer stored it since we looked
                report.present += 1
                continue
            report.ingested += 1
            for story_id in (placed.story_id, *placed.merged):
                if story_id not in report.stories:
                    report.stories.append(story_id)
    return report


REANALYSE_BATCH = 64  # articles analysed and written at a time


def reanalyse(
    store: Store, settings: Settings, *, on_article: Callable[[], None] | None = None
) -> tuple[int, list[Rejected]]:
    """Analyse every stored article again with the current code and models, and replace its
    sentences, entities, quotes and roles, one transaction per article (an interrupted run
    leaves each article whole, old or new). Stories and duplicate groups are kept. Returns
    how many articles were analysed, and the articles the analysis could not take (they keep
    the analysis they had)."""
    ids = list(store.iter_ids())
    done, failed = 0, []
    for start in range(0, len(ids), REANALYSE_BATCH):
        stored = store.load(ids[start : start + REANALYSE_BATCH])
        for analysis in analyse(
            [a.article for a in stored],
            settings,
            workers=nlp.processes(settings),
            on_rejected=lambda _article, rejected: failed.append(rejected),
        ):
            store.replace_analysis(analysis)
            done += 1
            if on_article is not None:
                on_article()
    return done, failed


def brief(
    store: Store, article_ids: Sequence[str], encoder: nlp.SentenceEncoder | None = None
) -> Brief:
    """The brief of the story made of ``article_ids`` (all in the store); copies of one text
    count as one source. With a sentence ``encoder`` (nlp.load_encoder), statements of
    different outlets align on meaning as well as words."""
    ids = list(dict.fromkeys(article_ids))
    return compose(store.load(ids), groups=store.duplicate_groups(ids), encoder=encoder)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryBrief:
    """A stored story's brief as just built, and its newest kept version (``added``: kept by
    this call, the brief having changed)."""

    brief: Brief
    version: BriefVersion
    added: bool


def brief_story(
    store: Store, story_id: str, encoder: nlp.SentenceEncoder | None = None
) -> StoryBrief:
    """The brief of a stored story, kept as its newest version when it changed (see
    brief.versions): every brief of a story that a user sees is one of its versions."""
    ids = store.story_articles(story_id)
    made = brief(store, ids, encoder)
    version, added = versions.keep(store, story_id, ids, made)
    return StoryBrief(brief=made, version=version, added=added)


def update_briefs(
    store: Store,
    story_ids: Sequence[str],
    encoder: nlp.SentenceEncoder | None = None,
    *,
    on_failed: Callable[[Rejected], None] | None = None,
) -> list[BriefVersion]:
    """Rebuild the brief of every followed story among ``story_ids`` (one with a kept brief,
    see Store.followed; a story merged into another is followed by the survivor), keeping it
    when it changed; the versions added. Run after an ingest (its report's ``stories``) so that
    a story's versions follow its articles and `newsbrief diff --since` finds the brief as it
    stood at that time; a story nobody briefed costs nothing. A story whose brief cannot be
    built costs no other: it is handed to ``on_failed`` as a Rejected(stage="brief") (without
    ``on_failed``, the error is raised)."""
    followed = store.followed(story_ids)
    survivors = dict.fromkeys(store.resolve_story(s) for s in story_ids if s in followed)
    added = []
    for story_id in survivors:
        try:
            made = brief_story(store, story_id, encoder)
        except Exception as exc:
            if on_failed is None:
                raise
            reason = f"story {story_id}: its brief could not be rebuilt ({describe(exc)})"
            on_failed(Rejected(origin=f"story {story_id}", stage="brief", reason=reason))
            continue
        if made.added:
            added.append(made.version)
    return added
