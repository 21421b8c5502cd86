"""What changed in a story's brief between two of its versions: items that are new, changed or
gone, and the disagreements that are new (what is now disputed).

Items are matched by what they cite, not by their words: a brief rebuilt with one more article
keeps most items but may reword them (a note that sources differ), add citations (another
outlet says the same) or put another sentence first.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from newsbrief.records import Brief, BriefItem, BriefVersion, Citation

Change = Literal["new", "changed", "gone"]

# The section whose new items are "now disputed".
DISPUTES = "sources_differ"


@dataclass(frozen=True, slots=True, kw_only=True)
class ItemChange:
    """One item that is new, changed or gone, with its count of independent sources."""

    section: str
    change: Change
    item: BriefItem
    """As the later brief has it; for a gone item, as the earlier one had it."""
    sources: int
    before: BriefItem | None = None
    """For a changed item: as the earlier brief had it."""
    sources_before: int | None = None
    elsewhere: str | None = None
    """For a new item that the earlier brief had in another section: that section; for a
    gone item that the later brief has in another section: that section (the item moved)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BriefDiff:
    """The changes from one brief to another: new and changed items in the order of the later
    brief, then gone ones in the order of the earlier."""

    changes: tuple[ItemChange, ...]

    def of(self, change: Change) -> tuple[ItemChange, ...]:
        return tuple(c for c in self.changes if c.change == change)

    @property
    def now_disputed(self) -> tuple[ItemChange, ...]:
        """Disagreements the later brief has and the earlier did not."""
        return tuple(c for c in self.changes if c.change == "new" and c.section == DISPUTES)


@dataclass(frozen=True, slots=True, kw_only=True)
class StoryDiff:
    """Two versions of a story's brief and what changed between them."""

    since: BriefVersion
    until: BriefVersion
    diff: BriefDiff

    @property
    def articles_added(self) -> tuple[str, ...]:
        before = set(self.since.article_ids)
        return tuple(a for a in self.until.article_ids if a not in before)


def _cited(item: BriefItem) -> list[tuple[str, int]]:
    """What an item cites, as the diff matches it: article id and start offset."""
    return [(c.article_id, c.start) for c in item.citations]


def _spans(item: BriefItem) -> tuple[tuple[str, int, int], ...]:
    """The spans an item cites, in any order."""
    return tuple(sorted((c.article_id, c.start, c.end) for c in item.citations))


def _content(brief: Brief, item: BriefItem) -> tuple[object, ...]:
    """What makes a matched item changed when it differs: its words, its label, what it cites
    and how many independent sources that is."""
    return item.text, item.label, _spans(item), brief.support(item)


def _match(
    old: Sequence[BriefItem], new: Sequence[BriefItem], *, disputes: bool = False
) -> dict[int, int]:
    """Pairs (index in ``new`` → index in ``old``) of items that are the same item, one to
    one.

    1. Candidates share a citation (article id and start); among ``disputes`` (Where Sources
       Differ) they also share their label, what differs about whom: two disputes may cite
       one sentence.
    2. The best pairs are taken first: the same first citation, then the most citations in
       common, then the nearest places in their lists.
    3. Items left over that say the very same words are the same item (the sentence is now
       cited from another copy of the text, or the article was analysed again).
    """
    ranked = []
    for j, after in enumerate(new):
        cited = _cited(after)
        for i, earlier in enumerate(old):
            if disputes and earlier.label != after.label:
                continue
            # 1.
            shared = len(set(cited) & set(_cited(earlier)))
            if shared:
                first = cited[:1] == _cited(earlier)[:1]
                ranked.append((not first, -shared, abs(i - j), j, i))
    pairs: dict[int, int] = {}
    taken: set[int] = set()
    for *_, j, i in sorted(ranked):  # 2.
        if j not in pairs and i not in taken:
            pairs[j] = i
            taken.add(i)
    for j, after in enumerate(new):  # 3.
        if j in pairs:
            continue
        same = [
            i
            for i, e in enumerate(old)
            if i not in taken and e.text == after.text and (not disputes or e.label == after.label)
        ]
        if same:
            pairs[j] = same[0]
            taken.add(same[0])
    return pairs


