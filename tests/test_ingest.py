"""Readers (text, sidecar, JSON lines, stdin, directories) and prepare(): every input becomes a
RawArticle or a Rejected whose reason names the input and what was wrong with it."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest

from newsbrief.errors import EmptyInput
from newsbrief.ingest import READERS, expand, prepare, read_inputs
from newsbrief.ingest.meta import Metadata
from newsbrief.pipeline import ingest
from newsbrief.records import RawArticle, Rejected, Skipped, content_id
from newsbrief.settings import Settings, load_settings
from newsbrief.store import Store

CAP = 10_000
HEADLINE = "Council Passes Budget"
BODY = (
    "The city council approved the new budget on Monday.\n"
    "The mayor said the vote was a relief for the schools."
)
ARTICLE = f"{HEADLINE}\n{BODY}\n"


def _read(
    *paths: Path | str, meta: Metadata | None = None, cap: int = CAP, stdin: bytes | None = None
) -> list[RawArticle | Rejected | Skipped]:
    return list(
        read_inputs(
            [str(p) for p in paths],
            meta=meta or Metadata(),
            settings=load_settings(env={}, max_input_bytes=cap),
            stdin=None if stdin is None else io.BytesIO(stdin),
        )
    )


def _one(
    *paths: Path | str, meta: Metadata | None = None, cap: int = CAP, stdin: bytes | None = None
) -> RawArticle | Rejected | Skipped:
    found = _read(*paths, meta=meta, cap=cap, stdin=stdin)
    assert len(found) == 1, found
    return found[0]


def _raw(path: Path | str, **kwargs: Any) -> RawArticle:
    found = _one(path, **kwargs)
    assert isinstance(found, RawArticle), found
    return found


def _article(
    tmp_path: Path, name: str = "a.txt", text: str | bytes = ARTICLE, **meta: object
) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, "utf-8")
    if meta:
        path.with_name(path.stem + ".meta.json").write_text(json.dumps(meta), "utf-8")
    return path


def _rejected(found: RawArticle | Rejected, *fragments: str) -> Rejected:
    assert isinstance(found, Rejected), found
    for fragment in fragments:
        assert fragment in found.reason
    return found


# --- text files and sidecars -----------------------------------------------------------------
def test_txt_headline_is_first_non_empty_line(tmp_path: Path) -> None:
    raw = _raw(_article(tmp_path, text=f"\n  \n  {HEADLINE}  \n\n{BODY}"))
    assert raw.title == HEADLINE
    assert raw.text.strip() == BODY
    article = prepare(raw)
    assert article.title == HEADLINE
    assert article.text == BODY.replace("\n", "\n\n")
    assert article.origin == str(tmp_path / "a.txt")


def test_utf8_bom_is_not_part_of_the_headline(tmp_path: Path) -> None:
    raw = _raw(_article(tmp_path, text=b"\xef\xbb\xbf" + ARTICLE.encode()))
    assert (raw.title, raw.warnings) == (HEADLINE, ())


@pytest.mark.parametrize(
    ("sidecar", "published"),
    [
        ({"source": "Daily Planet", "published": "2025-10-17"}, "2025-10-17"),
        ({"outlet": "Daily Planet", "date": "2025-10-17T09:30:00Z"}, "2025-10-17T09:30:00+00:00"),
    ],
)
def test_sidecar_metadata(tmp_path: Path, sidecar: dict[str, str], published: str) -> None:
    path = _article(
        tmp_path,
        **sidecar,
        url="https://example.org/budget",
        authors=["Lois  Lane", "Clark Kent"],
        note="free text, ignored",
    )
    raw = _raw(path)
    assert (raw.outlet, raw.published, raw.url, raw.authors) == (
        "Daily Planet",
        published,
        "https://example.org/budget",
        ("Lois Lane", "Clark Kent"),
    )


def test_sidecar_title_keeps_the_first_line_as_text(tmp_path: Path) -> None:
    raw = _raw(_article(tmp_path, title="Budget Approved"))
    assert raw.title == "Budget Approved"
    assert raw.text.startswith(HEADLINE)


def test_seed_sidecars(seeds: Path) -> None:
    found = [_raw(path) for path in sorted(seeds.glob("*.txt"))]
    assert [(Path(r.origin).name, r.outlet, r.published) for r in found] == [
        ("000_64c8e49a1d5cd0eb.txt", "Miami Daily Life", "2025-10-17"),
        ("004_76146be16f698244.txt", None, "2025-10-17"),
    ]


@pytest.mark.parametrize(
    ("sidecar", "fragment"),
    [
        ('{"source": "Daily Planet",', "not a readable JSON object"),
        ('["Daily Planet"]', "expects a JSON object, found list"),
        ('{"publisher": "Daily Planet"}', "unknown key(s) publisher"),
        ('{"published": "17/10/2025"}', "'published' expects an ISO 8601 date"),
        ('{"authors": [1, 2]}', "'authors' expects a list of strings"),
        ('{"url": 42}', "'url' expects a string"),
    ],
)
def test_bad_sidecar_is_rejected(tmp_path: Path, sidecar: str, fragment: str) -> None:
    path = _article(tmp_path)
    (tmp_path / "a.meta.json").write_text(sidecar, "utf-8")
    rejected = _rejected(_one(path), "a.meta.json", fragment)
    assert (rejected.origin, rejected.stage) == (str(path), "read")


def test_given_metadata_fills_gaps_but_sidecar_wins(tmp_path: Path) -> None:
    path = _article(tmp_path, source="Daily Planet")
    given = Metadata(source="Given Outlet", url="https://example.org/a", published="2025-01-02")
    raw = _raw(path, meta=given)
    assert (raw.outlet, raw.url, raw.published) == (
        "Daily Planet",
        "https://example.org/a",
        "2025-01-02",
    )


# --- JSON lines and stdin --------------------------------------------------------------------
def test_jsonl_good_and_bad_lines_are_reported_by_line(tmp_path: Path) -> None:
    path = tmp_path / "batch.jsonl"
    lines = [
        json.dumps(
            {"title": HEADLINE, "text": BODY, "outlet": "Daily Planet", "date": "2025-10-17"}
        ),
        '{"title": "Broken", "text": ',
        "",
        json.dumps({"title": "No text here"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"text": "Second Headline\nIts body sentence.", "id": "ignored"}),
        json.dumps({"text": BODY, "publisher": "X"}),
    ]
    path.write_text("\n".join(lines) + "\n", "utf-8")
    found = {Path(r.origin).name: r for r in _read(path, meta=Metadata(source="Given"))}
    assert sorted(found) == [f"batch.jsonl:{n}" for n in (1, 2, 4, 5, 6, 7)]
    first, sixth = found["batch.jsonl:1"], found["batch.jsonl:6"]
    assert isinstance(first, RawArticle) and isinstance(sixth, RawArticle)
    assert (first.title, first.text, first.outlet, first.published) == (
        HEADLINE,
        BODY,
        "Daily Planet",
        "2025-10-17",
    )
    assert (sixth.title, sixth.text.strip(), sixth.outlet) == (
        "Second Headline",
        "Its body sentence.",
        "Given",
    )
    for number, fragment in [
        (2, "found invalid JSON"),
        (4, "expected a non-empty string under 'text'"),
        (5, "expected a JSON object, found list"),
        (7, "unknown key(s) publisher"),
    ]:
        _rejected(found[f"batch.jsonl:{number}"], f"{path}:{number}: ", fragment)


def test_stdin_as_text() -> None:
    raw = _raw("-", stdin=ARTICLE.encode())
    assert (raw.origin, raw.title, raw.text.strip()) == ("<stdin>", HEADLINE, BODY)


def test_stdin_as_json_lines() -> None:
    lines = [json.dumps({"title": f"Story {n}", "text": f"{BODY} ({n})"}) for n in (1, 2)]
    found = _read("-", stdin=("\n".join(lines) + "\n").encode())
    assert [(r.origin, r.title) for r in found if isinstance(r, RawArticle)] == [
        ("<stdin>:1", "Story 1"),
        ("<stdin>:2", "Story 2"),
    ]


def test_stdin_json_lines_are_capped_per_line_like_a_file() -> None:
    lines = [json.dumps({"title": f"Story {n}", "text": f"Body of story {n}."}) for n in range(4)]
    data = ("\n".join(lines) + "\n").encode()
    cap = max(len(line) for line in lines) + 10  # every line fits; all of them together do not
    assert len(data) > cap
    found = _read("-", stdin=data, cap=cap)
    assert [r.origin for r in found if isinstance(r, RawArticle)] == [
        f"<stdin>:{n}" for n in range(1, 5)
    ]


def test_jsonl_with_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.jsonl"
    path.write_bytes(b"\xef\xbb\xbf" + json.dumps({"title": HEADLINE, "text": BODY}).encode())
    assert _raw(path).title == HEADLINE


# --- directories -----------------------------------------------------------------------------
def test_directory_is_walked_recursively(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / ".git").mkdir()
    _article(folder, "b.txt", source="Sidecar Outlet")
    _article(folder / "sub", "c.text")
    _article(folder, ".hidden.txt")
    _article(folder / ".git", "d.txt")
    (folder / "sub" / "e.jsonl").write_text(json.dumps({"text": ARTICLE}) + "\n", "utf-8")
    (folder / "notes.pdf").write_bytes(b"%PDF-1.7")
    found = _read(folder, tmp_path / "missing.txt")
    assert [(Path(r.origin).relative_to(tmp_path).as_posix(), type(r)) for r in found] == [
        ("in/b.txt", RawArticle),
        ("in/notes.pdf", Rejected),
        ("in/sub/c.text", RawArticle),
        ("in/sub/e.jsonl:1", RawArticle),
        ("missing.txt", Rejected),
    ]
    _rejected(found[1], "unsupported file type '.pdf'", "supported: " + ", ".join(sorted(READERS)))
    _rejected(found[4], "no such file or directory")


def test_expand_skips_sidecars_but_not_their_articles(tmp_path: Path) -> None:
    _article(tmp_path, source="Daily Planet")
    assert [getattr(i, "path", None) for i in expand([str(tmp_path)])] == [tmp_path / "a.txt"]


# --- inputs that are not articles ------------------------------------------------------------
@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        (b"", "found an empty file"),
        (b"\n  \n\t\n", "found an empty file"),
        (b"Only A Headline\n", "found one line"),
        (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x01\x00", "found binary data"),
        (ARTICLE.encode().replace(b"council", b"coun\x00cil"), "found binary data"),
        (ARTICLE.encode("utf-16"), "found binary data"),
        (b"Headline\n" + bytes(range(1, 9)) * 20, "found binary data"),
    ],
    ids=["empty", "blank", "one-line", "png", "nul", "utf-16", "control-chars"],
)
def test_not_an_article(tmp_path: Path, data: bytes, fragment: str) -> None:
    path = _article(tmp_path, text=data)
    assert _rejected(_one(path), str(path), fragment).stage == "read"


def test_invalid_utf8_is_replaced_with_a_warning(tmp_path: Path) -> None:
    path = _article(tmp_path, text=ARTICLE.encode().replace(b"city", b"cit\xe9 \xff"))
    raw = _raw(path)
    assert "cit\ufffd \ufffd" in raw.text
    assert len(raw.warnings) == 1
    assert "invalid UTF-8" in raw.warnings[0]
    assert "2 undecodable" in raw.warnings[0]


@pytest.mark.parametrize("name", ["big.txt", "big.jsonl"])
def test_input_above_the_cap_is_rejected(tmp_path: Path, name: str) -> None:
    text = json.dumps({"text": ARTICLE}) if name.endswith(".jsonl") else ARTICLE
    path = _article(tmp_path, name, text=text)
    _rejected(_one(path, cap=100), "more than the size cap of 100 bytes", "max_input_bytes")
    assert _raw(path, cap=len(text.encode())).text  # exactly at the cap


def test_only_boilerplate_is_rejected_at_clean_stage(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    path = _article(
        tmp_path,
        text="Headline\nAdvertisement\nShare this article\nLeave a Reply\nName *\nEmail *\n",
    )
    raw = _raw(path)
    with pytest.raises(EmptyInput, match="only boilerplate, comment form"):
        prepare(raw)
    report = ingest(expand([str(path)]), store, settings)
    assert (report.ingested, report.present, report.article_ids) == (0, 0, [])
    assert [(r.origin, r.stage) for r in report.rejected] == [(str(path), "clean")]
    assert store.count() == 0


# --- ids -------------------------------------------------------------------------------------
def test_same_text_gets_the_same_id(tmp_path: Path) -> None:
    first = _raw(_article(tmp_path, "a.txt", source="Daily Planet"))
    again = _raw(_article(tmp_path, "b.txt", text=f"\n{ARTICLE}\n\n", source="Other"))
    other = _raw(_article(tmp_path, "c.txt", text=ARTICLE.replace("Monday", "Tuesday")))
    ids = [prepare(raw).id for raw in (first, again, other)]
    assert ids[0] == ids[1] != ids[2]
    assert ids[0] == content_id(HEADLINE, BODY.replace("\n", "\n\n"))


def test_size_cap_message_does_not_understate_the_size(tmp_path: Path) -> None:
    path = _article(tmp_path, text=ARTICLE * 50)
    size = path.stat().st_size
    reason = _rejected(_one(path, cap=100)).reason
    assert f"{size:,} bytes" in reason or "more than the size cap of 100 bytes" in reason


def test_an_article_given_twice_is_listed_once(
    tmp_path: Path, store: Store, settings: Settings
) -> None:
    path = _article(tmp_path, text=ARTICLE)
    ingest(expand([str(path)]), store, settings)
    report = ingest(expand([str(path), str(path)]), store, settings)
    assert (report.ingested, report.present) == (0, 2)
    assert len(report.article_ids) == 1
