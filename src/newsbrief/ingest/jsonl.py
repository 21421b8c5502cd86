"""Reader for ``.jsonl``: one article per line, a JSON object with ``text`` and metadata.

Keys: text (required), title (else the first line of text), url, source|outlet, published|date
(ISO 8601), authors (list or string), language, id (ignored: ids are content hashes), note.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from newsbrief.errors import EmptyInput, InputError, MetadataError, excerpt
from newsbrief.ingest.charset import check_size
from newsbrief.ingest.meta import Metadata, load_json, metadata_from
from newsbrief.records import RawArticle, Rejected

_EXTRA_KEYS = frozenset({"text", "id"})


def read_jsonl(
    lines: Iterable[bytes], *, origin: str, meta: Metadata, cap: int
) -> Iterator[RawArticle | Rejected]:
    """Each line an article, or a :class:`Rejected` naming the line and the reason."""
    for number, raw in enumerate(lines, start=1):
        where = f"{origin}:{number}"
        if not raw.strip():
            continue
        try:
            yield _article(raw, where=where, meta=meta, cap=cap)
        except InputError as exc:
            yield Rejected(origin=where, stage="read", reason=str(exc))


def _article(raw: bytes, *, where: str, meta: Metadata, cap: int) -> RawArticle:
    check_size(raw, origin=where, cap=cap)
    warnings: tuple[str, ...] = ()
    try:
        line = raw.decode("utf-8-sig")  # a byte-order mark may open the first line
    except UnicodeDecodeError:
        line = raw.decode("utf-8-sig", errors="replace")
        warnings = (f"{where}: invalid UTF-8 replaced with U+FFFD",)
    data = load_json(line, where=where)
    if not isinstance(data, dict):
        raise MetadataError(f"{where}: expected a JSON object, found {type(data).__name__}")
    if "html" in data and "text" not in data:
        raise InputError(f"{where}: a line with 'html' and no 'text' is not supported yet")
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        raise EmptyInput(
            f"{where}: expected a non-empty string under 'text', found {excerpt(repr(text))}"
        )
    line_meta = metadata_from(
        {k: v for k, v in data.items() if k not in _EXTRA_KEYS}, where=where, extra=_EXTRA_KEYS
    ).over(meta)
    title = line_meta.title
    if not title:
        first, _, rest = text.strip().partition("\n")
        title, text = first.strip(), rest
    return line_meta.article(origin=where, title=title, text=text, warnings=warnings)
