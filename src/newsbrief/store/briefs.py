"""What the store keeps of briefs: every version of a story's brief, as it was built, as text
(the JSON of docs/brief-json.md: newsbrief.brief.versions writes and reads it)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import SQLAlchemyError

from newsbrief.errors import StoreError
from newsbrief.store.base import StoreBase, chunks
from newsbrief.store.schema import brief_versions


@dataclass(frozen=True, slots=True, kw_only=True)
class KeptBrief:
    """A kept version of a story's brief: ``body`` is its JSON."""

    story_id: str
    version: int
    created_at: str  # UTC, ISO 8601 with microseconds
    article_ids: tuple[str, ...]
    body: str


class BriefStore(StoreBase):
    """Brief versions."""

    # --- brief versions --------------------------------------------------------------------
    # A story's briefs as they were built, numbered from 1, each as the JSON of render.to_dict
    # (docs/brief-json.md) with the sha256 of that JSON: a brief equal to the newest version
    # adds none. created_at never goes back within a story, so "the newest at or before a
    # time" is also the highest version at or before it.
    def keep_brief(
        self, story_id: str, article_ids: Sequence[str], body: str
    ) -> tuple[KeptBrief, bool]:
        """Keep ``body`` (a brief built from ``article_ids``) as the story's newest version
        unless it is the newest already; that newest version, and whether it was added now.
        Writers take turns (the writer lock): the newest version read is the newest there
        is."""
        digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
        try:
            with self.writing() as conn:
                newest = conn.execute(
                    select(brief_versions)
                    .where(brief_versions.c.story_id == story_id)
                    .order_by(brief_versions.c.version.desc())
                    .limit(1)
                ).first()
                if newest is not None and newest.digest == digest:
                    return _kept(newest), False
                row = {
                    "story_id": story_id,
                    "version": newest.version + 1 if newest else 1,
                    "created_at": max(_stamp(), newest.created_at if newest else ""),
                    "article_ids": json.dumps(list(article_ids)),
                    "digest": digest,
                    "brief": body,
                }
                conn.execute(insert(brief_versions).values(row))
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot save a brief of story {story_id}: {exc}") from exc
        return _kept(row), True

    def kept_brief(
        self, story_id: str, *, at: datetime | None = None, version: int | None = None
    ) -> KeptBrief | None:
        """The story's newest brief version; with ``at`` (timezone-aware), the newest created
        at or before that moment; with ``version``, that version. None when there is none."""
        if at is not None and at.tzinfo is None:
            raise ValueError(f"kept_brief expects an aware datetime, found {at.isoformat()}")
        query = select(brief_versions).where(brief_versions.c.story_id == story_id)
        if at is not None:
            query = query.where(brief_versions.c.created_at <= _iso_utc(at))
        if version is not None:
            query = query.where(brief_versions.c.version == version)
        with self.engine.connect() as conn:
            row = conn.execute(query.order_by(brief_versions.c.version.desc()).limit(1)).first()
        return _kept(row) if row is not None else None

    def kept_briefs(self, story_id: str) -> list[KeptBrief]:
        """Every kept brief of the story, oldest first."""
        query = (
            select(brief_versions)
            .where(brief_versions.c.story_id == story_id)
            .order_by(brief_versions.c.version)
        )
        with self.engine.connect() as conn:
            return [_kept(row) for row in conn.execute(query)]

    def followed(self, story_ids: Sequence[str]) -> set[str]:
        """Those of ``story_ids`` that have a kept brief (someone briefed them)."""
        found: set[str] = set()
        with self.engine.connect() as conn:
            for chunk in chunks(list(dict.fromkeys(story_ids))):
                found.update(
                    conn.execute(
                        select(brief_versions.c.story_id)
                        .where(brief_versions.c.story_id.in_(chunk))
                        .distinct()
                    ).scalars()
                )
        return found


def _iso_utc(moment: datetime) -> str:
    """An aware datetime in the one form brief_versions.created_at holds: UTC, microseconds,
    "+00:00"; of fixed width, so that comparing the strings compares the times."""
    return moment.astimezone(UTC).isoformat(timespec="microseconds")


def _stamp() -> str:
    return _iso_utc(datetime.now(UTC))


def _kept(row: Any) -> KeptBrief:
    values = row if isinstance(row, dict) else row._mapping
    return KeptBrief(
        story_id=values["story_id"],
        version=values["version"],
        created_at=values["created_at"],
        article_ids=tuple(json.loads(values["article_ids"])),
        body=values["brief"],
    )
