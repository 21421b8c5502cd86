"""Web archives: HTML responses become articles, every other record is skipped and counted, and a
truncated or corrupt archive keeps what came before the damage. Fixtures are written by warcio's
WARCWriter inside the tests."""

from __future__ import annotations

import gzip
import io
from collections import Counter
from dataclasses import fields
from pathlib import Path

import pytest
from typer.testing import CliRunner
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newsbrief.cli import app
from newsbrief.ingest import InputFile, expand, read, warc
from newsbrief.ingest.meta import Metadata
from newsbrief.pipeline import ingest
from newsbrief.records import RawArticle, Rejected, Skipped
from newsbrief.settings import CONFIG_ENV, ENV_PREFIX, Settings
from newsbrief.store import Store

ARTICLE = (Path(__file__).parent / "fixtures" / "html" / "article.html").read_bytes()
UNDATED = (
    ARTICLE.replace(
        b'<meta property="article:published_time" content="2025-10-17T09:30:00+00:00">', b""
    )
    .replace(b', <time datetime="2025-10-17">17 October 2025</time>', b"")
    .replace(b"\xc2\xa9 2025 ", b"")
)
CAPTURED = "2025-10-20T08:00:00Z"


def _page(n: int, template: bytes = ARTICLE) -> bytes:
    """A distinct article: the bridge cost ``40 + n`` million euros."""
    return template.replace(b"48 million", f"{40 + n} million".encode())


def _write(path: Path, records: list[tuple[str, str, bytes, str | None]], *, gz: bool) -> list[int]:
    """Write ``(type, url, payload, content type)`` records; returns where each one starts."""
    offsets = []
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=gz)
        writer.write_record(writer.create_warcinfo_record(path.name, {"software": "test"}))
        for kind, url, payload, content_type in records:
            offsets.append(out.tell())
            http = None
            if kind in ("response", "request"):
                status = "200 OK" if kind == "response" else "GET / HTTP/1.1"
                headers = [("Content-Type", content_type)] if content_type else []
                if kind == "request":
                    http = StatusAndHeaders(status, [("Host", "x.test")], is_http_request=True)
                else:
                    http = StatusAndHeaders(status, headers, protocol="HTTP/1.1")
            record = writer.create_warc_record(
                url,
                kind,
                payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=http,
                warc_content_type=content_type if kind == "metadata" else None,
                warc_headers_dict={"WARC-Date": CAPTURED},
            )
            writer.write_record(record)
    return offsets


def _pages(path: Path, pages: dict[str, bytes]) -> None:
    """An uncompressed archive of HTML responses, by URL."""
    _write(path, [("response", url, page, "text/html") for url, page in pages.items()], gz=False)


def _archive(path: Path, *, gz: bool) -> list[int]:
    return _write(
        path,
        [
            ("request", "https://news.test/a1", b"", None),
            ("response", "https://news.test/a1", _page(1), "text/html; charset=utf-8"),
            (
                "metadata",
                "https://news.test/a1",
                b"fetchTimeMs: 120\r\n",
                "application/warc-fields",
            ),
            ("response", "https://news.test/logo.png", b"\x89PNG\r\n\x1a\n\x00", "image/png"),
            ("response", "https://news.test/a2", _page(2, UNDATED), "text/html"),
            ("request", "https://news.test/a3", b"", None),
            ("response", "https://news.test/a3", _page(3), "application/xhtml+xml"),
        ],
        gz=gz,
    )


def _found(path: Path, settings: Settings) -> list[RawArticle | Rejected | Skipped]:
    return list(read(InputFile(path), meta=Metadata(), settings=settings))


@pytest.mark.parametrize("name", ["crawl.warc", "crawl.warc.gz"])
def test_html_responses_are_articles_and_the_rest_is_skipped(
    tmp_path: Path, settings: Settings, name: str
) -> None:
    path = tmp_path / name
    offsets = _archive(path, gz=name.endswith(".gz"))
    found = _found(path, settings)
    articles = [f for f in found if isinstance(f, RawArticle)]
    skipped = Counter(f.reason for f in found if isinstance(f, Skipped))
    assert not [f for f in found if isinstance(f, Rejected)]
    assert [a.url for a in articles] == [f"https://news.test/a{n}" for n in (1, 2, 3)]
    assert [a.origin for a in articles] == [
        f"{path}#{offsets[i]} https://news.test/a{n}" for i, n in ((1, 1), (4, 2), (6, 3))
    ]
    assert skipped == {
        "warc warcinfo record": 1,
        "warc request record": 2,
        "warc metadata record": 1,
        "warc response record (not HTML)": 1,
    }
    assert "41 million euros" in articles[0].text
    assert articles[0].outlet == "The Coastal Courier"
    assert articles[0].published == "2025-10-17"  # the page's date, not the capture's
    assert not articles[0].warnings


