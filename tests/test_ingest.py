"""Readers (text, sidecar, JSON lines, stdin, directories) and prepare(): every input becomes a
RawArticle or a Rejected whose reason names the input and what was wrong with it."""

from __future__ import annotations

import io
import json
import os
import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from newsbrief.errors import EmptyInput, InputTooLarge, TooShort, excerpt
from newsbrief.ingest import READERS, InputFile, admit, expand, prepare, read_inputs
from newsbrief.ingest.meta import Metadata, page_published
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


def _rejected(found: object, *fragments: str) -> Rejected:
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
        ('{"source": "Daily Planet",', "expected a JSON object, found invalid JSON"),
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


# Issue 15: nesting and number size have limits (a RecursionError or a ValueError escaped and
# stopped the run), and a date the user gives lies from 1900 to a day past today (UTC).
@pytest.mark.parametrize(
    ("sidecar", "fragment"),
    [
        ("[" * 100_000 + "]" * 100_000, "expected JSON nested at most 32 levels deep"),
        ('{"note": ' + "[" * 33 + "1" + "]" * 33 + "}", "expected JSON nested at most 32"),
        ('{"note": ' + "9" * 5000 + "}", "expected JSON numbers of at most 100 characters"),
        ('{"note": 1.' + "5" * 200 + "}", "found one of 202"),
        ('{"published": "9999-12-31"}', "'published' expects a date from 1900-01-01 to "),
        ('{"published": "0001-01-01T00:00:00+05:00"}', "'published' expects a date from"),
        ('{"published": "1899-12-31T23:00:00+05:00"}', "'published' expects a date from"),
    ],
    ids=[
        "nested-100000",
        "nested-34",
        "int-5000-digits",
        "long-float",
        "year-9999",
        "year-1",
        "1899",
    ],
)
def test_sidecar_beyond_a_limit_is_refused_with_its_reason(
    tmp_path: Path, sidecar: str, fragment: str
) -> None:
    path = _article(tmp_path)
    (tmp_path / "a.meta.json").write_text(sidecar, "utf-8")
    rejected = _rejected(_one(path), "a.meta.json", fragment)
    assert len(rejected.reason) < 400


def test_dates_at_the_ends_of_the_range_are_accepted(tmp_path: Path) -> None:
    path = _article(tmp_path)
    tomorrow = (datetime.now(UTC) + timedelta(hours=23)).isoformat()
    # 1899-12-31 at 23:00 in New York is 1900-01-01 in UTC
    for published in ("1900-01-01", "1899-12-31T23:00:00-05:00", tomorrow):
        (tmp_path / "a.meta.json").write_text(json.dumps({"published": published}), "utf-8")
        assert _raw(path).published == published


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


@pytest.mark.parametrize("name", ["empty.jsonl", "blank.jsonl", "empty.warc", "empty.warc.gz"])
def test_an_input_with_nothing_in_it_is_one_failure(tmp_path: Path, name: str) -> None:
    """Every input has an outcome: one with no line, record or entry is not passed over."""
    path = tmp_path / name
    path.write_bytes(b"\n\n" if name.startswith("blank") else b"")
    (found,) = _read(path)
    assert isinstance(found, Rejected)
    assert (
        found.reason == f"{path}: expected an article, found none (no record, entry or line in it)"
    )


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
        ("in/notes.pdf", Skipped),  # a directory's other files are passed over, counted
        ("in/sub/c.text", RawArticle),
        ("in/sub/e.jsonl:1", RawArticle),
        ("missing.txt", Rejected),
    ]
    assert found[1] == Skipped(origin=str(folder / "notes.pdf"), reason="not an article type")
    _rejected(found[4], "no such file or directory")
    named = _one(folder / "notes.pdf")  # named on the command line: a failure
    _rejected(named, "unsupported file type '.pdf'", "supported: " + ", ".join(sorted(READERS)))


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


# --- hostile inputs (issue 15) ----------------------------------------------------------------
def test_each_json_line_beyond_a_limit_is_one_rejection(tmp_path: Path) -> None:
    """A line nested 100,000 deep (RecursionError) or with a 5,000-digit number (ValueError)
    stopped the run; each is now that line's refusal, the other lines read."""
    good = json.dumps({"text": ARTICLE})
    lines = [
        good,
        '{"text": ' + "[" * 100_000 + "]" * 100_000 + "}",
        '{"text": "x", "note": ' + "9" * 5000 + "}",
        json.dumps({"text": ARTICLE.replace("Monday", "Tuesday")}),
    ]
    path = _article(tmp_path, "a.jsonl", text="\n".join(lines))
    found = _read(path, cap=1_000_000)
    assert [type(f) for f in found] == [RawArticle, Rejected, Rejected, RawArticle]
    _rejected(found[1], f"{path}:2: expected JSON nested at most 32 levels deep")
    _rejected(found[2], f"{path}:3: expected JSON numbers of at most 100 characters")
    assert all(len(f.reason) < 300 for f in found if isinstance(f, Rejected))


def test_lone_surrogates_are_replaced_in_every_text(tmp_path: Path) -> None:
    """A lone surrogate ("\\ud800" in a JSON string) could not be hashed or stored
    (UnicodeEncodeError after reading): every text of a record is scrubbed as it is made."""
    line = json.dumps(
        {
            "text": ARTICLE.replace("budget", "budget \ud800"),
            "title": "Budget \udfff",
            "source": "Planet \ud800",
            "authors": ["A \ud800"],
            "url": "https://example.org/\ud800",
        }
    )
    raw = _raw(_article(tmp_path, "a.jsonl", text=line))
    assert (raw.title, raw.outlet, raw.authors) == ("Budget \ufffd", "Planet \ufffd", ("A \ufffd",))
    assert "budget \ufffd" in raw.text and raw.url == "https://example.org/\ufffd"
    assert prepare(raw).id  # hashes: no surrogate left


