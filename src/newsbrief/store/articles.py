"""What the store keeps of articles: the articles themselves, their analyses (sentences,
entities, quotes, roles) and their duplicate groups (fingerprints, LSH buckets)."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Connection,
    Select,
    and_,
    bindparam,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import SQLAlchemyError

from newsbrief import dedup
from newsbrief.errors import NotFound, StoreError
from newsbrief.records import (
    Analysis,
    Argument,
    Article,
    Block,
    Entity,
    Event,
    Fingerprint,
    Quote,
    Removal,
    Role,
    Sentence,
    Span,
    statement_text,
)
from newsbrief.store.base import StoreBase, chunks, id_prefix, like_escape, now
from newsbrief.store.schema import (
    articles,
    duplicates,
    entities,
    events,
    fingerprints,
    lsh_buckets,
    quotes,
    roles,
    sentences,
)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleRow:
    """An article as listed: metadata without its text."""

    id: str
    title: str
    outlet: str | None
    published: str | None
    url: str | None
    origin: str
    ingested_at: str
    sentences: int
    quotes: int


class ArticleStore(StoreBase):
    """Articles, their analyses and duplicate groups."""

    # --- writing ------------------------------------------------------------------------
    def has(self, article_id: str) -> bool:
        with self.engine.connect() as conn:
            return (
                conn.execute(select(articles.c.id).where(articles.c.id == article_id)).first()
                is not None
            )

    def _write_analysis(self, conn: Connection, analysis: Analysis) -> None:
        """The rows of an article's analysis: sentences, entities, quotes, roles and events."""
        if analysis.sentences:
            conn.execute(
                insert(sentences),
                [
                    {
                        "article_id": s.article_id,
                        "idx": s.index,
                        "start": s.span.start,
                        "end": s.span.end,
                        "role": s.role,
                        "repeats": s.repeats,
                    }
                    for s in analysis.sentences
                ],
            )
        if analysis.entities:
            conn.execute(
                insert(entities),
                [
                    {
                        "article_id": e.article_id,
                        "idx": i,
                        "sentence": e.sentence,
                        "start": e.span.start,
                        "end": e.span.end,
                        "label": e.label,
                    }
                    for i, e in enumerate(analysis.entities)
                ],
            )
        if analysis.quotes:
            conn.execute(
                insert(quotes),
                [
                    {
                        "article_id": q.article_id,
                        "idx": i,
                        "sentence": q.sentence,
                        "start": q.content.start,
                        "end": q.content.end,
                        "direct": q.direct,
                        "speaker": q.speaker,
                        "cue": q.cue,
                        "speaker_start": q.speaker_span.start if q.speaker_span else None,
                        "speaker_end": q.speaker_span.end if q.speaker_span else None,
                        "parts": json.dumps([[p.start, p.end] for p in q.parts])
                        if q.parts
                        else None,
                    }
                    for i, q in enumerate(analysis.quotes)
                ],
            )
        if analysis.events:
            conn.execute(
                insert(events),
                [
                    {
                        "article_id": e.article_id,
                        "idx": i,
                        "sentence": e.sentence,
                        "start": e.span.start,
                        "end": e.span.end,
                        "action": e.action,
                        "negated": e.negated,
                        "arguments": json.dumps(
                            [[a.role, a.span.start, a.span.end, a.value] for a in e.arguments]
                        ),
                    }
                    for i, e in enumerate(analysis.events)
                ],
            )
        if analysis.roles:
            conn.execute(
                insert(roles),
                [
                    {
                        "article_id": r.article_id,
                        "idx": i,
                        "sentence": r.sentence,
                        "person_start": r.person_span.start,
                        "person_end": r.person_span.end,
                        "start": r.span.start,
                        "end": r.span.end,
                    }
                    for i, r in enumerate(analysis.roles)
                ],
            )

    def replace_analysis(self, analysis: Analysis) -> None:
        """Write a stored article's analysis anew (after a change to the analysis), in one
        transaction: its sentences, entities, quotes, roles and events are replaced, the rest
        kept."""
        article_id = analysis.article.id
        try:
            with self.writing() as conn:
                if not conn.execute(
                    select(articles.c.id).where(articles.c.id == article_id)
                ).first():
                    raise StoreError(f"no article {article_id} to analyse again")
                for table in (events, roles, quotes, entities, sentences):
                    conn.execute(delete(table).where(table.c.article_id == article_id))
                self._write_analysis(conn, analysis)
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot write article {article_id}: {exc}") from exc

    def add(self, analysis: Analysis) -> bool:
        """Write one analysed article in one transaction, with its fingerprints and its place
        in a duplicate group; False when it is already stored."""
        return self._add(analysis)

    def _add(self, analysis: Analysis, then: Callable[[Connection], object] | None = None) -> bool:
        """``add``, and ``then`` in the same transaction (a story placement)."""
        article = analysis.article
        fp = analysis.fingerprint or dedup.fingerprint(article.text)
        try:
            with self.writing() as conn:
                if conn.execute(select(articles.c.id).where(articles.c.id == article.id)).first():
                    return False
                conn.execute(insert(articles).values(_article_row(article)))
                self._write_analysis(conn, analysis)
                _add_fingerprint(conn, article.id, fp)
                if then is not None:
                    then(conn)
        except SQLAlchemyError as exc:
            raise StoreError(
                f"cannot write article {article.id} ({article.origin}): {exc}"
            ) from exc
        return True

    def duplicate_groups(self, ids: Sequence[str]) -> dict[str, str]:
        """The duplicate group of each of ``ids`` that has one (group id: its first member's
        article id); articles without a duplicate are left out."""
        with self.engine.connect() as conn:
            return duplicate_groups(conn, ids)

    def duplicates(self, ids: Sequence[str]) -> dict[str, Duplicate]:
        """How each of ``ids`` that is in a duplicate group stands in it, with the group's
        original: its earliest published member (undated members last, ties by id), over the
        whole store."""
        with self.engine.connect() as conn:
            return _duplicates(conn, ids)

    # --- reading ------------------------------------------------------------------------
    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(articles)).scalar() or 0)

    def list_articles(
        self, *, query: str | None = None, limit: int | None = None
    ) -> list[ArticleRow]:
        """Articles, the most recently published first; ``query``: text in the title or
        outlet."""
        stmt = self._article_rows().order_by(
            articles.c.published.desc(), articles.c.ingested_at.desc(), articles.c.id
        )
        if query:
            like = f"%{like_escape(query)}%"
            stmt = stmt.where(
                articles.c.title.ilike(like, escape="\\")
                | articles.c.outlet.ilike(like, escape="\\")
            )
        if limit:
            stmt = stmt.limit(limit)
        with self.engine.connect() as conn:
            return [_listed(r) for r in conn.execute(stmt)]

    def article_rows(self, ids: Sequence[str]) -> list[ArticleRow]:
        """The listed form of the stored articles among ``ids``, in that order."""
        found: dict[str, ArticleRow] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(dict.fromkeys(ids))):
                stmt = self._article_rows().where(articles.c.id.in_(chunk))
                found |= {r.id: _listed(r) for r in conn.execute(stmt)}
        return [found[i] for i in ids if i in found]

    @staticmethod
    def _article_rows() -> Select[Any]:
        n_sent = (
            select(func.count()).where(sentences.c.article_id == articles.c.id).scalar_subquery()
        )
        n_quote = select(func.count()).where(quotes.c.article_id == articles.c.id).scalar_subquery()
        return select(
            articles.c.id,
            articles.c.title,
            articles.c.outlet,
            articles.c.published,
            articles.c.url,
            articles.c.origin,
            articles.c.ingested_at,
            n_sent.label("n_sent"),
            n_quote.label("n_quote"),
        )

    def resolve(self, prefix: str) -> str:
        """The full id of the one article whose id starts with ``prefix``."""
        prefix = id_prefix(prefix, "article")
        with self.engine.connect() as conn:
            ids = (
                conn.execute(
                    select(articles.c.id)
                    .where(articles.c.id.startswith(prefix, autoescape=True))
                    .limit(2)
                )
                .scalars()
                .all()
            )
        if len(ids) != 1:
            raise NotFound(f"expected one article with id {prefix!r}…, found {len(ids)}")
        return str(ids[0])

    def load(self, ids: Sequence[str]) -> list[Analysis]:
        """The stored analyses of ``ids``, in that order."""
        return [self._load_one(i) for i in ids]

    def iter_ids(self) -> Iterator[str]:
        with self.engine.connect() as conn:
            yield from conn.execute(select(articles.c.id).order_by(articles.c.id)).scalars()

    def _load_one(self, article_id: str) -> Analysis:
        with self.engine.connect() as conn:
            row = conn.execute(select(articles).where(articles.c.id == article_id)).first()
            if row is None:
                raise NotFound(f"no article {article_id} in the store")
            article = _article(row._mapping)
            text = article.text
            sents = tuple(
                Sentence(
                    article_id=article_id,
                    index=r.idx,
                    span=Span(start=r.start, end=r.end),
                    text=text[r.start : r.end],
                    role=r.role,
                    repeats=r.repeats,
                )
                for r in conn.execute(
                    select(sentences)
                    .where(sentences.c.article_id == article_id)
                    .order_by(sentences.c.idx)
                )
            )
            ents = tuple(
                Entity(
                    article_id=article_id,
                    sentence=r.sentence,
                    span=Span(start=r.start, end=r.end),
                    text=text[r.start : r.end],
                    label=r.label,
                )
                for r in conn.execute(
                    select(entities)
                    .where(entities.c.article_id == article_id)
                    .order_by(entities.c.idx)
                )
            )
            quos = tuple(
                _quote(article_id, text, r)
                for r in conn.execute(
                    select(quotes).where(quotes.c.article_id == article_id).order_by(quotes.c.idx)
                )
            )
            rols = tuple(
                Role(
                    article_id=article_id,
                    sentence=r.sentence,
                    person=text[r.person_start : r.person_end],
                    person_span=Span(start=r.person_start, end=r.person_end),
                    role=text[r.start : r.end],
                    span=Span(start=r.start, end=r.end),
                )
                for r in conn.execute(
                    select(roles).where(roles.c.article_id == article_id).order_by(roles.c.idx)
                )
            )
            evs = tuple(
                _event(article_id, text, r)
                for r in conn.execute(
                    select(events).where(events.c.article_id == article_id).order_by(events.c.idx)
                )
            )
        return Analysis(
            article=article, sentences=sents, entities=ents, quotes=quos, roles=rols, events=evs
        )


