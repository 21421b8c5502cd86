"""HTML pages: the article in the page and only it, its metadata, and the bad cases (no article,
binary data, gzip bombs, truncated gzip)."""

from __future__ import annotations

import gzip
import json
import time
from pathlib import Path

import pytest

from http_server import LocalServer
from newsbrief.errors import BinaryInput, EmptyInput, InputTooLarge
from newsbrief.ingest import InputFile, InputURL, kind_of, prepare, read
from newsbrief.ingest.charset import web_codec
from newsbrief.ingest.html import read_html
from newsbrief.ingest.meta import Metadata
from newsbrief.records import RawArticle, Rejected
from newsbrief.settings import Settings

HTML = Path(__file__).parent / "fixtures" / "html"
ARTICLE = (HTML / "article.html").read_bytes()
# What the page's article says, and what its furniture says (none of which may survive).
BODY = (
    "The harbour bridge reopened to traffic on Friday morning",
    "watched by a small crowd of residents",
    "the mayor, Anna Berg, told reporters",
    "Cyclists and pedestrians will be able to use a widened path",
)
FURNITURE = (
    "cookies",
    "Home",
    "Sport",
    "Ferry timetable",
    "Related stories",
    "commute",
    "scandal",
    "Privacy policy",
    "All rights reserved",
    "Leave a Reply",
    "Share on Facebook",
)


def _read(path: Path, settings: Settings, meta: Metadata | None = None) -> RawArticle | Rejected:
    found = list(read(InputFile(path), meta=meta or Metadata(), settings=settings))
    assert len(found) == 1, found
    item = found[0]
    assert isinstance(item, RawArticle | Rejected), item
    return item


def _article(found: RawArticle | Rejected) -> RawArticle:
    assert isinstance(found, RawArticle), found
    return found


def _rejected(found: RawArticle | Rejected, *fragments: str) -> Rejected:
    assert isinstance(found, Rejected), found
    for fragment in fragments:
        assert fragment in found.reason
    return found


def test_article_page_keeps_only_the_article(settings: Settings) -> None:
    raw = read_html(ARTICLE, origin="page.html", meta=Metadata(), settings=settings)
    assert raw.title == "Harbour bridge reopens after two-year repair"
    assert raw.outlet == "The Coastal Courier"
    assert raw.authors == ("Maria Lindqvist",)
    assert raw.published == "2025-10-17"
    assert raw.language == "en"
    assert raw.url == "https://coastalcourier.example/news/harbour-bridge-reopens"
    article = prepare(raw)
    for fragment in BODY:
        assert fragment in article.text
    for fragment in FURNITURE:
        assert fragment not in article.text, fragment
    # one paragraph of the page is one block of the clean text; the headline is not repeated
    assert len(article.blocks) == 5
    assert not article.text.startswith("Harbour bridge reopens")


def test_scraped_text_boilerplate_is_removed_after_extraction(settings: Settings) -> None:
    article = prepare(read_html(ARTICLE, origin="page.html", meta=Metadata(), settings=settings))
    assert [(r.text, r.reason) for r in article.removed] == [("Leave a Reply", "comment form")]


def test_user_metadata_wins_over_the_page(settings: Settings) -> None:
    meta = Metadata(source="Courier Wire", published="2025-10-18", authors=("Desk",))
    raw = read_html(
        ARTICLE, origin="page.html", meta=meta, settings=settings, url="https://x.test/a"
    )
    assert (raw.outlet, raw.published, raw.authors) == ("Courier Wire", "2025-10-18", ("Desk",))
    assert raw.url == "https://x.test/a"
    assert raw.title == "Harbour bridge reopens after two-year repair"  # not given: the page's


