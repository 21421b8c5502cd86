"""Article metadata from sidecar files, JSON lines and CLI options, validated in one place."""

from __future__ import annotations

import errno
import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from newsbrief.errors import MetadataError, excerpt
from newsbrief.records import RawArticle

SIDECAR_SUFFIX = ".meta.json"
# Limits of the JSON newsbrief reads (sidecars, JSON lines): its metadata is flat (an object
# holding a list of authors: two levels), so 32 levels is room to spare, while Python's parser
# recurses once per level and fails at about a thousand with a RecursionError. Numbers: no key
# holds one ("note" is free); 100 characters holds any real number, while int() of 4,300
# digits or more is refused by Python itself and of fewer is quadratic.
MAX_JSON_DEPTH = 32
MAX_JSON_NUMBER_CHARS = 100
# A sidecar holds a few keys: far below this, which keeps a mistaken multi-gigabyte file out.
MAX_SIDECAR_BYTES = 1_000_000
# Publication dates ingest accepts: from 1900 (older is a wrong date: the store holds news) to
# a day past now (UTC), which allows for time zones ahead of UTC and clocks a little fast.
# A date the user gave outside the range is refused; one found in a page, feed or WARC capture
# is dropped with a warning and the article kept undated.
EARLIEST_PUBLISHED = date(1900, 1, 1)
FUTURE_TOLERANCE = timedelta(days=1)
# Keys a sidecar or JSON line may carry; "source" and "outlet" are synonyms, as are
# "published" and "date". "note" is free text for people and is ignored.
_SYNONYMS = {"outlet": "source", "date": "published"}
META_KEYS = frozenset({"source", "url", "published", "authors", "language", "title", "note"})


@dataclass(frozen=True, slots=True, kw_only=True)
class Metadata:
    """Metadata given for an article; None means not given."""

    source: str | None = None
    url: str | None = None
    published: str | None = None
    authors: tuple[str, ...] = ()
    language: str | None = None
    title: str | None = None

    def article(
        self, *, origin: str, title: str, text: str, warnings: tuple[str, ...] = ()
    ) -> RawArticle:
        """A raw article with this metadata."""
        return RawArticle(
            origin=origin,
            title=title,
            text=text,
            outlet=self.source,
            url=self.url,
            published=self.published,
            authors=self.authors,
            language=self.language,
            warnings=warnings,
        )

    def over(self, fallback: Metadata) -> Metadata:
        """These values, with the gaps filled from ``fallback``."""
        return Metadata(
            source=self.source or fallback.source,
            url=self.url or fallback.url,
            published=self.published or fallback.published,
            authors=self.authors or fallback.authors,
            language=self.language or fallback.language,
            title=self.title or fallback.title,
        )


def normalize_published(value: object, *, where: str) -> str | None:
    """An ISO 8601 date or date-time, normalised; anything else is a MetadataError."""
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise MetadataError(
            f"{where}: 'published' expects an ISO 8601 string, found {excerpt(repr(value))}"
        )
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError as exc:
        raise MetadataError(
            f"{where}: 'published' expects an ISO 8601 date such as 2025-10-17 or "
            f"2025-10-17T09:30:00+00:00, found {excerpt(repr(value))}"
        ) from exc


def user_published(value: object, *, where: str) -> str | None:
    """A publication date the user gave (sidecar, JSON line, --published, the API), normalised
    (see normalize_published); one outside EARLIEST_PUBLISHED .. now + FUTURE_TOLERANCE is a
    MetadataError like a malformed one."""
    published = normalize_published(value, where=where)
    if published is not None and not _plausible(published):
        latest = (datetime.now(UTC) + FUTURE_TOLERANCE).date()
        raise MetadataError(
            f"{where}: 'published' expects a date from {EARLIEST_PUBLISHED.isoformat()} to "
            f"{latest.isoformat()} (a day past today, UTC), found {excerpt(published)!r}"
        )
    return published


def page_published(value: object, *, where: str) -> tuple[str | None, tuple[str, ...]]:
    """A publication date found in a page, a feed or a WARC capture: normalised when it is
    readable and plausible (see user_published), else None with a warning; never raises."""
    try:
        return user_published(value, where=where), ()
    except MetadataError as exc:
        return None, (f"{exc}; ignored it, the article is kept undated",)


