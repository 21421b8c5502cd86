"""Reader for RSS and Atom feeds (feedparser), from a file or from fetched bytes.

Per entry, the article is the entry's own full content (content:encoded, Atom content, or a
description that holds the whole text) when it is long enough to be one, else the page its link
points to, fetched and extracted like any URL. An entry that fails is a Rejected of its own;
the other entries go on.
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

from newsbrief.errors import EmptyInput, InputError, describe
from newsbrief.ingest.charset import check_size, decode_markup
from newsbrief.ingest.meta import Metadata, page_published
from newsbrief.records import RawArticle, Rejected, Skipped
from newsbrief.settings import Settings

if TYPE_CHECKING:
    from newsbrief.fetch import Fetcher

Found = RawArticle | Rejected | Skipped

# An entry's own content counts as the article from this many words up (after HTML → text);
# below, it is a teaser and the entry's link is fetched. Teasers in the feeds we looked at
# (news sites' RSS descriptions) run 20–60 words; full-content feeds carry hundreds.
FULL_CONTENT_MIN_WORDS = 80
# A feed names its kind in its first element; comments, processing instructions and a doctype
# may come first, within this many bytes.
FEED_SNIFF_BYTES = 4096
# a doctype may hold an internal subset in brackets, with ">" inside it
_PROLOG = re.compile(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE(?:[^>\[]|\[.*?\])*>", re.S | re.I)
_ROOT = re.compile(rb"\s*<(?:[\w.-]+:)?([\w.-]+)")
_FEED_ROOTS = frozenset({b"rss", b"feed", b"RDF"})
_BOM = b"\xef\xbb\xbf"
# The encoding an XML declaration names: the feed is handed to feedparser as UTF-8, saying so.
_XML_ENCODING = re.compile(r"""^(\s*<\?xml\b[^>]*?\bencoding\s*=\s*)(["'])[^"'>]*\2""")
# Numeric character references; one to a surrogate or past U+10FFFF ("&#xD800;") is no
# character, and feedparser raises on it instead of replacing it.
_CHAR_REF = re.compile(r"&#(?:[xX]([0-9a-fA-F]+)|([0-9]+));")
_CHAR_REF_DIGITS = 8  # "&#x10FFFF;" and "&#1114111;" fit; longer (zero-padded too) is U+FFFD


@dataclass(frozen=True, slots=True, kw_only=True)
class Entry:
    """One feed entry, as the reader needs it."""

    key: str | None  # the entry's id, else its link: what ``watch`` remembers
    title: str | None
    link: str | None
    published: str | None
    authors: tuple[str, ...]
    content: str  # the entry's longest content as text (may be a teaser, or empty)
    warnings: tuple[str, ...] = ()  # a date dropped, markup read as plain text


@dataclass(frozen=True, slots=True, kw_only=True)
class Feed:
    title: str | None
    language: str | None
    entries: tuple[Entry, ...]
    warning: str | None = None  # the feed could be read, but not as it should (see parse_feed)


def looks_like_feed(data: bytes) -> bool:
    """True when the document's first element is <rss>, <feed> (Atom) or <rdf:RDF> (RSS 1.0)."""
    head = _PROLOG.sub(b"", data[:FEED_SNIFF_BYTES].removeprefix(_BOM))
    match = _ROOT.match(head)
    return match is not None and match.group(1) in _FEED_ROOTS


def parse_feed(data: bytes, *, origin: str, base: str | None = None) -> Feed:
    """The entries of an RSS or Atom document; ``base`` (the feed's URL) resolves relative
    links. A document that is not a feed, or so broken that no entry survives, is an
    InputError."""
    import feedparser  # imported on first use: ingest of text and HTML never needs it

    # Decoded through the one guarded path (a declared "undefined" or "idna" is no encoding),
    # then handed over as UTF-8 that says so, without references to no character.
    text, notes = decode_markup(data, origin=origin, expected="an RSS or Atom feed")
    text = _CHAR_REF.sub(_valid_reference, _XML_ENCODING.sub(r"\1\2utf-8\2", text, count=1))
    headers = {"content-location": base} if base else {}
    try:
        # A stream, never bytes or str: feedparser would take a str for a URL or a file name.
        parsed: Any = feedparser.parse(io.BytesIO(text.encode("utf-8")), response_headers=headers)
    except Exception as exc:  # whatever feedparser raises on one document is that document's
        raise InputError(
            f"{origin}: expected an RSS or Atom feed, found XML the parser fails on "
            f"({describe(exc)})"
        ) from exc
    problem = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not parsed.entries and (problem is not None or not parsed.get("version")):
        found = f"malformed XML ({describe(problem)})" if problem is not None else "no RSS or Atom"
        raise InputError(f"{origin}: expected an RSS or Atom feed, found {found}")
    info = parsed.feed
    entries = tuple(_entry(e, origin) for e in parsed.entries)
    if problem is not None:
        notes += (f"{origin}: the feed is not well-formed ({describe(problem)}); read it anyway",)
    return Feed(
        title=_clean(info.get("title")),
        language=_clean(info.get("language")),
        entries=entries,
        warning="; ".join(notes) or None,
    )


def _valid_reference(match: re.Match[str]) -> str:
    """A numeric character reference as it is, or U+FFFD's when it names no character."""
    digits = match[1] or match[2]
    code = int(digits, 16 if match[1] else 10) if len(digits) <= _CHAR_REF_DIGITS else -1
    return match[0] if 0 < code <= 0x10FFFF and not 0xD800 <= code <= 0xDFFF else "&#xFFFD;"


def _entry(raw: Any, origin: str) -> Entry:
    """An entry as the reader needs it; never raises (a date that cannot be one is dropped,
    with a warning)."""
    link = _clean(raw.get("link"))
    where = link or origin
    # in UTC; "updated_parsed" read as a plain dict's: feedparser's own lookup falls back to
    # "published_parsed" with a DeprecationWarning (an error under -W error)
    stamp = raw.get("published_parsed") or dict.get(raw, "updated_parsed")
    # as text, checked like any date a feed gives (year 0 or 10000 included: no arithmetic)
    moment = "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}+00:00".format(*stamp[:6]) if stamp else None
    published, warnings = page_published(moment, where=where)
    names = [a.get("name") for a in raw.get("authors") or [] if isinstance(a, dict)]
    if not any(names) and raw.get("author"):
        names = [raw.get("author")]
    candidates = [c for c in raw.get("content") or [] if isinstance(c, dict)]
    if raw.get("summary"):
        candidates.append({"value": raw.get("summary"), "type": raw.get("summary_detail", {})})
    texts = [_as_text(c) for c in candidates]
    return Entry(
        key=_clean(raw.get("id")) or link,
        title=_clean(raw.get("title")),
        link=link,
        published=published,
        authors=tuple(dict.fromkeys(n for name in names if (n := _clean(name)))),
        content=max(texts, key=lambda t: len(t.split()), default=""),
        warnings=warnings,
    )


def _as_text(content: dict[str, Any]) -> str:
    kind = content.get("type")
    kind = kind.get("type") if isinstance(kind, dict) else kind
    value = str(content.get("value") or "")
    if kind == "text/plain":
        return "\n".join(" ".join(line.split()) for line in value.splitlines() if line.strip())
    return html_to_text(value)


def _clean(value: object) -> str | None:
    return " ".join(value.split()) or None if isinstance(value, str) else None


# Elements after which text starts a new line (paragraphs as lines, as the other readers give).
_BLOCK_TAGS = frozenset(
    "p div br li ul ol h1 h2 h3 h4 h5 h6 blockquote tr table pre section article header "
    "footer figure figcaption dd dt hr".split()
)
_HIDDEN_TAGS = frozenset({"script", "style", "template", "noscript"})
_TAG = re.compile(r"<[^>]*>")


class _TextParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _HIDDEN_TAGS:
            self._hidden = max(0, self._hidden - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def html_to_text(fragment: str) -> str:
    """The text of an HTML fragment (a feed entry's content), one paragraph per line. Feed
    content is the article body already, so no boilerplate detection is needed here."""
    parser = _TextParser()
    try:
        parser.feed(fragment)
        parser.close()
        text = "".join(parser.parts)
    except Exception:  # markup HTMLParser gives up on (it asserts on "<![foo["): tags dropped
        text = html.unescape(_TAG.sub("\n", fragment))
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def entry_metadata(entry: Entry, feed: Feed, meta: Metadata) -> Metadata:
    """The entry's metadata: the user's --source wins over the feed's title; the entry's own
    date, link and authors win over what the user gave for inputs without them."""
    return Metadata(
        source=meta.source or feed.title,
        url=entry.link,
        published=entry.published,
        authors=entry.authors,
        language=feed.language,
        title=entry.title,
    ).over(meta)


def entry_origin(entry: Entry, index: int, origin: str) -> str:
    return entry.link or f"{origin} (entry {index + 1})"


def entry_article(
    entry: Entry,
    feed: Feed,
    *,
    origin: str,
    meta: Metadata,
    settings: Settings,
    fetcher: Fetcher | None = None,
) -> RawArticle:
    """The article of one entry:
    1. the entry's own content, when it has at least FULL_CONTENT_MIN_WORDS words;
    2. else the page at its link, fetched and extracted;
    3. else (no link) an EmptyInput."""
    info = entry_metadata(entry, feed, meta)
    # 1. full content in the feed
    if not _teaser(entry):
        return info.article(
            origin=origin, title=entry.title or "", text=entry.content, warnings=entry.warnings
        )
    # 2. the linked page
    if entry.link:
        from newsbrief.fetch import HTML, Fetcher
        from newsbrief.ingest.html import read_html

        with contextlib.ExitStack() as stack:
            if fetcher is None:
                fetcher = stack.enter_context(Fetcher(settings))
            fetched = fetcher.fetch(entry.link, accept=(HTML,))
        page_meta = dataclasses.replace(info, url=fetched.url)
        page = read_html(
            fetched.body, origin=origin, meta=page_meta, settings=settings, url=fetched.url
        )
        return dataclasses.replace(page, warnings=(*entry.warnings, *page.warnings))
    # 3. nothing to read
    words = len(entry.content.split())
    raise EmptyInput(
        f"{origin}: expected an entry with its full text or a link, found {words} word(s) "
        "of content and no link"
    )


def read_feed(
    data: bytes,
    *,
    origin: str,
    meta: Metadata,
    settings: Settings,
    fetcher: Fetcher | None = None,
    base: str | None = None,
) -> Iterator[Found]:
    """The articles of a feed, one per entry; links are fetched with ``fetcher`` (one is made
    from ``settings`` when needed and none is given). A feed without entries is a Skipped."""
    feed = parse_feed(data, origin=origin, base=base)
    if not feed.entries:
        yield Skipped(origin=origin, reason="empty feed")
        return
    warning = feed.warning
    with contextlib.ExitStack() as stack:
        if fetcher is None and any(_teaser(e) for e in feed.entries):
            from newsbrief.fetch import Fetcher

            fetcher = stack.enter_context(Fetcher(settings))  # one for all links: one robots.txt
        for index, entry in enumerate(feed.entries):
            where = entry_origin(entry, index, origin)
            try:
                raw = entry_article(
                    entry, feed, origin=where, meta=meta, settings=settings, fetcher=fetcher
                )
            except InputError as exc:
                yield Rejected(origin=where, stage="read", reason=str(exc))
                continue
            except Exception as exc:  # one entry's fault never costs the other entries
                yield Rejected(origin=where, stage="read", reason=f"{where}: {describe(exc)}")
                continue
            if warning:  # said once, with the first article
                raw = dataclasses.replace(raw, warnings=(*raw.warnings, warning))
                warning = None
            yield raw


def _teaser(entry: Entry) -> bool:
    return len(entry.content.split()) < FULL_CONTENT_MIN_WORDS


def read_feed_file(path: Path, meta: Metadata, settings: Settings) -> Iterator[Found]:
    """The reader of ``.rss`` and ``.atom`` files."""
    cap = settings.max_input_bytes
    with path.open("rb") as handle:  # never read more than the cap allows
        data = handle.read(cap + 1)
    check_size(data, origin=str(path), cap=cap)
    yield from read_feed(data, origin=str(path), meta=meta, settings=settings)


def read_xml_file(path: Path, meta: Metadata, settings: Settings) -> Iterator[Found]:
    """The reader of ``.xml`` files: feeds only, known by their first element."""
    with path.open("rb") as handle:
        head = handle.read(FEED_SNIFF_BYTES)
    if not looks_like_feed(head):
        raise InputError(f"{path}: expected an RSS or Atom feed, found another kind of XML")
    yield from read_feed_file(path, meta, settings)