def test_outlet_falls_back_to_the_url_host(settings: Settings) -> None:
    page = ARTICLE.replace(b'<meta property="og:site_name" content="The Coastal Courier">', b"")
    page = page.replace(b" | The Coastal Courier", b"").replace(b"The Coastal Courier", b"")
    page = page.replace(b"https://coastalcourier.example", b"")
    raw = read_html(
        page, origin="p", meta=Metadata(), settings=settings, url="https://www.courier.test/a"
    )
    assert raw.outlet == "courier.test"


def test_declared_legacy_charset_is_honoured(settings: Settings) -> None:
    page = ARTICLE.decode("utf-8").replace('charset="utf-8"', 'charset="iso-8859-1"')
    page = page.replace("Anna Berg", "Anna Bérgström")
    raw = read_html(page.encode("cp1252"), origin="p", meta=Metadata(), settings=settings)
    assert "Anna Bérgström" in raw.text
    assert not raw.warnings


def test_page_without_an_article_is_rejected(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "sitemap.html"
    path.write_bytes((HTML / "no_article.html").read_bytes())
    _rejected(_read(path, settings), "sitemap.html", "expected an article", "navigation")
    with pytest.raises(EmptyInput):
        read_html(path.read_bytes(), origin="p", meta=Metadata(), settings=settings)


def test_empty_page_is_rejected(settings: Settings) -> None:
    with pytest.raises(EmptyInput, match="expected an article"):
        read_html(b"<html><body></body></html>", origin="p", meta=Metadata(), settings=settings)


def test_binary_file_named_html_is_rejected(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "photo.html"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)) * 20)
    _rejected(_read(path, settings), "expected an HTML page, found binary data")
    with pytest.raises(BinaryInput):
        read_html(path.read_bytes(), origin="p", meta=Metadata(), settings=settings)


def test_page_above_the_cap_is_rejected(settings: Settings) -> None:
    small = settings.replace(max_input_bytes=1000)
    with pytest.raises(InputTooLarge, match="size cap of 1,000 bytes"):
        read_html(ARTICLE, origin="p", meta=Metadata(), settings=small)


@pytest.mark.parametrize("name", ["page.html.gz", "page.htm.gz", "page.HTM"])
def test_gzipped_and_other_suffixes(tmp_path: Path, settings: Settings, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(ARTICLE) if name.endswith(".gz") else ARTICLE)
    assert kind_of(path) == name.lower().removeprefix("page")
    raw = _article(_read(path, settings))
    assert raw.title == "Harbour bridge reopens after two-year repair"
    assert raw.origin == str(path)


