"""The operations, importable: ingest paths into a store, brief a set of articles.

Stage order: read → clean → analyse (sentences, entities, quotes) → store; then brief: load →
compare → compose. No I/O of its own beyond the store and the readers it is handed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from newsbrief import nlp
from newsbrief.analyse.quotes import find_quotes
from newsbrief.brief.compose import compose
from newsbrief.dedup import link_repeats
from newsbrief.errors import InputError
from newsbrief.ingest import InputFile, prepare, read_file
from newsbrief.ingest.meta import Metadata
from newsbrief.records import Analysis, Article, Brief, Rejected
from newsbrief.settings import Settings
from newsbrief.store import Store


def analyse(articles: Sequence[Article], settings: Settings) -> Iterator[Analysis]:
    """Parse articles in batches (nlp.pipe) and extract sentences, entities and quotes."""
    if not articles:
        return
    pipeline = nlp.pipeline_for(settings)
    docs = nlp.parse(pipeline, (a.text for a in articles), settings)
    for article, doc in zip(articles, docs, strict=True):
        sents = link_repeats(nlp.sentences(doc, article))
        ents = nlp.entities(doc, article.id, sents)
        quotes = find_quotes(doc, sents, ents)
        yield Analysis(
            article=article, sentences=tuple(sents), entities=tuple(ents), quotes=tuple(quotes)
        )


@dataclass(slots=True)
class IngestReport:
    """What an ingest run did; ``article_ids`` lists every article the inputs hold, new or not,
    in input order."""

    ingested: int = 0
    present: int = 0
    rejected: list[Rejected] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    article_ids: list[str] = field(default_factory=list)

    @property
    def failed(self) -> int:
        return len(self.rejected)

    def summary(self) -> str:
        return f"{self.ingested} ingested, {self.present} already present, {self.failed} failed"


def ingest(
    inputs: Iterable[InputFile | Rejected],
    store: Store,
    settings: Settings,
    *,
    meta: Metadata | None = None,
    stdin: BinaryIO | None = None,
    on_input: Callable[[], None] | None = None,
) -> IngestReport:
    """Read, clean, analyse and store every article of ``inputs`` (see ``ingest.expand``).
    Articles already in the store are not parsed again; each new one is written in its own
    transaction, so an interrupted run leaves only whole articles and can simply be re-run."""
    meta = meta or Metadata()
    report = IngestReport()
    batch: list[Article] = []

    def flush() -> None:
        for analysis in analyse(batch, settings):
            if store.add(analysis):
                report.ingested += 1
            else:
                report.present += 1
        batch.clear()

    for item in inputs:
        found = (
            [item]
            if isinstance(item, Rejected)
            else read_file(item, meta=meta, cap=settings.max_input_bytes, stdin=stdin)
        )
        for raw in found:
            if isinstance(raw, Rejected):
                report.rejected.append(raw)
                continue
            report.warnings.extend(raw.warnings)
            try:
                article = prepare(raw)
            except InputError as exc:
                report.rejected.append(Rejected(origin=raw.origin, stage="clean", reason=str(exc)))
                continue
            if article.id not in report.article_ids:
                report.article_ids.append(article.id)
            if store.has(article.id) or any(a.id == article.id for a in batch):
                report.present += 1
                continue
            batch.append(article)
            if len(batch) >= settings.nlp_batch_size:
                flush()
        if on_input:
            on_input()
    flush()
    return report


def brief(store: Store, article_ids: Sequence[str]) -> Brief:
    """The brief of the story made of ``article_ids`` (all in the store)."""
    return compose(store.load(list(dict.fromkeys(article_ids))))
