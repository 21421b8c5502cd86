"""The fetcher against a local server: limits, robots.txt, redirects, address checks, politeness."""

from __future__ import annotations

import gzip
import time
from dataclasses import fields
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from http_server import LocalServer
from newsbrief.cli import app
from newsbrief.errors import (
    AddressRefused,
    FetchError,
    FetchTimeout,
    HTTPStatusError,
    ResponseTooLarge,
    RobotsDisallowed,
    TooManyRedirects,
    UnexpectedContent,
)
from newsbrief.fetch import (
    FEED,
    HTML,
    Fetcher,
    HostClock,
    address_problem,
    checked_addresses,
)
from newsbrief.settings import CONFIG_ENV, ENV_PREFIX, Settings
from newsbrief.store import Store
from test_feed import page

PAGE = b"<html><head><title>T</title></head><body><p>Hello.</p></body></html>"


def _fails(url: str, error: type[Exception], match: str, settings: Settings, **kw: object) -> None:
    """Fetching ``url`` raises ``error`` with a message matching ``match``."""
    with _fetcher(settings, **kw) as fetcher, pytest.raises(error, match=match):
        fetcher.fetch(url, accept=(HTML, FEED))


def _fetcher(settings: Settings, **kwargs: object) -> Fetcher:
    return Fetcher(settings, hosts=HostClock(), **kwargs)  # type: ignore[arg-type]


def test_fetches_a_page_with_an_honest_user_agent(server: LocalServer, web: Settings) -> None:
    server.route("/a", body=PAGE)
    with _fetcher(web) as fetcher:
        fetched = fetcher.fetch(server.url("/a"))
    assert fetched.body == PAGE
    assert (fetched.status, fetched.content_type, fetched.charset) == (200, "text/html", "utf-8")
    request = server.requests[-1]
    assert request.headers["User-Agent"].startswith("newsbrief/")
    assert server.paths() == ["/robots.txt", "/a"]  # a missing robots.txt allows everything


def test_gzip_body_is_decoded(server: LocalServer, web: Settings) -> None:
    server.gzip_route("/z", PAGE)
    with _fetcher(web) as fetcher:
        assert fetcher.fetch(server.url("/z")).body == PAGE


def test_robots_disallow_is_respected_and_cached(server: LocalServer, web: Settings) -> None:
    robots = b"User-agent: newsbrief\nDisallow: /private\n\nUser-agent: *\nDisallow: /\n"
    server.route("/robots.txt", body=robots, content_type="text/plain")
    server.route("/private/a", body=PAGE)
    server.route("/public", body=PAGE)
    with _fetcher(web) as fetcher:
        with pytest.raises(RobotsDisallowed, match=r"/private/a: disallowed by .*robots.txt"):
            fetcher.fetch(server.url("/private/a"))
        assert fetcher.fetch(server.url("/public")).body == PAGE  # robots.txt read once
    assert server.paths() == ["/robots.txt", "/public"]
    with _fetcher(web.replace(respect_robots=False)) as fetcher:
        assert fetcher.fetch(server.url("/private/a")).body == PAGE


def test_robots_server_error_disallows_everything(server: LocalServer, web: Settings) -> None:
    server.route("/robots.txt", status=503, body=b"down")
    server.route("/a", body=PAGE)
    with _fetcher(web) as fetcher, pytest.raises(RobotsDisallowed, match="HTTP 503"):
        fetcher.fetch(server.url("/a"))


def test_404_is_an_http_error(server: LocalServer, web: Settings) -> None:
    with _fetcher(web) as fetcher, pytest.raises(HTTPStatusError, match=r"/gone: HTTP 404"):
        fetcher.fetch(server.url("/gone"))


def test_redirects_are_followed_by_hand(server: LocalServer, web: Settings) -> None:
    server.redirect("/old", "/new", status=301)
    server.route("/new", body=PAGE)
    with _fetcher(web) as fetcher:
        fetched = fetcher.fetch(server.url("/old"))
    assert fetched.url == server.url("/new")
    assert server.paths() == ["/robots.txt", "/old", "/new"]


def test_redirect_loop_stops_at_the_limit(server: LocalServer, web: Settings) -> None:
    server.redirect("/a", "/b")
    server.redirect("/b", "/a")
    with (
        _fetcher(web) as fetcher,
        pytest.raises(TooManyRedirects, match=r"too many redirects \(5\)"),
    ):
        fetcher.fetch(server.url("/a"))
    assert server.paths().count("/a") + server.paths().count("/b") == 6  # the first + 5 hops


