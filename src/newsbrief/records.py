"""Typed, immutable records passed between the stages.

Every extracted fact carries the :class:`Span` of the article's clean text it came from, so
that every citation can be checked: ``article.text[span.start:span.end]``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import date
from typing import Any, Literal

from newsbrief.errors import excerpt, scrub

BlockKind = Literal["paragraph", "bullet", "heading", "summary_heading"]
SentenceRole = Literal["lead", "body", "summary", "heading"]
# "relative": a time expression that the publication date does not resolve (the article has
# none, or the words name no date: "recently", "in the coming weeks").
Granularity = Literal["day", "week", "month", "season", "year", "relative"]
ArgumentRole = Literal["agent", "patient", "place", "time", "figure", "verb"]
# A season's name by the month it starts in (the northern meteorological seasons; winter is
# dated by the December it starts in).
SEASONS = {3: "spring", 6: "summer", 9: "autumn", 12: "winter"}


ID_LENGTH = 16  # hex digits of an id (64 bits): an article's, and so its story's


def content_id(*parts: str, length: int = ID_LENGTH) -> str:
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


# A Rejected's or Skipped's reason, or a warning, at most: the origin (a path or URL) and what
# went wrong, with at most an excerpt of the input (errors.EXCERPT_CHARS): one line to act on.
REASON_CHARS = 1000


def _scrub_fields(record: Any) -> None:
    """Scrub every text of a record as it is made (see errors.scrub): whatever a reader, the
    API or a feed hands in, a lone surrogate never reaches hashing, the store or a terminal."""
    for f in fields(record):
        value = getattr(record, f.name)
        if isinstance(value, str):
            object.__setattr__(record, f.name, scrub(value))
        elif isinstance(value, tuple) and all(isinstance(v, str) for v in value):
            object.__setattr__(record, f.name, tuple(scrub(v) for v in value))


@dataclass(frozen=True, slots=True, kw_only=True)
class RawArticle:
    """What a reader found, before cleaning: text plus whatever metadata came with it; every
    text scrubbed as it is made."""

    origin: str
    title: str
    text: str
    outlet: str | None = None
    url: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    warnings: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "warnings", tuple(excerpt(w, REASON_CHARS) for w in self.warnings))
        _scrub_fields(self)


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
    """Where the statement's sentence names the speaker: the name, title or pronoun ("he");
    ``speaker`` is who that is (the nearest person named before a pronoun, the person a
    title-only mention names elsewhere in the article)."""
    cue: str | None = None
    parts: tuple[Span, ...] = ()
    """The pieces of a statement that other words split, in order, when there are more than
    one ("…,” he said, “…”, or a quote running on in the next sentence): ``content`` then runs
    from the first piece to the last and ``text`` is the pieces joined by PART_JOIN."""

    @property
    def pieces(self) -> tuple[Span, ...]:
        return self.parts or (self.content,)


PART_JOIN = " … "


def statement_text(text: str, pieces: Iterable[Span]) -> str:
    """The words of a statement in ``text``: its pieces, verbatim, joined by PART_JOIN."""
    return PART_JOIN.join(piece.of(text) for piece in pieces)


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    """A title or role a source gives a person, in the sentence that states it: "Ukraine’s
    foreign minister" for andrii Sybiha, "Kremlin spokesperson" for Dmitry Peskov."""

    article_id: str
    sentence: int
    person: str
    """The name as the sentence writes it."""
    person_span: Span
    role: str
    span: Span


@dataclass(frozen=True, slots=True, kw_only=True)
class Argument:
    """A part of an event as its sentence writes it (see analyse.events)."""

    role: ArgumentRole
    span: Span
    text: str
    value: str
    """What compares: a participant's or place's folded name (or its head noun's stem), a
    time as "ISO-date granularity", a figure as "hedge value unit"."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    """What a sentence says happened: its main verb's action (a stem, "arrest"), whether the
    sentence negates it, and its arguments."""

    article_id: str
    sentence: int
    action: str
    span: Span
    negated: bool
    arguments: tuple[Argument, ...] = ()

    def of(self, role: ArgumentRole) -> tuple[Argument, ...]:
        return tuple(a for a in self.arguments if a.role == role)


@dataclass(frozen=True, slots=True, kw_only=True)
class Fingerprint:
    """What duplicate detection knows of an article's clean text (see dedup.fingerprint): the
    hash of the text alone, and its MinHash signature as bytes."""

    text_hash: str
    minhash: bytes


@dataclass(frozen=True, slots=True, kw_only=True)
class Analysis:
    """One article with everything the analysis found in it: the unit the store writes in one
    transaction."""

    article: Article
    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...] = ()
    quotes: tuple[Quote, ...] = ()
    roles: tuple[Role, ...] = ()
    events: tuple[Event, ...] = ()
    fingerprint: Fingerprint | None = None
    """Computed where the article is analysed; the store computes it when missing, and does not
    load it back."""
    lead_vector: bytes | None = None
    """The sentence encoder's vector of the headline and lead (cluster.lead_text) as float32
    bytes, computed where the article is analysed when ingest asks for it; clustering encodes
    it when missing. The store keeps it with the article's story membership."""


@dataclass(frozen=True, slots=True, kw_only=True)
class Rejected:
    """An input that a stage refused, with the reason a user can act on (scrubbed, and at
    most REASON_CHARS long)."""

    origin: str
    stage: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", excerpt(self.reason, REASON_CHARS))
        _scrub_fields(self)


@dataclass(frozen=True, slots=True, kw_only=True)
class Skipped:
    """Something an input held that is not an article and is passed over on purpose (a WARC
    request record, a feed entry seen before), counted by kind."""

    origin: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "reason", excerpt(self.reason, REASON_CHARS))
        _scrub_fields(self)


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
    group: str | None = None
    """The duplicate group (same or nearly the same text) when other sources of the brief are
    in it too."""
    original: str | None = None
    """For a copy: the article id of its group's original (earliest published) in the brief."""
    copy: Literal["exact", "near"] | None = None
    """For a copy: the same text as the original, or a near copy (edited, boilerplate added)."""
    same_text_as: int = 0
    """How many other sources of the brief are in this one's duplicate group."""