def _event(article_id: str, text: str, row: Any) -> Event:
    return Event(
        article_id=article_id,
        sentence=row.sentence,
        action=row.action,
        span=Span(start=row.start, end=row.end),
        negated=bool(row.negated),
        arguments=tuple(
            Argument(role=role, span=Span(start=start, end=end), text=text[start:end], value=value)
            for role, start, end, value in json.loads(row.arguments)
        ),
    )


# The stored articles that may duplicate a new one: the same text hash, or a shared (band,
# bucket). Built once, with placeholders: building the 32-way OR per article cost more than the
# query. An OR of (band, bucket) pairs, not a row-value IN: SQLite searches the primary key for
# each pair, where it scans the whole table for the IN.
_CANDIDATES = select(fingerprints).where(
    or_(
        fingerprints.c.text_hash == bindparam("text_hash"),
        fingerprints.c.article_id.in_(
            select(lsh_buckets.c.article_id).where(
                or_(
                    *(
                        and_(
                            lsh_buckets.c.band == b,
                            lsh_buckets.c.bucket == bindparam(f"bucket_{b}"),
                        )
                        for b in range(dedup.LSH_BANDS)
                    )
                )
            )
        ),
    ),
    fingerprints.c.article_id != bindparam("article_id"),
)


@dataclass(frozen=True, slots=True, kw_only=True)
class Duplicate:
    """An article's place in its duplicate group."""

    group_id: str
    kind: str  # exact | near: its closest link to another member
    similarity: float
    original: str  # the group's earliest published member