def diff(before: Brief, after: Brief) -> BriefDiff:
    """What changed from ``before`` to ``after`` (two briefs of one story).

    1. Section by section, items are matched (:func:`_match`): an item of ``after`` that
       matches an item of ``before`` with other words, label, citations or count of
       independent sources changed; one that matches none is new; an item of ``before`` that
       nothing matches is gone.
    2. A new item that matches a gone item of another section moved: both say where the other
       is (``elsewhere``), and stay new and gone, as each section reads.
    """
    old = {s.key: s.items for s in before.sections}
    changes: list[ItemChange] = []
    matched: dict[str, set[int]] = {}
    # 1.
    for section in after.sections:
        earlier = old.get(section.key, ())
        pairs = _match(earlier, section.items, disputes=section.key == DISPUTES)
        matched[section.key] = set(pairs.values())
        for j, item in enumerate(section.items):
            sources = after.support(item)
            if j not in pairs:
                changes.append(
                    ItemChange(section=section.key, change="new", item=item, sources=sources)
                )
                continue
            was = earlier[pairs[j]]
            if _content(before, was) != _content(after, item):
                changes.append(
                    ItemChange(
                        section=section.key,
                        change="changed",
                        item=item,
                        sources=sources,
                        before=was,
                        sources_before=before.support(was),
                    )
                )
    for section in before.sections:
        kept = matched.get(section.key, set())
        changes += [
            ItemChange(section=section.key, change="gone", item=item, sources=before.support(item))
            for i, item in enumerate(section.items)
            if i not in kept
        ]
    # 2.
    new = [n for n, c in enumerate(changes) if c.change == "new" and c.section != DISPUTES]
    gone = [n for n, c in enumerate(changes) if c.change == "gone" and c.section != DISPUTES]
    moves = _match([changes[n].item for n in gone], [changes[n].item for n in new])
    for j, i in moves.items():
        arrived, left = changes[new[j]], changes[gone[i]]
        if arrived.section != left.section:
            changes[new[j]] = replace(arrived, elsewhere=left.section)
            changes[gone[i]] = replace(left, elsewhere=arrived.section)
    return BriefDiff(changes=tuple(changes))


def diff_versions(since: BriefVersion, until: BriefVersion) -> StoryDiff:
    """What changed in a story's brief from version ``since`` to version ``until``."""
    if since.story_id != until.story_id:
        raise ValueError(
            f"diff expects two versions of one story, found {since.story_id} and {until.story_id}"
        )
    return StoryDiff(since=since, until=until, diff=diff(since.brief, until.brief))


# --- output -------------------------------------------------------------------------------
def _citation(c: Citation) -> dict[str, Any]:
    return {"article_id": c.article_id, "start": c.start, "end": c.end, "text": c.text}


def _item(item: BriefItem, sources: int | None) -> dict[str, Any]:
    """An item as the brief's JSON writes it (docs/brief-json.md)."""
    out: dict[str, Any] = {
        "text": item.text,
        "citations": [_citation(c) for c in item.citations],
        "independent_sources": sources,
    }
    if item.label is not None:
        out["label"] = item.label
    return out


def _change(c: ItemChange) -> dict[str, Any]:
    out: dict[str, Any] = {"section": c.section, "change": c.change}
    out["item"] = _item(c.item, c.sources)
    if c.before is not None:
        out["before"] = _item(c.before, c.sources_before)
    if c.elsewhere is not None:
        out["was_in" if c.change == "new" else "now_in"] = c.elsewhere
    return out


def _version(v: BriefVersion) -> dict[str, Any]:
    return {"version": v.version, "created_at": v.created_at, "articles": len(v.article_ids)}