def independence_key(outlet: str | None, article_id: str) -> str:
    """What counts as one independent source: the outlet, or the article when the outlet is
    unknown."""
    return f"outlet:{' '.join(outlet.casefold().split())}" if outlet else f"article:{article_id}"


def independence_keys(members: Iterable[tuple[str, str | None, str | None]]) -> dict[str, str]:
    """The independence key of each ``(article_id, outlet, duplicate group)``: articles that
    share an outlet or a duplicate group, directly or through others, are one source (an AP
    story run by three outlets counts once; so does an outlet, whatever it repeats). Without
    groups this is :func:`independence_key`; keys do not depend on the order of ``members``."""
    parent: dict[str, str] = {}

    def find(token: str) -> str:
        parent.setdefault(token, token)
        while parent[token] != token:
            parent[token] = parent[parent[token]]
            token = parent[token]
        return token

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:  # the smaller token represents the set: independent of order
            parent[max(ra, rb)] = min(ra, rb)

    first: dict[str, str] = {}
    for article_id, outlet, group in members:
        token = independence_key(outlet, article_id)
        first[article_id] = token
        find(token)
        if group is not None:
            union(token, f"group:{group}")
    return {article_id: find(token) for article_id, token in first.items()}


@dataclass(frozen=True, slots=True, kw_only=True)
class Brief:
    title: str
    sections: tuple[BriefSection, ...]
    sources: tuple[SourceRef, ...]
    independent_sources: int
    notes: tuple[str, ...] = field(default=())

    def support(self, item: BriefItem) -> int:
        """How many independent sources an item cites (an outlet counts once, whatever it
        repeats; so does a duplicate group, whoever runs it)."""
        keys = independence_keys((s.article_id, s.outlet, s.group) for s in self.sources)
        return len({keys[c.article_id] for c in item.citations})


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefVersion:
    """A brief a stored story had: built at ``created_at`` (UTC, ISO 8601 with microseconds, as
    the store writes it) from ``article_ids``. A story's versions count from 1; a new one is
    kept only when the brief changed."""

    story_id: str
    version: int
    created_at: str
    article_ids: tuple[str, ...]
    brief: Brief


@dataclass(frozen=True, slots=True, kw_only=True)
class Actor:
    """A person or group, its mentions across the articles of a story resolved into one."""

    key: str
    name: str
    kind: Literal["person", "group"]
    mentions: int
    quotes: tuple[Quote, ...] = ()
    roles: tuple[Role, ...] = ()
    """The titles and roles the sources give a person, each with its sentence."""


@dataclass(frozen=True, slots=True, kw_only=True)
class DatedEvent:
    """A sentence with a time expression resolved against its article's publication date, or
    left relative (``start`` None, granularity "relative") when it cannot be resolved."""

    article_id: str
    sentence: int
    expression: Span
    start: date | None
    granularity: Granularity
    said: str = ""
    """The expression as written ("on Thursday")."""

    @property
    def label(self) -> str:
        if self.start is None or self.granularity == "relative":
            return f"date unknown: “{self.said}”"
        if self.granularity == "day":
            return self.start.isoformat()
        if self.granularity == "week":
            return f"week of {self.start.isoformat()}"
        if self.granularity == "month":
            return f"{self.start.year:04d}-{self.start.month:02d}"  # strftime drops zeros
        if self.granularity == "season":
            return f"{SEASONS[self.start.month]} {self.start.year}"
        return str(self.start.year)


@dataclass(frozen=True, slots=True, kw_only=True)
class Version:
    """One side of a disagreement: what some sources say, with the spans that say it."""

    text: str
    outlets: tuple[str, ...]
    citations: tuple[Citation, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Disagreement:
    kind: Literal["quantity", "title", "date", "speaker"]
    subject: str
    versions: tuple[Version, ...]
