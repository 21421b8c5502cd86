"""A story's brief versions: each brief a user was shown, kept in the store as the JSON of
docs/brief-json.md (render.to_dict) and read back as a :class:`~newsbrief.records.BriefVersion`.
A brief equal to the story's newest version adds none."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from newsbrief.brief.render import from_dict, to_dict
from newsbrief.records import Brief, BriefVersion
from newsbrief.store import KeptBrief, Store


def keep(
    store: Store, story_id: str, article_ids: Sequence[str], brief: Brief
) -> tuple[BriefVersion, bool]:
    """Keep ``brief`` (built from ``article_ids``) as the story's newest version unless it is
    the newest already; that newest version, and whether it was added now."""
    body = json.dumps(to_dict(brief), ensure_ascii=False, sort_keys=True)
    kept, added = store.keep_brief(story_id, article_ids, body)
    return _version(kept), added


def newest(
    store: Store, story_id: str, *, at: datetime | None = None, version: int | None = None
) -> BriefVersion | None:
    """The story's newest brief version; with ``at`` (timezone-aware), the newest kept at or
    before that moment; with ``version``, that version. None when there is none."""
    kept = store.kept_brief(story_id, at=at, version=version)
    return _version(kept) if kept is not None else None


def every(store: Store, story_id: str) -> list[BriefVersion]:
    """Every kept version of the story's brief, oldest first."""
    return [_version(kept) for kept in store.kept_briefs(story_id)]


def _version(kept: KeptBrief) -> BriefVersion:
    return BriefVersion(
        story_id=kept.story_id,
        version=kept.version,
        created_at=kept.created_at,
        article_ids=kept.article_ids,
        brief=from_dict(json.loads(kept.body)),
    )