def test_every_hop_is_resolved_and_checked(server: LocalServer, web: Settings) -> None:
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    port = server.port
    server.redirect("/a", f"http://second.example:{port}/b")
    server.route("/b", body=PAGE)
    with _fetcher(web.replace(respect_robots=False), resolve=resolve) as fetcher:
        fetched = fetcher.fetch(f"http://first.example:{port}/a")
    assert fetched.body == PAGE
    assert asked == ["first.example", "second.example"]
    # the connection went to the checked address, the request still names the host
    assert server.requests[-1].headers["Host"] == f"second.example:{port}"


def test_slow_server_times_out(server: LocalServer, web: Settings) -> None:
    server.route("/slow", body=PAGE, delay=3.0)
    started = time.monotonic()
    _fails(
        server.url("/slow"),
        FetchTimeout,
        r"/slow: timed out after 0.5 s reading",
        web.replace(respect_robots=False),
    )
    assert time.monotonic() - started < 2.5


def test_announced_size_above_the_cap_is_refused_before_reading(
    server: LocalServer, web: Settings
) -> None:
    server.route("/huge", body=b"x" * 300_000)
    _fails(
        server.url("/huge"),
        ResponseTooLarge,
        r"announces 300,000 bytes.*cap of 100,000",
        web.replace(max_response_bytes=100_000),
    )


def test_streamed_body_above_the_cap_is_cut(server: LocalServer, web: Settings) -> None:
    server.route("/huge", body=b"x" * 300_000, chunked=True)
    _fails(
        server.url("/huge"),
        ResponseTooLarge,
        r"more than the cap of 100,000 bytes",
        web.replace(max_response_bytes=100_000),
    )


def test_gzip_bomb_stops_at_the_cap(server: LocalServer, web: Settings) -> None:
    bomb = b"\0" * 5_000_000
    server.gzip_route("/bomb", bomb)
    assert len(gzip.compress(bomb)) < 10_000  # small on the wire, large decoded
    _fails(
        server.url("/bomb"),
        ResponseTooLarge,
        r"/bomb: more than the cap of 100,000",
        web.replace(max_response_bytes=100_000),
    )


def test_content_type_is_checked(server: LocalServer, web: Settings) -> None:
    server.route("/img", body=b"\x89PNG\r\n\x1a\n", content_type="image/png")
    _fails(server.url("/img"), UnexpectedContent, r"expected HTML or a feed, found image/png", web)


def test_loopback_is_refused_without_allow_private(server: LocalServer, web: Settings) -> None:
    server.route("/a", body=PAGE)
    _fails(
        server.url("/a"),
        AddressRefused,
        r"^http://127.0.0.1:\d+/a: refused: 127.0.0.1 is a loopback address "
        r"\(use --allow-private\)$",
        web.replace(allow_private=False),
    )
    _fails(
        server.url("/a"),
        AddressRefused,
        r"/a: refused: 127.0.0.1 is a loopback",
        web.replace(allow_private=False, respect_robots=False),
    )
    assert server.requests == []  # nothing reached the server


def test_a_name_resolving_to_loopback_is_refused(server: LocalServer, web: Settings) -> None:
    settings = web.replace(allow_private=False, respect_robots=False)
    _fails(
        f"http://news.example:{server.port}/a",
        AddressRefused,
        r"news.example resolves to 127.0.0.1, a loopback",
        settings,
        resolve=lambda host, port: ["127.0.0.1"],
    )
    assert server.requests == []


def test_only_http_and_https(web: Settings) -> None:
    with _fetcher(web) as fetcher, pytest.raises(AddressRefused, match="expected an http or https"):
        fetcher.fetch("ftp://127.0.0.1/file")


def test_connection_refused_is_a_fetch_error(web: Settings) -> None:
    with LocalServer() as closed:
        port = closed.port
    _fails(
        f"http://127.0.0.1:{port}/a",
        FetchError,
        "cannot connect",
        web.replace(respect_robots=False),
    )


def test_conditional_get(server: LocalServer, web: Settings) -> None:
    server.route("/feed", body=b"<rss/>", content_type="application/rss+xml", etag='"v1"')
    with _fetcher(web.replace(respect_robots=False)) as fetcher:
        first = fetcher.fetch(server.url("/feed"), accept=(FEED,))
        assert (first.status, first.etag) == (200, '"v1"')
        again = fetcher.fetch(
            server.url("/feed"),
            accept=(FEED,),
            etag='"v1"',
            last_modified="Sat, 21 Nov 2026 10:00:00 GMT",
        )
    assert again.not_modified and again.body == b""
    headers = server.requests[-1].headers
    assert headers["If-None-Match"] == '"v1"'
    assert headers["If-Modified-Since"] == "Sat, 21 Nov 2026 10:00:00 GMT"


