"""RSS and Atom feeds from files and URLs: full content, fetched links, bad feeds and entries."""

from __future__ import annotations

from pathlib import Path

import pytest

from http_server import LocalServer
from newsbrief.ingest import InputFile, InputURL, read
from newsbrief.ingest.feed import html_to_text, looks_like_feed
from newsbrief.ingest.meta import Metadata
from newsbrief.records import RawArticle, Rejected, Skipped
from newsbrief.settings import Settings

Found = RawArticle | Rejected | Skipped


def body(n: int, words: int = 120) -> str:
    """An article body of about ``words`` words, distinct per ``n``."""
    sentence = (
        f"The harbour bridge of town {n} reopened after two months of repairs, officials said."
    )
    count = words // len(sentence.split()) + 1
    return " ".join([sentence] * count)


def rss(*items: str, title: str = "Harbour Times", extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/" '
        'xmlns:dc="http://purl.org/dc/elements/1.1/">'
        f"<channel><title>{title}</title><link>http://example.com/</link>"
        f"<language>en</language>{extra}{''.join(items)}</channel></rss>"
    ).encode()


def item(
    n: int, *, link: str | None = None, content: str | None = None, summary: str = "A teaser."
) -> str:
    parts = [f"<title>Bridge {n} reopens</title>", f"<guid>urn:bridge:{n}</guid>"]
    if link:
        parts.append(f"<link>{link}</link>")
    parts.append(f"<pubDate>Fri, 17 Oct 2025 0{n % 10}:30:00 GMT</pubDate>")
    parts.append(f"<dc:creator>Reporter {n}</dc:creator>")
    parts.append(f"<description>{summary}</description>")
    if content is not None:
        parts.append(f"<content:encoded><![CDATA[{content}]]></content:encoded>")
    return f"<item>{''.join(parts)}</item>"


def full(n: int) -> str:
    return item(
        n, link=f"http://example.com/{n}", content=f"<p>{body(n)}</p><p>{body(n + 100)}</p>"
    )


def page(n: int) -> bytes:
    return (
        f"<html><head><title>Page {n}</title></head><body><nav>Home | News</nav><article>"
        f"<h1>Bridge {n} reopens</h1><p>{body(n)}</p><p>{body(n + 50)}</p></article>"
        "<footer>Copyright</footer></body></html>"
    ).encode()


def _read_file(path: Path, settings: Settings, meta: Metadata | None = None) -> list[Found]:
    return list(read(InputFile(path), meta=meta or Metadata(), settings=settings))


def _read_url(url: str, settings: Settings) -> list[Found]:
    return list(read(InputURL(url), meta=Metadata(), settings=settings))