def test_gzipped_page_without_the_suffix_is_read(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "page.html"
    path.write_bytes(gzip.compress(ARTICLE))
    assert _article(_read(path, settings)).outlet == "The Coastal Courier"


@pytest.mark.parametrize("name", ["page.html", "page.html.gz"])
def test_sidecar_metadata(tmp_path: Path, settings: Settings, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(gzip.compress(ARTICLE) if name.endswith(".gz") else ARTICLE)
    sidecar = {"source": "Sidecar Times", "published": "2025-10-19", "language": "en-GB"}
    (tmp_path / "page.meta.json").write_text(json.dumps(sidecar), "utf-8")
    raw = _article(_read(path, settings, Metadata(source="Option News", url="https://o.test/")))
    assert (raw.outlet, raw.published, raw.language) == ("Sidecar Times", "2025-10-19", "en-GB")
    assert raw.url == "https://o.test/"  # the option fills what the sidecar leaves out
    assert raw.authors == ("Maria Lindqvist",)  # neither gave authors: the page's


def _bomb(path: Path, mib: int) -> None:
    """A gzip file of ``mib`` MiB of zero bytes: one 1 MiB member (about 1 KB) written ``mib``
    times, as gzip allows members to follow each other."""
    member = gzip.compress(bytes(1 << 20), compresslevel=9)
    with path.open("wb") as out:
        for _ in range(mib):
            out.write(member)


def test_gzip_bomb_is_refused_without_inflating_it(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "bomb.html.gz"
    _bomb(path, 1024)  # 1 GiB of zeros in about 1 MB
    assert path.stat().st_size < 2 << 20
    start = time.perf_counter()
    found = _read(path, settings)
    assert time.perf_counter() - start < 2.0
    _rejected(found, "decompresses to more than the size cap", "5,000,000 bytes")


def test_truncated_gzip_is_rejected(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "cut.html.gz"
    path.write_bytes(gzip.compress(ARTICLE)[:-200])
    _rejected(_read(path, settings), "cut.html.gz", "truncated")


def test_not_gzip_despite_the_suffix_is_rejected(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "plain.html.gz"
    path.write_bytes(ARTICLE)
    _rejected(_read(path, settings), "expected gzip-compressed data")


def test_stray_nul_bytes_do_not_make_a_page_binary(settings: Settings) -> None:
    page = ARTICLE.replace(b"</p>\n  <p>The first cars", b"</p>\x00\x00\x00\n  <p>The first cars")
    raw = read_html(page, origin="p", meta=Metadata(), settings=settings)
    assert "The first cars crossed" in raw.text
    assert "\x00" not in raw.text


# --- hostile pages (issue 15) -----------------------------------------------------------------
def _declaring(charset: str) -> bytes:
    """The article page declaring ``charset``, with a byte that is not UTF-8 (windows-1252)."""
    page = ARTICLE.decode("utf-8").replace('charset="utf-8"', f'charset="{charset}"')
    return page.replace("Anna Berg", "Anna Bérgström").encode("cp1252")


@pytest.mark.parametrize(
    "charset", ["idna", "undefined", "punycode", "rot13", "base64", "unicode_escape", "x-nothing"]
)
def test_a_charset_that_names_no_text_encoding_is_no_charset(
    settings: Settings, charset: str
) -> None:
    """Python's registry knows these labels: decoding with "idna", "undefined" or "punycode"
    raised UnicodeError out of ingest. Only encodings of the web count (WHATWG); the page is
    then read as windows-1252, with a warning."""
    raw = read_html(_declaring(charset), origin="p", meta=Metadata(), settings=settings)
    assert "Anna Bérgström" in raw.text
    assert raw.warnings == (
        f"p: not UTF-8 and no usable charset declared (found {charset!r}, which names no text "
        "encoding); read as windows-1252",
    )


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        ("UTF-8", "utf-8"),
        ("latin1", "cp1252"),  # browsers read latin-1 and ASCII as windows-1252
        ("us-ascii", "cp1252"),
        ("iso-8859-9", "cp1254"),
        ("shift_jis", "cp932"),
        ("x-sjis", "cp932"),
        ("gb2312", "gb18030"),
        ("windows-874", "cp874"),
        ("utf-16", "utf-8"),  # without a byte-order mark, as WHATWG says
        ("idna", None),
        ("undefined", None),
        ("hex", None),
        ("nul\x00", None),
    ],
)
def test_charset_labels_are_read_as_browsers_read_them(label: str, codec: str | None) -> None:
    assert web_codec(label) == codec


def test_a_page_fetched_with_a_charset_that_names_no_encoding(
    server: LocalServer, web: Settings
) -> None:
    server.route("/story", body=_declaring("idna"), content_type="text/html; charset=idna")
    (raw,) = read(InputURL(server.url("/story")), meta=Metadata(), settings=web)
    assert isinstance(raw, RawArticle), raw
    assert "Anna Bérgström" in raw.text


def test_markup_the_parser_fails_on_is_refused(tmp_path: Path, settings: Settings) -> None:
    """A lone <svg> with a <title> made lxml assert (AssertionError in drop_tree, by way of
    trafilatura and htmldate): whatever a parser raises on one page is that page's refusal."""
    path = tmp_path / "logo.html"
    path.write_text(
        '<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg"><title>Logo</title>'
        '<circle r="3"/></svg>\n',
        "utf-8",
    )
    _rejected(
        _read(path, settings),
        "logo.html: expected an HTML page, found markup the parser fails on (AssertionError",
    )
