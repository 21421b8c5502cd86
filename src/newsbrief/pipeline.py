"""The operations, importable: ingest paths into a store, brief a set of articles.

Stage order: read → clean → analyse (sentences, entities, quotes) → store; then brief: load →
compare → compose. No I/O of its own beyond the store and the readers it is handed.
"""

from __future__ import annotations

import functools
import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from newsbrief import dedup, nlp, parallel
from newsbrief.analyse.quotes import find_quotes
from newsbrief.brief.compose import compose
from newsbrief.dedup import link_repeats
from newsbrief.errors import InputError
from newsbrief.ingest import Input, prepare, read
from newsbrief.ingest.meta import Metadata
from newsbrief.records import Analysis, Article, Brief, RawArticle, Rejected, Skipped
from newsbrief.settings import Settings
from newsbrief.store import Store

# Below this many new articles the pipe runs in this process: starting workers costs more than
# it saves (bench/speed.py: two workers beat one from about two batches of seed-sized articles).
PARALLEL_MIN_ARTICLES = 64


def analyse(
    articles: Iterable[Article], settings: Settings, *, workers: int = 1
) -> Iterator[Analysis]:
    """Parse articles (nlp.pipe, batched) and extract sentences, entities, quotes and the
    duplicate fingerprints; in input order, lazily. With ``workers`` > 1 the batches run in
    that many forked processes."""
    nlp.pipeline_for(settings)  # loaded here, so that forked workers inherit it
    if workers <= 1:
        yield from _analyse_batch(articles, settings)
        return
    yield from parallel.ordered_map(
        functools.partial(_analysis_list, settings=settings),
        articles,
        workers=workers,
        batch_size=settings.nlp_batch_size,
    )


def _analysis_list(articles: list[Article], settings: Settings) -> list[Analysis]:
    return list(_analyse_batch(articles, settings))


def _analyse_batch(articles: Iterable[Article], settings: Settings) -> Iterator[Analysis]:
    pipeline = nlp.pipeline_for(settings)
    for doc, article in nlp.parse(pipeline, ((a.text, a) for a in articles), settings):
        sents = link_repeats(nlp.sentences(doc, article))
        ents = nlp.entities(doc, article, sents)
        quotes = find_quotes(doc, article.text, sents, ents)
        yield Analysis(
            article=article,
            sentences=tuple(sents),
            entities=tuple(ents),
            quotes=tuple(quotes),
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
    inputs: Iterable[Input | Rejected | RawArticle],
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
    transaction, so an interrupted run leaves only whole articles and can simply be re-run."""
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
                if isinstance(item, Rejected | RawArticle)
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
                    article = prepare(raw)
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

    # The model loads, and workers start, only when there is enough new work for them.
    articles = new_articles()
    head = list(itertools.islice(articles, PARALLEL_MIN_ARTICLES))
    if not head:
        return report
    workers = nlp.processes(settings) if len(head) == PARALLEL_MIN_ARTICLES else 1
    for analysis in analyse(itertools.chain(head, articles), settings, workers=workers):
        if store.add(analysis):
            report.ingested += 1
        else:  # another writer stored it since we looked
            report.present += 1
    return report


def brief(store: Store, article_ids: Sequence[str]) -> Brief:
    """The brief of the story made of ``article_ids`` (all in the store); copies of one text
    count as one source."""
    ids = list(dict.fromkeys(article_ids))
    return compose(store.load(ids), groups=store.duplicate_groups(ids))