def test_feed_file_with_full_content(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "news.rss"
    path.write_bytes(rss(full(1), full(2)))
    found = _read_file(path, settings)
    assert [type(f) for f in found] == [RawArticle, RawArticle]
    first = found[0]
    assert isinstance(first, RawArticle)
    assert first.title == "Bridge 1 reopens"
    assert first.outlet == "Harbour Times"
    assert first.url == "http://example.com/1"
    assert first.published == "2025-10-17T01:30:00+00:00"
    assert first.authors == ("Reporter 1",)
    assert first.language == "en"
    assert first.text.split("\n") == [body(1), body(101)]  # paragraphs as lines
    # --source wins over the feed's title
    again = _read_file(path, settings, Metadata(source="Wire"))
    assert {f.outlet for f in again if isinstance(f, RawArticle)} == {"Wire"}


def test_atom_file(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "news.atom"
    path.write_text(
        '<feed xmlns="http://www.w3.org/2005/Atom"><title>Atom News</title>'
        "<entry><id>tag:a,2025:1</id><title>Atom entry</title>"
        '<link href="http://example.com/atom/1"/><updated>2025-10-17T09:30:00Z</updated>'
        f"<author><name>Ann Writer</name></author>"
        f'<content type="html">&lt;p&gt;{body(7)}&lt;/p&gt;</content></entry></feed>',
        "utf-8",
    )
    (raw,) = _read_file(path, settings)
    assert isinstance(raw, RawArticle)
    assert (raw.title, raw.outlet, raw.url) == (
        "Atom entry",
        "Atom News",
        "http://example.com/atom/1",
    )
    assert (raw.published, raw.authors, raw.text) == (
        "2025-10-17T09:30:00+00:00",
        ("Ann Writer",),
        body(7),
    )


def test_teaser_entries_fetch_their_link(
    server: LocalServer, web: Settings, tmp_path: Path
) -> None:
    server.route("/story/1", body=page(1))
    path = tmp_path / "teasers.rss"
    path.write_bytes(
        rss(item(1, link=server.url("/story/1")), item(2, link=server.url("/story/missing")))
    )
    first, second = _read_file(path, web)
    assert isinstance(first, RawArticle)
    assert first.title == "Bridge 1 reopens"  # the entry's title
    assert first.url == server.url("/story/1")
    assert body(1) in first.text and "Copyright" not in first.text
    assert isinstance(second, Rejected)  # one entry fails, the others go on
    assert second.reason == f"{server.url('/story/missing')}: HTTP 404 Not Found"


def test_malformed_feed_is_rejected(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "broken.rss"
    path.write_bytes(b"<rss version='2.0'><channel><title>Broken</title></chanel></rss>")
    (rejected,) = _read_file(path, settings)
    assert isinstance(rejected, Rejected)
    assert "expected an RSS or Atom feed, found malformed XML" in rejected.reason


def test_feed_with_errors_but_entries_is_read_with_a_warning(
    tmp_path: Path, settings: Settings
) -> None:
    path = tmp_path / "sloppy.rss"
    path.write_bytes(rss(full(1), full(2)).replace(b"</channel></rss>", b"<junk></channel>"))
    found = _read_file(path, settings)
    assert [type(f) for f in found] == [RawArticle, RawArticle]
    assert isinstance(found[0], RawArticle)
    assert "not well-formed" in found[0].warnings[0]


def test_empty_feed_is_skipped(tmp_path: Path, settings: Settings) -> None:
    path = tmp_path / "empty.rss"
    path.write_bytes(rss())
    assert _read_file(path, settings) == [Skipped(origin=str(path), reason="empty feed")]


def test_xml_files_are_read_when_they_are_feeds(tmp_path: Path, settings: Settings) -> None:
    feed = tmp_path / "feed.xml"
    feed.write_bytes(rss(full(1)))
    assert [type(f) for f in _read_file(feed, settings)] == [RawArticle]
    other = tmp_path / "data.xml"
    other.write_text("<?xml version='1.0'?><catalog><book/></catalog>", "utf-8")
    (rejected,) = _read_file(other, settings)
    assert isinstance(rejected, Rejected)
    assert "expected an RSS or Atom feed, found another kind of XML" in rejected.reason


@pytest.mark.parametrize("content_type", ["application/rss+xml", "text/xml", "text/html", None])
def test_feed_url_by_type_or_by_sniffing(
    server: LocalServer, web: Settings, content_type: str | None
) -> None:
    server.route("/feed", body=rss(full(1), full(2)), content_type=content_type)
    found = _read_url(server.url("/feed"), web)
    assert [f.title for f in found if isinstance(f, RawArticle)] == [
        "Bridge 1 reopens",
        "Bridge 2 reopens",
    ]


def test_page_url(server: LocalServer, web: Settings) -> None:
    server.redirect("/short", "/story/1")
    server.route("/story/1", body=page(1))
    (raw,) = _read_url(server.url("/short"), web)
    assert isinstance(raw, RawArticle)
    assert raw.url == server.url("/story/1")  # where the redirects ended
    assert raw.origin == server.url("/short")
    assert body(1) in raw.text


def test_binary_served_as_html_is_rejected(server: LocalServer, web: Settings) -> None:
    server.route("/photo", body=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    (rejected,) = _read_url(server.url("/photo"), web)
    assert isinstance(rejected, Rejected)
    assert rejected.reason == f"{server.url('/photo')}: expected an HTML page, found binary data"


def test_links_of_one_feed_share_one_robots_txt(
    server: LocalServer, web: Settings, tmp_path: Path
) -> None:
    for n in (1, 2):
        server.route(f"/story/{n}", body=page(n))
    path = tmp_path / "teasers.rss"
    path.write_bytes(
        rss(item(1, link=server.url("/story/1")), item(2, link=server.url("/story/2")))
    )
    assert all(isinstance(f, RawArticle) for f in _read_file(path, web))
    assert server.paths() == ["/robots.txt", "/story/1", "/story/2"]


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b'<?xml version="1.0"?><!-- c --><rss version="2.0">', True),
        (b"\xef\xbb\xbf<feed xmlns='http://www.w3.org/2005/Atom'>", True),
        (b"<rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>", True),
        (b"<!DOCTYPE html><html><head>", False),
        (b"<?xml version='1.0'?><catalog>", False),
        (b"plain text", False),
        # a doctype's internal subset may hold ">"
        (b"<?xml version='1.0'?><!DOCTYPE rss [<!ENTITY a 'ha'>]><rss version='2.0'>", True),
        (b"<!DOCTYPE html [<!ENTITY a 'b'>]><html>", False),
    ],
)
def test_looks_like_feed(head: bytes, expected: bool) -> None:
    assert looks_like_feed(head) is expected


def test_html_to_text_keeps_paragraphs() -> None:
    text = html_to_text(
        "<p>One &amp; <b>two</b>.</p><script>var x;</script><ul><li>Three</li><li>Four</li></ul>"
        "Five<br>Six"
    )
    assert text == "One & two.\nThree\nFour\nFive\nSix"


# --- hostile feeds (issue 15) -----------------------------------------------------------------
@pytest.mark.parametrize(
    "reference", ["&#xD800;", "&#55296;", "&#x110000;", "&#" + "9" * 5000 + ";"]
)
def test_a_reference_to_no_character_is_replaced(
    tmp_path: Path, settings: Settings, reference: str
) -> None:
    """feedparser raised on "&#xD800;" (UnicodeEncodeError), on a code point past U+10FFFF and
    on 5,000 digits (ValueError): the whole feed was lost, and the run with it."""
    path = tmp_path / "news.rss"
    title = f"<title>Bridge {reference} reopens</title>"
    path.write_bytes(rss(full(1).replace("<title>Bridge 1 reopens</title>", title), full(2)))
    found = _read_file(path, settings)
    assert [type(f) for f in found] == [RawArticle, RawArticle]
    assert found[0].title == "Bridge \ufffd reopens"


@pytest.mark.parametrize("encoding", ["undefined", "idna", "punycode", "utf-16"])
def test_a_declared_encoding_that_is_none_is_no_encoding(
    tmp_path: Path, settings: Settings, encoding: str
) -> None:
    """feedparser decoded with whatever the XML declaration named: "undefined" raised."""
    path = tmp_path / "news.rss"
    data = rss(full(1)).replace(b'encoding="utf-8"', f'encoding="{encoding}"'.encode())
    path.write_bytes(data.replace(b"Bridge 1 reopens", "Brücke 1 reopens".encode("cp1252")))
    (raw,) = _read_file(path, settings)
    assert isinstance(raw, RawArticle), raw
    assert raw.title in ("Brücke 1 reopens", "Br\ufffdcke 1 reopens")  # utf-16 means UTF-8


@pytest.mark.parametrize(
    "date",
    ["Fri, 01 Jan 2999 10:00:00 GMT", "Mon, 01 Jan 1850 10:00:00 GMT", "9999-12-31T23:59:59-12:00"],
)
def test_an_entry_date_out_of_range_leaves_it_undated(
    tmp_path: Path, settings: Settings, date: str
) -> None:
    path = tmp_path / "news.rss"
    path.write_bytes(rss(full(1).replace("Fri, 17 Oct 2025 01:30:00 GMT", date)))
    (raw,) = _read_file(path, settings)
    assert isinstance(raw, RawArticle), raw
    assert raw.published is None
    assert any("kept undated" in w for w in raw.warnings), raw.warnings


def test_an_entry_date_that_is_no_date_leaves_it_undated_without_a_warning_raised(
    tmp_path: Path, settings: Settings
) -> None:
    """feedparser's fallback from an entry's missing update date to its publication date
    warns (DeprecationWarning, an error under -W error, as in the tests): never asked for."""
    path = tmp_path / "news.rss"
    path.write_bytes(rss(full(1).replace("Fri, 17 Oct 2025 01:30:00 GMT", "now")))
    (raw,) = _read_file(path, settings)
    assert isinstance(raw, RawArticle), raw
    assert raw.published is None


def test_markup_the_html_parser_gives_up_on_still_gives_text() -> None:
    """HTMLParser asserts on an unknown marked section ("<![foo["): the tags are dropped."""
    text = html_to_text("<p>Bridge <![foo[ x ]]> reopens &amp; <b>more</b></p><p>Second</p>")
    assert text == "Bridge\nreopens &\nmore\nSecond"