def _listed(r: Any) -> ArticleRow:
    return ArticleRow(
        id=r.id,
        title=r.title,
        outlet=r.outlet,
        published=r.published,
        url=r.url,
        origin=r.origin,
        ingested_at=r.ingested_at,
        sentences=r.n_sent,
        quotes=r.n_quote,
    )


def _article_row(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "text": article.text,
        "outlet": article.outlet,
        "url": article.url,
        "published": article.published,
        "authors": json.dumps(article.authors),
        "language": article.language,
        "origin": article.origin,
        "blocks": json.dumps(
            [[b.span.start, b.span.end, b.kind, b.in_summary] for b in article.blocks]
        ),
        "removed": json.dumps([[r.text, r.reason] for r in article.removed], ensure_ascii=False),
        "ingested_at": now(),
    }


def _article(row: Any) -> Article:
    return Article(
        id=row["id"],
        title=row["title"],
        text=row["text"],
        outlet=row["outlet"],
        url=row["url"],
        published=row["published"],
        authors=tuple(json.loads(row["authors"])),
        language=row["language"],
        origin=row["origin"],
        blocks=tuple(
            Block(span=Span(start=s, end=e), kind=k, in_summary=bool(m))
            for s, e, k, m in json.loads(row["blocks"])
        ),
        removed=tuple(Removal(text=t, reason=r) for t, r in json.loads(row["removed"])),
    )


def _quote(article_id: str, text: str, row: Any) -> Quote:
    parts = tuple(Span(start=a, end=b) for a, b in json.loads(row.parts)) if row.parts else ()
    content = Span(start=row.start, end=row.end)
    return Quote(
        article_id=article_id,
        sentence=row.sentence,
        content=content,
        text=statement_text(text, parts or (content,)),
        direct=bool(row.direct),
        speaker=row.speaker,
        speaker_span=Span(start=row.speaker_start, end=row.speaker_end)
        if row.speaker_start is not None
        else None,
        cue=row.cue,
        parts=parts,
    )