def _fake_clock(start: float) -> tuple[HostClock, list[float], list[float]]:
    """A HostClock on a fake clock: (clock, [now], the sleeps it asked for); sleeping advances
    the clock instead of waiting."""
    now = [start]
    slept: list[float] = []

    def sleep(seconds: float) -> None:
        slept.append(seconds)
        now[0] += seconds

    return HostClock(clock=lambda: now[0], sleep=sleep), now, slept


def test_per_host_delay(server: LocalServer, web: Settings) -> None:
    hosts, now, slept = _fake_clock(100.0)
    server.route("/a", body=PAGE)
    settings = web.replace(per_host_delay=2.0, respect_robots=False)
    resolve = lambda host, port: ["127.0.0.1"]  # noqa: E731  # a one-line fake
    with Fetcher(settings, hosts=hosts, resolve=resolve) as fetcher:
        fetcher.fetch(server.url("/a"))
        assert slept == []
        now[0] += 0.5
        fetcher.fetch(server.url("/a"))  # the same host 0.5 s later waits 1.5 s
        assert slept == [1.5]
        fetcher.fetch(f"http://other.example:{server.port}/a")  # another host does not wait
        assert slept == [1.5]


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("10.1.2.3", "a private"),
        ("172.16.0.1", "a private"),
        ("192.168.1.1", "a private"),
        ("169.254.169.254", "a link-local"),
        ("127.0.0.1", "a loopback"),
        ("::1", "a loopback"),
        ("fe80::1", "a link-local"),
        ("224.0.0.1", "a multicast"),
        ("ff02::1", "a multicast"),
        ("0.0.0.0", "an unspecified"),
        ("::", "an unspecified"),
        ("::ffff:127.0.0.1", "a loopback"),
        ("240.0.0.1", "a reserved"),
        ("100.64.0.1", "not a public"),
    ],
)
def test_non_public_addresses(address: str, kind: str) -> None:
    assert address_problem(address) == f"{kind} address"


@pytest.mark.parametrize("address", ["93.184.216.34", "2606:2800:220:1:248:1893:25c8:1946"])
def test_public_addresses(address: str) -> None:
    assert address_problem(address) is None


def test_checked_addresses_needs_every_address_public() -> None:
    def public(host: str, port: int) -> list[str]:
        return ["93.184.216.34"]

    assert checked_addresses("example.com", 443, resolve=public, allow_private=False) == [
        "93.184.216.34"
    ]

    def mixed(host: str, port: int) -> list[str]:
        return ["93.184.216.34", "10.0.0.7"]

    with pytest.raises(AddressRefused, match=r"example.com resolves to 10.0.0.7, a private"):
        checked_addresses("example.com", 443, resolve=mixed, allow_private=False)
    assert checked_addresses("example.com", 443, resolve=mixed, allow_private=True)


def test_fetchers_sharing_a_host_clock_keep_the_delay(server: LocalServer, web: Settings) -> None:
    """Two fetchers of one process (two URL inputs of a run) still space their requests."""
    hosts, _, slept = _fake_clock(0.0)
    server.route("/a", body=PAGE)
    settings = web.replace(per_host_delay=1.0, respect_robots=False)
    for _ in range(2):
        with Fetcher(settings, hosts=hosts) as fetcher:
            fetcher.fetch(server.url("/a"))
    assert slept == [1.0]


