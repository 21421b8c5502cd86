"""Cleaning of already-scraped text: what a scraper leaves in that is not the article.

Dropped, each recorded as a :class:`~newsbrief.records.Removal` with its reason: comment forms
and share prompts, image captions (also when repeated as text, or doubled as alt text + caption),
photo credits, newsletter plugs, and the short-line trailer after a comment form. Kept, and marked:
bullets, headings, and an outlet's own summary block ("Executive Summary", "Key Points" …) whose
sentences restate the body.

The clean text is the article's canonical text: one block per line of the input, blocks joined by
a blank line, bullet marks and indentation removed. Every span of every later stage points into it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from newsbrief.records import Block, BlockKind, Removal, Span

# Whole-line boilerplate, matched case-insensitively after stripping. Collected from the seed
# articles' comment forms, from the share/newsletter furniture common in scraped news text, and
# from the embed and web-archive furniture that scrapers keep (seen in Multi-News documents).
_BOILERPLATE = re.compile(
    r"""^(?:
        add\ a\ comment | leave\ a\ (?:reply|comment) | post\ a\ comment | cancel\ reply
      | \d*\s*comments? | no\ comments(?:\ yet)?
      | your\ email\ address\ will\ not\ be\ published.* | required\ fields\ are\ marked.*
      | save\ my\ name,?\ email,?\ and\ website.* | secret\ link
      | share(?:\ this(?:\ article|\ story|\ post)?|\ on\ \w+|\ via\ email)?
      | tweet | email | print
      | advertisement | sponsored(?:\ content)? | skip\ to\ (?:main\ )?content
      | post\ navigation
      | (?:previous|next)\ (?:article|post|story)
      | related(?:\ articles|\ stories|\ posts|\ news)?:?
      | read\ (?:more|next|also)\b.* | see\ also:.* | you\ may\ also\ like.* | recommended\ for\ you
      | (?:sign\ up|subscribe)\b.*\bnewsletter.* | click\ here\b.* | follow\ us\ on\b.*
      | tags?:.* | filed\ under:?.* | all\ rights\ reserved.* | ©.* | copyright\ ©?.*
      # the furniture of embedded posts and players, and of pages fetched from a web archive
      | you\ can\ add\ location\ information\ to\ your\ tweets.*
      | add\ this\ (?:tweet|video)\ to\ your\ website.*
      | the\ interactive\ transcript\ could\ not\ be\ loaded.*
      | this\ feature\ is\ not\ available\ right\ now.*
      | rating\ is\ available\ when\ the\ video\ has\ been\ rented.*
      | starting\ in\ 1996,\ alexa\ internet\ has\ been\ donating.*
      | these\ crawls\ are\ part\ of\ an\ effort\ to\ archive.*
    )[\s.:!*]*$""",
    re.IGNORECASE | re.VERBOSE,
)

# Markers of a comment form: what follows them, when it is only short lines, is the form.
_COMMENT_FORM = re.compile(
    r"^(?:add\ a\ comment|leave\ a\ (?:reply|comment)|post\ a\ comment|\d*\s*comments?)[\s.:]*$",
    re.IGNORECASE | re.VERBOSE,
)
_COMMENT_COUNT = re.compile(r"^\d*\s*comments?[\s.:]*$", re.IGNORECASE)
TRAILER_MAX_WORDS = 15  # a comment-form trailer line ("Secret Link", "Name *") is this short

# An image description: "A composite image showing …", "Photo of …", "File photo: …".
_CAPTION = re.compile(
    r"""^(?:(?:a|an|the)\s+)?(?:composite\s+|file\s+|undated\s+|handout\s+)?
        (?:image|photo(?:graph)?|picture|illustration|screenshot|video\ still)s?\b
        (?:\s*:|.{0,40}?\b(?:showing|shows|of|featuring|depicting|taken)\b)""",
    re.IGNORECASE | re.VERBOSE,
)
# A photo credit standing alone or ending a line: "Photo: Reuters", "By X / Y.".
_CREDIT = re.compile(
    r"""^(?:(?:photo|image|picture)s?\s*(?:by|credit|:)|credit\s*:|\(photo\b)
      | (?:getty\ images|ap\ photo|afp\ via\ getty|reuters/)\S*\s*\)?\.?$""",
    re.IGNORECASE | re.VERBOSE,
)
CAPTION_MAX_WORDS = 80  # captions are short; a long line starting "Image of" is prose

_BULLET = re.compile(r"^[•·▪●◦‣*\-–—]\s+")
# Headings of an outlet's own summary block, which restates its body.
_SUMMARY_HEADING = re.compile(
    r"""^(?:executive\ summary|summary|in\ summary|key\ (?:points|takeaways|facts)|takeaways
      |at\ a\ glance|in\ brief|tl;?dr|highlights|the\ story\ so\ far|why\ (?:this|it)\ matters
      |who\ thinks\ what|what\ we\ know|what\ happens\ next|the\ big\ picture)\??:?$""",
    re.IGNORECASE | re.VERBOSE,
)
HEADING_MAX_WORDS = 12
_TERMINAL = re.compile(r"[.!?;:,\"”’')\]]$")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)


@dataclass(frozen=True, slots=True, kw_only=True)
class CleanText:
    text: str
    blocks: tuple[Block, ...]
    removed: tuple[Removal, ...]


def normalize(text: str) -> str:
    """NFC, unified newlines, visible spaces only."""
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " ").replace("\u00a0", " ")
    return re.sub(r"[ \f\v]+", " ", text)


def clean_title(title: str) -> str:
    return " ".join(normalize(title).split())


def _doubled(line: str) -> bool:
    """A line that is one text written twice (alt text followed by the same caption)."""
    half, rest = divmod(len(line), 2)
    if len(line) < 40:
        return False
    return any(line[:cut].strip() == line[cut:].strip() for cut in (half, half + rest))


def _kind(line: str) -> tuple[str, BlockKind]:
    """The line without its bullet mark, and what kind of block it is."""
    bullet = _BULLET.match(line)
    body = line[bullet.end() :] if bullet else line
    if _SUMMARY_HEADING.match(body):
        return body, "summary_heading"
    if bullet:
        return body, "bullet"
    words = body.split()
    if len(words) <= HEADING_MAX_WORDS and not _TERMINAL.search(body) and body[:1].isupper():
        return body, "heading"
    return body, "paragraph"


def _removal_reason(line: str, seen: set[str]) -> str | None:
    key = line.casefold()
    if _BOILERPLATE.match(line):
        return "boilerplate"
    if key in seen:
        return "repeated line"
    if len(line.split()) <= CAPTION_MAX_WORDS:
        if _doubled(line):
            return "caption (alt text and caption)"
        if _CAPTION.match(line):
            return "image caption"
        if _CREDIT.search(line):
            return "photo credit"
    return None


def clean_text(raw: str) -> CleanText:
    """Clean scraped article text (without its headline).

    1. normalise characters and split into stripped lines;
    2. find the comment-form trailer and drop it;
    3. drop boilerplate, repeated lines, captions and credits, line by line;
    4. classify what is left into blocks, marking an outlet's own summary block.
    """
    # 1. lines
    lines = [line.strip() for line in normalize(raw).split("\n")]
    lines = [line for line in lines if line]
    removed: list[Removal] = []

    # 2. the trailer: a comment-form marker followed only by short lines. A bare comment count
    #    ("3 Comments") also heads articles, so it counts only after the article's prose.
    #    The first long line and the last one that no trailer holds are found once: asked
    #    of every marker, they made a text of many short lines quadratic.
    long = [i for i, line in enumerate(lines) if len(line.split()) > TRAILER_MAX_WORDS]
    prose = [i for i in long if not _BOILERPLATE.match(lines[i])]
    first_long = long[0] if long else len(lines)
    last_prose = prose[-1] if prose else -1
    for i, line in enumerate(lines):
        if i < last_prose or not _COMMENT_FORM.match(line):
            continue
        if _COMMENT_COUNT.match(line) and first_long >= i:
            continue
        removed.extend(Removal(text=rest, reason="comment form") for rest in lines[i:])
        lines = lines[:i]
        break

    # 3. line by line
    kept: list[str] = []
    seen: set[str] = set()
    for line in lines:
        body = _BULLET.sub("", line)
        reason = _removal_reason(body, seen)
        if reason:
            removed.append(Removal(text=line, reason=reason))
        else:
            kept.append(line)
        seen.add(body.casefold())

    # 4. blocks
    parts: list[str] = []
    blocks: list[Block] = []
    offset = 0
    in_summary = False
    for line in kept:
        body, kind = _kind(line)
        if kind == "summary_heading":
            in_summary = True
        elif kind in ("paragraph", "heading"):
            in_summary = False
        if parts:
            offset += 2
        blocks.append(
            Block(span=Span(start=offset, end=offset + len(body)), kind=kind, in_summary=in_summary)
        )
        parts.append(body)
        offset += len(body)
    return CleanText(text="\n\n".join(parts), blocks=tuple(blocks), removed=tuple(removed))
