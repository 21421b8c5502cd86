"""Typed, immutable records passed between the stages.

Every extracted fact carries the :class:`Span` of the article's clean text it came from, so
that every citation can be checked: ``article.text[span.start:span.end]``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

BlockKind = Literal["paragraph", "bullet", "heading", "summary_heading"]
SentenceRole = Literal["lead", "body", "summary", "heading"]
Granularity = Literal["day", "week", "month", "year"]


def content_id(*parts: str, length: int = 16) -> str:
    """A stable hex id from text parts: the same content always gets the same id."""
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
    return digest[:length]


@dataclass(frozen=True, slots=True, kw_only=True)
class Span:
    """Half-open character range [start, end) in an article's clean text."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"span expects 0 <= start <= end, found [{self.start}, {self.end})")

    def of(self, text: str) -> str:
        return text[self.start : self.end]

    def __contains__(self, other: Span) -> bool:
        return self.start <= other.start and other.end <= self.end


@dataclass(frozen=True, slots=True, kw_only=True)
class RawArticle:
    """What a reader found, before cleaning: text plus whatever metadata came with it."""

    origin: str
    title: str
    text: str
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Block:
    """A structural unit of the clean text: paragraph, bullet or heading."""

    span: Span
    kind: BlockKind
    in_summary: bool = False


@dataclass(frozen=True, slots=True, kw_only=True)
class Removal:
    """A piece of the scraped text that cleaning dropped, and why."""

    text: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    id: str
    title: str
    text: str
    outlet: str | None
    url: str | None
    published: str | None
    authors: tuple[str, ...] = ()
    language: str | None = None
    origin: str = ""
    blocks: tuple[Block, ...] = ()
    removed: tuple[Removal, ...] = ()

    @property
    def published_date(self) -> date | None:
        return date.fromisoformat(self.published[:10]) if self.published else None

    @property
    def outlet_label(self) -> str:
        return self.outlet or "unknown outlet"


@dataclass(frozen=True, slots=True, kw_only=True)
class Sentence:
    article_id: str
    index: int
    span: Span
    text: str
    role: SentenceRole
    repeats: int | None = None
    """Index of the body sentence of the same article that this one restates (an outlet's own
    summary block), so that one outlet never counts twice for one statement."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity:
    article_id: str
    sentence: int
    span: Span
    text: str
    label: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Quote:
    """A statement attributed to a speaker: a direct quote (content between quotation marks)
    or reported speech ("X said that …")."""

    article_id: str
    sentence: int
    content: Span
    text: str
    direct: bool
    speaker: str | None = None
    speaker_span: Span | None = None
    cue: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis:
    """One article with everything the analysis found in it: the unit the store writes in one
    transaction."""

    article: Article
    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """An input that a stage refused, with the reason a user can act on."""

    origin: str
    stage: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    """Something an input held that is not an article and is passed over on purpose (a WARC
    request record, a feed entry seen before), counted by kind."""

    origin: str
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Citation:
    article_id: str
    start: int
    end: int
    text: str

    @classmethod
    def of(cls, sentence: Sentence, span: Span | None = None) -> Citation:
        span = span or sentence.span
        offset = span.start - sentence.span.start
        text = sentence.text[offset : offset + span.end - span.start]
        return cls(article_id=sentence.article_id, start=span.start, end=span.end, text=text)


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefItem:
    text: str
    citations: tuple[Citation, ...]
    label: str | None = None
    """A short heading for the item: the actor of Who Thinks What, the date of a Timeline
    entry, the kind of a disagreement."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefSection:
    key: str
    title: str
    items: tuple[BriefItem, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceRef:
    article_id: str
    title: str
    outlet: str | None
    url: str | None
    published: str | None


def independence_key(outlet: str | None, article_id: str) -> str:
    """What counts as one independent source: the outlet, or the article when the outlet is
    unknown."""
    return f"outlet:{' '.join(outlet.casefold().split())}" if outlet else f"article:{article_id}"


@dataclass(frozen=True, slots=True, kw_only=True)
class Brief:
    title: str
    sections: tuple[BriefSection, ...]
    sources: tuple[SourceRef, ...]
    independent_sources: int
    notes: tuple[str, ...] = field(default=())

    def support(self, item: BriefItem) -> int:
        """How many independent sources an item cites (an outlet counts once, whatever it
        repeats)."""
        outlets = {s.article_id: independence_key(s.outlet, s.article_id) for s in self.sources}
        return len({outlets[c.article_id] for c in item.citations})


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """A person or group, its mentions across the articles of a story resolved into one."""

    key: str
    name: str
    kind: Literal["person", "group"]
    mentions: int
    quotes: tuple[Quote, ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class DatedEvent:
    """A sentence with a time expression resolved against its article's publication date."""

    article_id: str
    sentence: int
    expression: Span
    start: date
    granularity: Granularity

    @property
    def label(self) -> str:
        if self.granularity == "day":
            return self.start.isoformat()
        if self.granularity == "week":
            return f"week of {self.start.isoformat()}"
        if self.granularity == "month":
            return self.start.strftime("%Y-%m")
        return str(self.start.year)


@dataclass(frozen=True, slots=True, kw_only=True)
class Version:
    """One side of a disagreement: what some sources say, with the spans that say it."""

    text: str
    outlets: tuple[str, ...]
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Disagreement:
    kind: Literal["quantity", "title"]
    subject: str
    versions: tuple[Version, ...]
