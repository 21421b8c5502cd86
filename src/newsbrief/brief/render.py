"""Writing a brief out: Markdown (numbered citations keyed to the Sources list), one
self-contained HTML file (every text escaped), and JSON (the documented contract, see
docs/brief-json.md)."""

from __future__ import annotations

import html
import json
from typing import Any

from newsbrief.records import Brief, BriefItem, BriefSection, Citation, SourceRef

FORMATS = ("md", "json", "html")


def _numbers(brief: Brief) -> dict[str, int]:
    return {s.article_id: n for n, s in enumerate(brief.sources, start=1)}


def _source_line(source: SourceRef) -> str:
    parts = [source.outlet or "unknown outlet", source.title]
    if source.published:
        parts.append(source.published[:10])
    if source.url:
        parts.append(source.url)
    return " — ".join(parts)


def duplicate_note(brief: Brief, source: SourceRef) -> str | None:
    """What the Sources list says of a member of a duplicate group: the original counts its
    copies, a copy names its original (by number in the list)."""
    if source.group is None:
        return None
    if source.original is None:
        others = [s for s in brief.sources if s.group == source.group and s is not source]
        own = (source.outlet or "").casefold()
        word = "outlet" if all((s.outlet or "").casefold() != own for s in others) else "article"
        plural = "s" if len(others) != 1 else ""
        return f"original; same text as {len(others)} other {word}{plural}"
    number = _numbers(brief)[source.original]
    original = next(s for s in brief.sources if s.article_id == source.original)
    kind = "same text as" if source.copy == "exact" else "near copy of"
    return f"{kind} [{number}] {original.outlet or 'unknown outlet'} (one source with it)"


def _marks(citations: tuple[Citation, ...], numbers: dict[str, int]) -> list[int]:
    return sorted({numbers[c.article_id] for c in citations})


SINGLE_SOURCE = "(one source)"
# Sections that state facts: there an item one independent source carries is marked as such
# (a quote or a disagreement is one source's by nature).
FACT_SECTIONS = frozenset({"executive_summary", "story_so_far", "why_it_matters", "timeline"})


def single_source(brief: Brief, section: BriefSection, item: BriefItem) -> bool:
    """Whether a fact of a story told by several sources rests on one of them only."""
    return (
        section.key in FACT_SECTIONS and brief.independent_sources > 1 and brief.support(item) == 1
    )


def to_markdown(brief: Brief) -> str:
    numbers = _numbers(brief)
    lines = [f"# {brief.title}", ""]
    for section in brief.sections:
        lines += [f"## {section.title}", ""]
        if not section.items:
            lines += ["_Nothing found in the sources for this section._", ""]
            continue
        for item in section.items:
            marks = "".join(f"[{n}]" for n in _marks(item.citations, numbers))
            label = f"**{item.label}** — " if item.label else ""
            single = f" _{SINGLE_SOURCE}_" if single_source(brief, section, item) else ""
            lines.append(f"- {label}{item.text} {marks}{single}")
        lines.append("")
    lines += ["## Sources", ""]
    for n, source in enumerate(brief.sources, start=1):
        note = duplicate_note(brief, source)
        note = f" — _{note}_" if note else ""
        lines.append(f"{n}. {_source_line(source)} (`{source.article_id}`){note}")
    plural = "s" if brief.independent_sources != 1 else ""
    lines += [
        "",
        f"{len(brief.sources)} article(s), {brief.independent_sources} independent source{plural}.",
    ]
    lines += [f"Note: {note}" for note in brief.notes]
    return "\n".join(lines) + "\n"


def _item(brief: Brief, item: BriefItem) -> dict[str, Any]:
    out: dict[str, Any] = {
        "text": item.text,
        "citations": [
            {"article_id": c.article_id, "start": c.start, "end": c.end, "text": c.text}
            for c in item.citations
        ],
        "independent_sources": brief.support(item),
    }
    if item.label is not None:
        out["label"] = item.label
    return out


