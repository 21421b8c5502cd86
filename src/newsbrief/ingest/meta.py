"""Article metadata from sidecar files, JSON lines and CLI options, validated in one place."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from newsbrief.errors import MetadataError
from newsbrief.records import RawArticle

SIDECAR_SUFFIX = ".meta.json"
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
        raise MetadataError(f"{where}: 'published' expects an ISO 8601 string, found {value!r}")
    text = value.strip()
    try:
        if len(text) == 10:
            return date.fromisoformat(text).isoformat()
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError as exc:
        raise MetadataError(
            f"{where}: 'published' expects an ISO 8601 date such as 2025-10-17 or "
            f"2025-10-17T09:30:00+00:00, found {value!r}"
        ) from exc


def _text(value: object, key: str, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise MetadataError(f"{where}: {key!r} expects a string, found {value!r}")
    return " ".join(value.split()) or None


def metadata_from(
    data: Mapping[str, Any], *, where: str, extra: frozenset[str] = frozenset()
) -> Metadata:
    """Validated :class:`Metadata` from a mapping (sidecar or JSON line)."""
    values = {_SYNONYMS.get(k, k): v for k, v in data.items()}
    unknown = sorted(set(values) - META_KEYS - extra)
    if unknown:
        raise MetadataError(
            f"{where}: unknown key(s) {', '.join(unknown)}; expected some of "
            f"{', '.join(sorted(META_KEYS | extra))}"
        )
    authors = values.get("authors") or ()
    if isinstance(authors, str):
        authors = (authors,)
    if not isinstance(authors, list | tuple) or not all(isinstance(a, str) for a in authors):
        raise MetadataError(f"{where}: 'authors' expects a list of strings, found {authors!r}")
    return Metadata(
        source=_text(values.get("source"), "source", where),
        url=_text(values.get("url"), "url", where),
        published=normalize_published(values.get("published"), where=where),
        authors=tuple(" ".join(a.split()) for a in authors if a.strip()),
        language=_text(values.get("language"), "language", where),
        title=_text(values.get("title"), "title", where),
    )


def read_sidecar(path: Path) -> Metadata:
    """The metadata in ``NAME.meta.json`` beside ``NAME.txt``, or empty metadata."""
    sidecar = path.with_name(path.stem + SIDECAR_SUFFIX)
    if not sidecar.is_file():
        return Metadata()
    try:
        data = json.loads(sidecar.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise MetadataError(f"{sidecar}: not a readable JSON object ({exc})") from exc
    if not isinstance(data, dict):
        raise MetadataError(f"{sidecar}: expects a JSON object, found {type(data).__name__}")
    return metadata_from(data, where=str(sidecar))