# --- the command: every bad input reported, the run goes on ----------------------------------
def test_cli_reports_every_bad_url(server: LocalServer, tmp_path: Path) -> None:
    server.route("/good", body=page(1))
    broken = b"<rss version='2.0'><channel><title>Broken</title></chanel></rss>"
    server.route("/feed", body=broken, content_type="text/xml")
    server.redirect("/loop-a", "/loop-b")
    server.redirect("/loop-b", "/loop-a")
    server.route("/slow", body=PAGE, delay=3.0)
    server.route("/huge", body=b"x" * 300_000, chunked=True)
    server.route("/photo", body=b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 40)
    server.gzip_route("/bomb", b"\0" * 5_000_000)
    env = {ENV_PREFIX + f.name.upper(): None for f in fields(Settings)} | {
        CONFIG_ENV: None,
        "COLUMNS": "300",
        "NEWSBRIEF_PER_HOST_DELAY": "0",
        "NEWSBRIEF_FETCH_READ_TIMEOUT": "0.5",
        "NEWSBRIEF_MAX_RESPONSE_BYTES": "100000",
    }
    db = str(tmp_path / "t.db")
    bad = {
        "/feed": "/feed: expected an RSS or Atom feed, found malformed XML",
        "/missing": "/missing: HTTP 404 Not Found",
        "/loop-a": "/loop-a: too many redirects (5)",
        "/slow": "/slow: timed out after 0.5 s reading",
        "/huge": "/huge: more than the cap of 100,000 bytes (setting max_response_bytes)",
        "/photo": "/photo: expected an HTML page, found binary data",
        "/bomb": "/bomb: more than the cap of 100,000 bytes",
    }
    urls = [server.url(p) for p in ["/good", *bad]]
    result = CliRunner(env=env).invoke(app, ["ingest", *urls, "--db", db, "--allow-private"])
    assert result.exit_code == 1, result.output
    assert "1 ingested, 0 already present, 7 failed" in result.stdout
    failures = [line for line in result.stderr.splitlines() if line.startswith("failed:")]
    assert len(failures) == 7
    for failure, reason in zip(failures, bad.values(), strict=True):
        assert reason in failure
    with Store.open(db, readonly=True) as store:  # nothing half-written
        assert [row.url for row in store.list_articles()] == [server.url("/good")]

    # without --allow-private, a URL to 127.0.0.1 is refused, the run goes on
    seeds = Path(__file__).parent / "fixtures" / "seeds"
    result = CliRunner(env=env).invoke(app, ["ingest", server.url("/good"), str(seeds), "--db", db])
    assert result.exit_code == 1, result.output
    assert (
        f"failed: {server.url('/good')}: refused: 127.0.0.1 is a loopback address "
        "(use --allow-private)"
    ) in result.stderr
    assert "2 ingested, 0 already present, 1 failed" in result.stdout


def test_dns_rebinding_is_caught_at_connect(server: LocalServer, web: Settings) -> None:
    """The name checks out as public, then resolves to loopback when the connection opens: the
    transport checks again and refuses, so nothing reaches the server."""
    answers = iter([["93.184.216.34"], ["127.0.0.1"]])
    settings = web.replace(allow_private=False, respect_robots=False)
    _fails(
        f"http://rebind.example:{server.port}/a",
        AddressRefused,
        r"/a: refused: rebind.example resolves to 127.0.0.1, a loopback address",
        settings,
        resolve=lambda host, port: next(answers),
    )
    assert server.requests == []


def test_a_redirect_to_an_unusable_url_is_a_fetch_error(
    server: LocalServer, web: Settings, tmp_path: Path
) -> None:
    """A public site may redirect to javascript: (httpx refuses to build the next request):
    a FetchError for that URL, never an exception out of ingest."""
    server.redirect("/js", "javascript:alert(1)")
    server.route("/good", body=page(1))
    _fails(
        server.url("/js"),
        FetchError,
        r"/js: the server redirected to an unusable URL",
        web.replace(respect_robots=False),
    )
    env = {ENV_PREFIX + f.name.upper(): None for f in fields(Settings)} | {
        CONFIG_ENV: None,
        "NEWSBRIEF_PER_HOST_DELAY": "0",
    }
    urls = [server.url("/js"), server.url("/good")]
    db = str(tmp_path / "t.db")
    result = CliRunner(env=env).invoke(app, ["ingest", *urls, "--db", db, "--allow-private"])
    assert result.exit_code == 1, result.output
    assert "1 ingested, 0 already present, 1 failed" in result.stdout
    assert "redirected to an unusable URL" in result.stderr


def test_a_dripping_body_stops_at_the_deadline(server: LocalServer, web: Settings) -> None:
    """A server sending a few bytes a second never trips the read timeout; the body deadline
    (BODY_DEADLINE_FACTOR read timeouts) stops it, checked at every read."""

    def drip(handler: Any) -> None:
        handler.send_response(200)
        handler.send_header("Content-Type", "text/html")
        handler.send_header("Content-Length", "100000")
        handler.end_headers()
        stop = time.monotonic() + 5  # bounded, should the deadline fail to stop the client
        while time.monotonic() < stop and not server.closing.wait(0.05):
            handler.wfile.write(b"<p>x")
            handler.wfile.flush()

    server.route("/drip", handler=drip)
    settings = web.replace(respect_robots=False)  # read timeout 0.5 s: a deadline of 1.5 s
    started = time.monotonic()
    _fails(server.url("/drip"), FetchTimeout, r"/drip: timed out after 1.5 s reading", settings)
    assert time.monotonic() - started < 2.5