def to_dict(brief: Brief) -> dict[str, Any]:
    return {
        "title": brief.title,
        "sections": [
            {"key": s.key, "title": s.title, "items": [_item(brief, i) for i in s.items]}
            for s in brief.sections
        ],
        "sources": [
            {
                "article_id": s.article_id,
                "title": s.title,
                "outlet": s.outlet,
                "url": s.url,
                "published": s.published,
                "duplicate_group": s.group,
                "original": s.original,
                "copy": s.copy,
                "same_text_as": s.same_text_as,
            }
            for s in brief.sources
        ],
        "independent_sources": brief.independent_sources,
        "notes": list(brief.notes),
    }


def from_dict(data: dict[str, Any]) -> Brief:
    """The brief that :func:`to_dict` wrote (a stored version): ``from_dict(to_dict(b)) == b``.
    What to_dict derives (an item's ``independent_sources``) is derived again, not read."""
    return Brief(
        title=data["title"],
        sections=tuple(
            BriefSection(
                key=s["key"],
                title=s["title"],
                items=tuple(
                    BriefItem(
                        text=i["text"],
                        citations=tuple(
                            Citation(
                                article_id=c["article_id"],
                                start=c["start"],
                                end=c["end"],
                                text=c["text"],
                            )
                            for c in i["citations"]
                        ),
                        label=i.get("label"),
                    )
                    for i in s["items"]
                ),
            )
            for s in data["sections"]
        ),
        sources=tuple(
            SourceRef(
                article_id=s["article_id"],
                title=s["title"],
                outlet=s["outlet"],
                url=s["url"],
                published=s["published"],
                group=s["duplicate_group"],
                original=s["original"],
                copy=s["copy"],
                same_text_as=s["same_text_as"],
            )
            for s in data["sources"]
        ),
        independent_sources=data["independent_sources"],
        notes=tuple(data["notes"]),
    )


def to_json(brief: Brief) -> str:
    return json.dumps(to_dict(brief), ensure_ascii=False, indent=2) + "\n"


_CSS = """
body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;
color:#1b1b1b}h1{font-size:1.6rem;line-height:1.25}
h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
li{margin:.4rem 0}.cite{font-size:.8rem;vertical-align:super;text-decoration:none;margin-left:.1rem}
.label{font-weight:600}.single,.empty{color:#777;font-style:italic}.sources li{font-size:.92rem}
code{font-size:.85rem;color:#555}
"""


def to_html(brief: Brief) -> str:
    esc = html.escape
    numbers = _numbers(brief)
    body = [f"<h1>{esc(brief.title)}</h1>"]
    for section in brief.sections:
        body.append(f'<h2 id="{esc(section.key)}">{esc(section.title)}</h2>')
        if not section.items:
            body.append('<p class="empty">Nothing found in the sources for this section.</p>')
            continue
        body.append("<ul>")
        for item in section.items:
            label = f'<span class="label">{esc(item.label)}</span> — ' if item.label else ""
            marks = "".join(
                f'<a class="cite" href="#source-{numbers[c.article_id]}" title="{esc(c.text)}">'
                f"[{numbers[c.article_id]}]</a>"
                for c in item.citations
            )
            single = (
                f' <span class="single">{SINGLE_SOURCE}</span>'
                if single_source(brief, section, item)
                else ""
            )
            body.append(f"<li>{label}{esc(item.text)} {marks}{single}</li>")
        body.append("</ul>")
    body.append('<h2 id="sources">Sources</h2><ol class="sources">')
    for n, source in enumerate(brief.sources, start=1):
        line = esc(_source_line(source))
        note = duplicate_note(brief, source)
        note = f' — <em class="dup">{esc(note)}</em>' if note else ""
        body.append(f'<li id="source-{n}">{line} <code>{esc(source.article_id)}</code>{note}</li>')
    body.append(f"</ol><p>{brief.independent_sources} independent source(s).</p>")
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta http-equiv="Content-Security-Policy" '
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">"
        f"<title>{esc(brief.title)}</title><style>{_CSS}</style></head><body>\n"
        + "\n".join(body)
        + "\n</body></html>\n"
    )


def render(brief: Brief, fmt: str) -> str:
    if fmt == "md":
        return to_markdown(brief)
    if fmt == "json":
        return to_json(brief)
    if fmt == "html":
        return to_html(brief)
    raise ValueError(f"format expects one of {', '.join(FORMATS)}, found {fmt!r}")