# --- duplicates (dedup) ---------------------------------------------------------------
# Written inside add's transaction: an article, its fingerprints and its group row exist
# together or not at all. Groups are the connected components of the "duplicates" relation
# (same text hash, or LSH candidates verified by dedup.matches): every pair is examined
# when the later of the two arrives, so which articles are grouped does not depend on the
# order of arrival. What does: the group id (its first member's id; when an arrival joins
# two groups, the one whose first member came first keeps its id).
def _add_fingerprint(conn: Connection, article_id: str, fp: Fingerprint) -> None:
    conn.execute(
        insert(fingerprints).values(
            article_id=article_id, text_hash=fp.text_hash, minhash=fp.minhash
        )
    )
    keys = dedup.bands(fp)
    if keys:
        conn.execute(
            insert(lsh_buckets),
            [{"band": b, "bucket": k, "article_id": article_id} for b, k in keys],
        )
    # candidates: the same text, or a shared LSH bucket (an empty text has no buckets:
    # its placeholders match none)
    params = {f"bucket_{b}": "" for b in range(dedup.LSH_BANDS)}
    params |= {f"bucket_{b}": k for b, k in keys}
    found = {
        r.article_id: Fingerprint(text_hash=r.text_hash, minhash=r.minhash)
        for r in conn.execute(
            _CANDIDATES, {"article_id": article_id, "text_hash": fp.text_hash, **params}
        )
    }
    found_matches = dedup.matches(fp, found)
    if found_matches:
        _join_groups(conn, article_id, found_matches)


def _join_groups(conn: Connection, article_id: str, found: Sequence[dedup.Match]) -> None:
    """Put ``article_id`` in one group with the articles it duplicates, merging their
    groups. A member's kind and similarity are those of its closest link in the group."""
    ids = [m.article_id for m in found]
    rows = {
        r.article_id: r
        for r in conn.execute(select(duplicates).where(duplicates.c.article_id.in_(ids)))
    }
    founders = {rows[i].group_id if i in rows else i for i in ids}
    arrived = {
        r.id: r.ingested_at
        for r in conn.execute(
            select(articles.c.id, articles.c.ingested_at).where(articles.c.id.in_(founders))
        )
    }
    group = min(founders, key=lambda f: (arrived.get(f, "~"), f))
    if merged := sorted(founders - {group}):
        conn.execute(
            update(duplicates).where(duplicates.c.group_id.in_(merged)).values(group_id=group)
        )
    for match in found:
        row = rows.get(match.article_id)
        link = (match.kind == "exact", match.similarity)
        if row is None:
            conn.execute(
                insert(duplicates).values(
                    article_id=match.article_id,
                    group_id=group,
                    kind=match.kind,
                    similarity=match.similarity,
                )
            )
        elif link > (row.kind == "exact", row.similarity):
            conn.execute(
                update(duplicates)
                .where(duplicates.c.article_id == match.article_id)
                .values(kind=match.kind, similarity=match.similarity)
            )
    best = max(found, key=lambda m: (m.kind == "exact", m.similarity))
    conn.execute(
        insert(duplicates).values(
            article_id=article_id, group_id=group, kind=best.kind, similarity=best.similarity
        )
    )


def duplicate_groups(conn: Connection, ids: Sequence[str]) -> dict[str, str]:
    """See ArticleStore.duplicate_groups."""
    return {i: d.group_id for i, d in _duplicates(conn, ids).items()}


def _duplicates(conn: Connection, ids: Sequence[str]) -> dict[str, Duplicate]:
    """See ArticleStore.duplicates."""
    out: dict[str, Duplicate] = {}
    for chunk in chunks(list(dict.fromkeys(ids))):
        rows = conn.execute(select(duplicates).where(duplicates.c.article_id.in_(chunk)))
        for r in rows:
            out[r.article_id] = Duplicate(
                group_id=r.group_id, kind=r.kind, similarity=r.similarity, original=""
            )
    groups = sorted({d.group_id for d in out.values()})
    originals: dict[str, tuple[bool, str, str]] = {}
    for chunk in chunks(groups):
        members = conn.execute(
            select(duplicates.c.group_id, articles.c.id, articles.c.published)
            .join(articles, articles.c.id == duplicates.c.article_id)
            .where(duplicates.c.group_id.in_(chunk))
        )
        for group_id, member, published in members:
            rank = (published is None, published or "", member)
            if group_id not in originals or rank < originals[group_id]:
                originals[group_id] = rank
    return {i: dataclasses.replace(d, original=originals[d.group_id][2]) for i, d in out.items()}