def to_dict(d: StoryDiff) -> dict[str, Any]:
    """The diff as JSON (docs/brief-json.md, "Diff")."""
    return {
        "story_id": d.until.story_id,
        "since": _version(d.since),
        "until": _version(d.until),
        "articles_added": list(d.articles_added),
        "now_disputed": [_change(c) for c in d.diff.now_disputed],
        "changes": [_change(c) for c in d.diff.changes],
    }


HEADINGS: tuple[tuple[str, str], ...] = (
    ("disputed", "Now disputed"),
    ("new", "New"),
    ("changed", "Changed"),
    ("gone", "Gone"),
)


def grouped(d: BriefDiff) -> list[tuple[str, tuple[ItemChange, ...]]]:
    """The changes under their HEADINGS, in that order, empty groups left out: what is now
    disputed, then new items (new disagreements aside), changed ones, gone ones."""
    groups = {
        "disputed": d.now_disputed,
        "new": tuple(c for c in d.of("new") if c.section != DISPUTES),
        "changed": d.of("changed"),
        "gone": d.of("gone"),
    }
    return [(heading, groups[key]) for key, heading in HEADINGS if groups[key]]


def to_markdown(d: StoryDiff) -> str:
    titles = {s.key: s.title for s in (*d.since.brief.sections, *d.until.brief.sections)}
    sources = {s.article_id: s for s in d.until.brief.sources}
    lines = [
        f"# What changed: {d.until.brief.title}",
        "",
        f"Story `{d.until.story_id}`: version {d.since.version} ({d.since.created_at}, "
        f"{len(d.since.article_ids)} article(s)) → version {d.until.version} "
        f"({d.until.created_at}, {len(d.until.article_ids)} article(s)).",
    ]
    if d.articles_added:
        lines += ["", "Articles added:", ""]
        for article_id in d.articles_added:
            ref = sources.get(article_id)
            named = f"{ref.outlet or 'unknown outlet'} — {ref.title}" if ref else "(not cited)"
            lines.append(f"- {named} (`{article_id}`)")
    for heading, changes in grouped(d.diff):
        lines += ["", f"## {heading}", ""]
        for c in changes:
            lines += _md_change(c, titles)
    if not d.diff.changes:
        lines += ["", "Nothing changed."]
    return "\n".join(lines) + "\n"


def _md_change(c: ItemChange, titles: dict[str, str]) -> list[str]:
    """An item's line (text, section, sources, where it moved) and, for a changed item, what
    changed."""
    label = f"**{c.item.label}** — " if c.item.label else ""
    notes = [titles.get(c.section, c.section), f"{c.sources} source{'s' if c.sources != 1 else ''}"]
    if c.elsewhere is not None:
        moved = "was in" if c.change == "new" else "now in"
        notes.append(f"{moved} {titles.get(c.elsewhere, c.elsewhere)}")
    lines = [f"- {label}{c.item.text} _({'; '.join(notes)})_"]
    if c.before is None:
        return lines
    if c.before.text != c.item.text:
        was = f"**{c.before.label}** — " if c.before.label else ""
        lines.append(f"  - was: {was}{c.before.text}")
    elif c.before.label != c.item.label:
        lines.append(f"  - label was: {c.before.label}")
    if c.sources_before != c.sources:
        lines.append(f"  - independent sources: {c.sources_before} → {c.sources}")
    elif _spans(c.before) != _spans(c.item):
        lines.append("  - cites other sentences")
    return lines


FORMATS = ("md", "json")


def render(d: StoryDiff, fmt: str) -> str:
    if fmt == "md":
        return to_markdown(d)
    if fmt == "json":
        return json.dumps(to_dict(d), ensure_ascii=False, indent=2) + "\n"
    raise ValueError(f"format expects one of {', '.join(FORMATS)}, found {fmt!r}")