def test_records_scrub_and_bound_what_they_carry() -> None:
    name = os.fsdecode(b"caf\xe9.txt")  # a file name that is not UTF-8: surrogate escapes
    raw = RawArticle(origin=name, title="T", text="x", warnings=("w" * 5000,))
    assert raw.origin == "caf\\xe9.txt"  # the undecodable byte, escaped
    assert len(raw.warnings[0]) < 1100
    rejected = Rejected(origin=name, stage="read", reason="x" * 300_000_000)
    assert rejected.origin == "caf\\xe9.txt"
    assert rejected.reason.endswith("… (300,000,000 characters)") and len(rejected.reason) < 1100
    assert Skipped(origin="s", reason="\ud800").reason == "\ufffd"
    assert excerpt("\x00" * 10_000) == "\x00" * 80 + "… (10,000 characters)"


def test_an_unexpected_error_of_a_reader_costs_that_input_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(path: Path, meta: Metadata, settings: Settings) -> Iterator[RawArticle]:
        yield RawArticle(origin=f"{path}:1", title="First", text=BODY)
        raise KeyError("x" * 10_000)  # a fault of ours, or of a library

    monkeypatch.setitem(READERS, ".jsonl", broken)
    bad = _article(tmp_path, "a.jsonl", text="{}")
    good = _article(tmp_path, "b.txt")
    found = _read(bad, good)
    assert [type(f) for f in found] == [RawArticle, Rejected, RawArticle]
    assert len(_rejected(found[1], f"{bad}: KeyError: 'xxxx").reason) < 300


def test_a_file_name_too_long_is_one_rejection_and_a_long_stem_has_no_sidecar(
    tmp_path: Path,
) -> None:
    """Path.is_dir raised OSError (ENAMETOOLONG) out of expand; a 251-character stem made the
    sidecar's name too long, and the article was refused for it."""
    long = tmp_path / ("a" * 300 + ".txt")
    stem = _article(tmp_path, "b" * 251 + ".txt")
    found = _read(long, stem)
    _rejected(found[0], "File name too long")
    assert isinstance(found[1], RawArticle)


def test_an_unreadable_folder_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in" / "locked").mkdir(parents=True)
    _article(tmp_path / "in", "a.txt")
    listdir = os.listdir

    def refusing(path: str | os.PathLike[str] = ".") -> list[str]:
        if Path(path).name == "locked":  # as chmod 000 would, for a user who is not root
            raise PermissionError(13, "Permission denied", str(path))
        return listdir(path)

    monkeypatch.setattr(os, "listdir", refusing)
    found = list(expand([str(tmp_path / "in")]))
    assert found[0] == InputFile(tmp_path / "in" / "a.txt")
    _rejected(found[1], "locked: cannot read the directory (Permission denied)")


@pytest.mark.parametrize(
    ("text", "error", "fragment"),
    [
        ("Ten chars.", TooShort, "at least 40 characters (spaces apart), found 9"),
        ("A budget.\n\nIt passed.", TooShort, "found 17"),
        (
            "".join(f"Line {i} of a very long text.\n" for i in range(8_000)),
            InputTooLarge,
            "at most",
        ),
    ],
    ids=["ten-chars", "two-lines", "too-long"],
)
def test_admit_refuses_too_short_and_too_long(
    settings: Settings, text: str, error: type[Exception], fragment: str
) -> None:
    article = prepare(RawArticle(origin="a", title="Headline", text=text))
    with pytest.raises(error, match=re.escape(fragment)):
        admit(article, settings.replace(max_article_chars=200_000))


def test_the_shortest_real_articles_are_admitted(settings: Settings) -> None:
    """The calibration of MIN_ARTICLE_CHARS: ECB+'s shortest document, PolNeAR's shortest
    body."""
    for text in [
        "The parliament election is over in Turkmenistan .",
        "A common refrain is that demographics will ultimately doom Donald Trump’s candidacy.",
    ]:
        article = prepare(RawArticle(origin="a", title="Headline", text=text))
        assert admit(article, settings) is article


def test_raw_articles_handed_in_have_their_date_checked(store: Store, settings: Settings) -> None:
    """The API and watch hand RawArticles to ingest: a date that is no ISO 8601 date, or one
    out of range, is that article's refusal (stage clean), never the run's."""
    good = RawArticle(origin="good", title=HEADLINE, text=BODY, published="2025-10-17T09:30Z")
    odd = [
        RawArticle(origin=f"odd{n}", title=HEADLINE, text=f"{BODY} {n}", published=published)
        for n, published in enumerate(["17/10/2025", "9999-12-31", "0001-01-01"])
    ]
    report = ingest([good, *odd], store, settings)
    assert report.ingested == 1
    assert [(r.origin, r.stage) for r in report.rejected] == [
        ("odd0", "clean"),
        ("odd1", "clean"),
        ("odd2", "clean"),
    ]
    assert "'published' expects an ISO 8601 date" in report.rejected[0].reason
    assert "'published' expects a date from 1900-01-01 to" in report.rejected[1].reason
    (stored,) = store.load(list(store.iter_ids()))
    assert stored.article.published == "2025-10-17T09:30:00+00:00"


@pytest.mark.parametrize("value", ["2999-01-01", "1899-12-31", "0000-01-01", "yesterday"])
def test_a_date_found_in_a_page_or_feed_out_of_range_is_dropped_with_a_warning(
    value: str,
) -> None:
    published, warnings = page_published(value, where="p")
    assert published is None
    assert len(warnings) == 1 and "the article is kept undated" in warnings[0]
