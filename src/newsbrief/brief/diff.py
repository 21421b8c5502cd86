"""What changed in a story's brief between two versions: items that are new, changed or gone,
and disagreements that are new (what is now disputed).

An item is the same item in both versions when it sits in the same section and cites the same
first sentence (Where Sources Differ: the same sentences); it changed when its text, its
citations or its count of independent sources did. Versions are the JSON of docs/brief-json.md
as the store keeps them (Store.save_brief).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from newsbrief.store import BriefVersion

Change = Literal["new", "changed", "gone"]


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemChange:
    section: str
    change: Change
    text: str
    before: str | None = None
    """For a changed item, its text in the earlier version."""
    label: str | None = None
    citations: tuple[str, ...] = ()
    """The cited sentences, as they read."""
    sources: int | None = None
    """How many independent sources the item cites (in the earlier version: sources_before)."""
    sources_before: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefDiff:
    story_id: str
    since: BriefVersion
    until: BriefVersion
    changes: tuple[ItemChange, ...]
    disputed: tuple[ItemChange, ...]
    """Disagreements of the later version that the earlier one did not have."""
    articles_added: tuple[str, ...]


def _identity(section: str, item: dict[str, Any]) -> tuple[str, tuple[tuple[str, int], ...]]:
    cited = [(c["article_id"], c["start"]) for c in item["citations"]]
    return section, tuple(sorted(cited) if section == "sources_differ" else cited[:1])


def _items(brief: dict[str, Any]) -> dict[tuple[str, tuple[tuple[str, int], ...]], dict[str, Any]]:
    return {
        _identity(section["key"], item): item
        for section in brief["sections"]
        for item in section["items"]
    }


def _change(
    section: str, change: Change, item: dict[str, Any], before: dict[str, Any] | None = None
) -> ItemChange:
    return ItemChange(
        section=section,
        change=change,
        text=item["text"],
        before=before["text"] if before else None,
        label=item.get("label"),
        citations=tuple(c["text"] for c in item["citations"]),
        sources=item.get("independent_sources"),
        sources_before=before.get("independent_sources") if before else None,
    )


def diff(since: BriefVersion, until: BriefVersion) -> BriefDiff:
    """The changes from ``since`` to ``until``, in the order of the later brief's sections
    (gone items last)."""
    old, new = _items(since.brief), _items(until.brief)
    changes = []
    for key, item in new.items():
        section = key[0]
        if key not in old:
            changes.append(_change(section, "new", item))
        elif _content(old[key]) != _content(item):
            changes.append(_change(section, "changed", item, before=old[key]))
    changes += [_change(key[0], "gone", item) for key, item in old.items() if key not in new]
    return BriefDiff(
        story_id=until.story_id,
        since=since,
        until=until,
        changes=tuple(changes),
        disputed=tuple(c for c in changes if c.section == "sources_differ" and c.change == "new"),
        articles_added=tuple(a for a in until.article_ids if a not in set(since.article_ids)),
    )


def _content(item: dict[str, Any]) -> str:
    return json.dumps(
        [item["text"], [(c["article_id"], c["start"]) for c in item["citations"]],
         item.get("independent_sources")],
        sort_keys=True,
    )  # fmt: skip


def to_dict(d: BriefDiff) -> dict[str, Any]:
    """The diff as JSON (docs/brief-json.md, "Diff")."""

    def item(c: ItemChange) -> dict[str, Any]:
        out: dict[str, Any] = {"section": c.section, "change": c.change, "text": c.text}
        if c.before is not None:
            out["before"] = c.before
            out["independent_sources_before"] = c.sources_before
        out["independent_sources"] = c.sources
        if c.label is not None:
            out["label"] = c.label
        out["citations"] = list(c.citations)
        return out

    return {
        "story_id": d.story_id,
        "since": {"version": d.since.version, "created_at": d.since.created_at},
        "until": {"version": d.until.version, "created_at": d.until.created_at},
        "articles_added": list(d.articles_added),
        "now_disputed": [item(c) for c in d.disputed],
        "changes": [item(c) for c in d.changes],
    }


def render(d: BriefDiff, fmt: str) -> str:
    """The diff as md (a list per kind of change) or json."""
    if fmt == "json":
        return json.dumps(to_dict(d), ensure_ascii=False, indent=2) + "\n"
    lines = [
        f"# What changed in story {d.story_id}",
        "",
        f"From version {d.since.version} ({d.since.created_at}) to version {d.until.version}"
        f" ({d.until.created_at}); {len(d.articles_added)} article(s) added.",
    ]
    groups: list[tuple[str, list[ItemChange]]] = [
        ("Now disputed", list(d.disputed)),
        ("New", [c for c in d.changes if c.change == "new" and c not in d.disputed]),
        ("Changed", [c for c in d.changes if c.change == "changed"]),
        ("Gone", [c for c in d.changes if c.change == "gone"]),
    ]
    for title, found in groups:
        if not found:
            continue
        lines += ["", f"## {title}", ""]
        for c in found:
            label = f"**{c.label}** — " if c.label else ""
            lines.append(f"- [{c.section}] {label}{c.text}")
            if c.before is not None and c.before != c.text:
                lines.append(f"  - before: {c.before}")
            if c.change == "changed" and c.sources != c.sources_before:
                lines.append(f"  - independent sources: {c.sources_before} → {c.sources}")
    if not d.changes:
        lines += ["", "Nothing changed."]
    return "\n".join(lines) + "\n"