def test_capture_date_stands_in_only_for_a_page_without_date(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "crawl.warc.gz"
    _archive(path, gz=True)
    undated = next(
        f for f in _found(path, settings) if isinstance(f, RawArticle) and "42" in f.text
    )
    assert undated.published == "2025-10-20T08:00:00+00:00"
    assert any("dated by its capture (WARC-Date" in w for w in undated.warnings)


def test_skipped_records_are_counted_in_the_run_summary(
    tmp_path: Path, settings: Settings, store: Store
) -> None:
    path = tmp_path / "crawl.warc.gz"
    _archive(path, gz=True)
    report = ingest(expand([str(path)]), store, settings)
    assert (report.ingested, report.failed) == (3, 0)
    assert sum(report.skipped.values()) == 5
    assert "(5 skipped: " in report.summary()


def test_page_without_article_in_a_warc_is_one_rejection(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "crawl.warc"
    empty = b"<html><body><nav><a href='/'>Home</a></nav></body></html>"
    _pages(path, {"https://news.test/menu": empty, "https://news.test/a1": _page(1)})
    found = [f for f in _found(path, settings) if not isinstance(f, Skipped)]
    assert isinstance(found[0], Rejected) and "https://news.test/menu" in found[0].origin
    assert "expected an article" in found[0].reason
    assert isinstance(found[1], RawArticle)


@pytest.mark.parametrize("name", ["cut.warc", "cut.warc.gz"])
def test_truncated_warc_keeps_the_records_before_the_damage(
    tmp_path: Path, settings: Settings, name: str
) -> None:
    path = tmp_path / name
    offsets = _archive(path, gz=name.endswith(".gz"))
    data = path.read_bytes()
    path.write_bytes(data[: (offsets[4] + offsets[5]) // 2])  # inside the second article's record
    found = _found(path, settings)
    articles = [f for f in found if isinstance(f, RawArticle)]
    rejected = [f for f in found if isinstance(f, Rejected)]
    assert [a.url for a in articles] == ["https://news.test/a1"]
    assert len(rejected) == 1, rejected
    assert "the records before it were read" in rejected[0].reason
    assert found[-1] == rejected[0]


def test_garbage_after_the_records_is_reported(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "junk.warc"
    _archive(path, gz=False)
    with path.open("ab") as out:
        out.write(b"this is not a WARC record\r\n" * 10)
    found = _found(path, settings)
    assert len([f for f in found if isinstance(f, RawArticle)]) == 3
    rejected = [f for f in found if isinstance(f, Rejected)]
    assert len(rejected) == 1 and "junk.warc" in rejected[0].reason


def test_cli_truncated_warc_exits_1_and_stores_only_whole_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "cut.warc.gz"
    offsets = _archive(path, gz=True)
    path.write_bytes(path.read_bytes()[: offsets[4] + 40])
    env = {ENV_PREFIX + f.name.upper(): None for f in fields(Settings)}
    runner = CliRunner(env=env | {CONFIG_ENV: None, "COLUMNS": "300"})
    result = runner.invoke(app, ["--db", "t.db", "ingest", "cut.warc.gz"])
    assert result.exit_code == 1, result.output
    assert "1 ingested, 0 already present, 1 failed" in result.output
    assert "cut.warc.gz" in result.output
    with Store.open("t.db", readonly=True) as store:
        ids = list(store.iter_ids())
        assert len(ids) == 1
        assert "41 million euros" in store.load(ids)[0].article.text


# --- hostile archives (issue 15) --------------------------------------------------------------
def test_a_gzip_bomb_after_the_records_is_refused_quickly_and_briefly(
    tmp_path: Path, settings: Settings
) -> None:
    """A gzip member of 64 MB of zeros (65 KB on disk) was read as one 64 MB "first line" (20 s,
    1.7 GB) and echoed whole in the error (268 MB). Lines are bounded, excerpts short."""
    path = tmp_path / "bomb.warc.gz"
    _write(path, [("response", "https://news.test/a1", _page(1), "text/html")], gz=True)
    with path.open("ab") as out:
        out.write(gzip.compress(bytes(64 * 1024 * 1024), 9))
    found = _found(path, settings)
    assert [f.url for f in found if isinstance(f, RawArticle)] == ["https://news.test/a1"]
    rejected = [f for f in found if isinstance(f, Rejected)]
    assert len(rejected) == 1, rejected
    assert "corrupt WARC data after byte" in rejected[0].reason
    assert "the records before it were read" in rejected[0].reason
    assert len(rejected[0].reason) < 500


def test_a_record_above_the_record_bound_ends_the_reading(
    tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "big.warc.gz"
    big = _page(2) + b"<!--" + b" " * 20_000 + b"-->"
    _write(
        path,
        [
            ("response", "https://news.test/a1", _page(1), "text/html"),
            ("response", "https://news.test/a2", big, "text/html"),
            ("response", "https://news.test/a3", _page(3), "text/html"),
        ],
        gz=True,
    )
    monkeypatch.setattr(warc, "MAX_WARC_RECORD_BYTES", 15_000)
    found = _found(path, settings)
    assert [f.url for f in found if isinstance(f, RawArticle)] == ["https://news.test/a1"]
    assert isinstance(found[-1], Rejected)
    assert "expected WARC records of at most 15,000 bytes, found a Content-Length of" in (
        found[-1].reason
    )


def test_a_page_with_a_charset_that_is_no_encoding_costs_no_other_record(
    tmp_path: Path, settings: Settings
) -> None:
    """A page declaring charset=idna with non-UTF-8 bytes raised UnicodeError, and the good
    record after it was lost."""
    path = tmp_path / "crawl.warc"
    idna = _page(1).replace(b'charset="utf-8"', b'charset="idna"')
    idna = idna.replace(b"41 million", b"41\xa0million")  # no UTF-8: windows-1252's space
    _pages(path, {"https://news.test/a1": idna, "https://news.test/a2": _page(2)})
    found = [f for f in _found(path, settings) if not isinstance(f, Skipped)]
    assert [type(f) for f in found] == [RawArticle, RawArticle]
    assert any("names no text encoding" in w for w in found[0].warnings)


def test_a_record_without_a_target_uri_costs_no_other_record(
    tmp_path: Path, settings: Settings
) -> None:
    """warcio called ``uri.startswith`` on a response record without WARC-Target-URI: the
    reading ended there, and the good record after it was lost. Now it is a record without
    HTTP headers, skipped."""
    path = tmp_path / "crawl.warc"
    _pages(path, {"https://news.test/a1": _page(1), "https://news.test/a2": _page(2)})
    data = path.read_bytes()
    first = data.index(b"WARC-Target-URI: https://news.test/a1\r\n")
    path.write_bytes(data.replace(b"WARC-Target-URI: https://news.test/a1\r\n", b"", 1))
    assert first > 0
    found = _found(path, settings)
    assert [type(f) for f in found] == [Skipped, Skipped, RawArticle], found
    assert found[1].reason == "warc response record (not HTTP)"  # type: ignore[union-attr]


@pytest.mark.parametrize("capture", ["9999-12-31T00:00:00Z", "1890-01-01T00:00:00Z", "yesterday"])
def test_a_capture_date_out_of_range_leaves_the_page_undated(
    tmp_path: Path, settings: Settings, capture: str
) -> None:
    path = tmp_path / "crawl.warc"
    with path.open("wb") as out:
        writer = WARCWriter(out, gzip=False)
        http = StatusAndHeaders("200 OK", [("Content-Type", "text/html")], protocol="HTTP/1.1")
        payload = _page(1, UNDATED)
        writer.write_record(
            writer.create_warc_record(
                "https://news.test/a1",
                "response",
                payload=io.BytesIO(payload),
                length=len(payload),
                http_headers=http,
                warc_headers_dict={"WARC-Date": capture},
            )
        )
    (raw,) = [f for f in _found(path, settings) if isinstance(f, RawArticle)]
    assert raw.published is None
    assert any("(WARC-Date)" in w and "kept undated" in w for w in raw.warnings)