def _plausible(published: str) -> bool:
    """Whether a normalised date lies in EARLIEST_PUBLISHED .. now + FUTURE_TOLERANCE."""
    latest = datetime.now(UTC) + FUTURE_TOLERANCE
    if len(published) == 10:
        return EARLIEST_PUBLISHED <= date.fromisoformat(published) <= latest.date()
    moment = datetime.fromisoformat(published)
    try:  # a naive time is taken as UTC
        moment = moment.astimezone(UTC) if moment.tzinfo else moment.replace(tzinfo=UTC)
    except OverflowError:  # year 1 or 9999 shifted past the calendar's ends
        return False
    return datetime.combine(EARLIEST_PUBLISHED, datetime.min.time(), UTC) <= moment <= latest


def load_json(text: str, *, where: str) -> Any:
    """The JSON value in ``text``; a MetadataError names what is wrong: invalid JSON, nesting
    deeper than MAX_JSON_DEPTH, a number longer than MAX_JSON_NUMBER_CHARS."""
    deep = MetadataError(f"{where}: expected JSON nested at most {MAX_JSON_DEPTH} levels deep")
    try:
        value = json.loads(text, parse_int=_number(int, where), parse_float=_number(float, where))
    except json.JSONDecodeError as exc:
        raise MetadataError(
            f"{where}: expected a JSON object, found invalid JSON ({exc.msg})"
        ) from exc
    except RecursionError as exc:  # nested beyond what the parser can: far beyond the limit
        raise deep from exc
    if _depth(value) > MAX_JSON_DEPTH:
        raise deep
    return value


def _depth(value: Any) -> int:
    """How deeply lists and objects nest in a parsed JSON value (a scalar: 0)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, level = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, level)
            children = item.values() if isinstance(item, dict) else item
            stack.extend((child, level + 1) for child in children)
    return deepest


def _number(kind: type[int] | type[float], where: str) -> Any:
    def parse(digits: str) -> int | float:
        if len(digits) > MAX_JSON_NUMBER_CHARS:
            raise MetadataError(
                f"{where}: expected JSON numbers of at most {MAX_JSON_NUMBER_CHARS} characters, "
                f"found one of {len(digits):,} ({excerpt(digits, 20)})"
            )
        return kind(digits)

    return parse


def _text(value: object, key: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MetadataError(f"{where}: {key!r} expects a string, found {excerpt(repr(value))}")
    return " ".join(value.split()) or None


def metadata_from(
    data: Mapping[str, Any], *, where: str, extra: frozenset[str] = frozenset()
) -> Metadata:
    """Validated :class:`Metadata` from a mapping (sidecar or JSON line)."""
    values = {_SYNONYMS.get(k, k): v for k, v in data.items()}
    unknown = sorted(set(values) - META_KEYS - extra)
    if unknown:
        raise MetadataError(
            f"{where}: unknown key(s) {excerpt(', '.join(unknown))}; expected some of "
            f"{', '.join(sorted(META_KEYS | extra))}"
        )
    authors = values.get("authors") or ()
    if isinstance(authors, str):
        authors = (authors,)
    if not isinstance(authors, list | tuple) or not all(isinstance(a, str) for a in authors):
        raise MetadataError(
            f"{where}: 'authors' expects a list of strings, found {excerpt(repr(authors))}"
        )
    return Metadata(
        source=_text(values.get("source"), "source", where),
        url=_text(values.get("url"), "url", where),
        published=user_published(values.get("published"), where=where),
        authors=tuple(" ".join(a.split()) for a in authors if a.strip()),
        language=_text(values.get("language"), "language", where),
        title=_text(values.get("title"), "title", where),
    )


def read_sidecar(path: Path) -> Metadata:
    """The metadata in ``NAME.meta.json`` beside ``NAME.txt``, or empty metadata (also when
    that name would be too long for the file system: no such sidecar can exist)."""
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    try:
        if not sidecar.is_file():
            return Metadata()
        with sidecar.open("rb") as handle:  # a sidecar is small: never read more than this
            raw = handle.read(MAX_SIDECAR_BYTES + 1)
    except OSError as exc:
        if exc.errno == errno.ENAMETOOLONG:
            return Metadata()
        raise MetadataError(f"{sidecar}: cannot read it ({exc.strerror or exc})") from exc
    if len(raw) > MAX_SIDECAR_BYTES:
        raise MetadataError(f"{sidecar}: expected at most {MAX_SIDECAR_BYTES:,} bytes of metadata")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise MetadataError(
            f"{sidecar}: expected UTF-8 JSON, found invalid UTF-8 at byte {exc.start}"
        ) from exc
    data = load_json(text, where=str(sidecar))
    if not isinstance(data, dict):
        raise MetadataError(f"{sidecar}: expects a JSON object, found {type(data).__name__}")
    return metadata_from(data, where=str(sidecar))
