"""Watching feeds: conditional GET, entries remembered across runs, only new entries ingested."""

from __future__ import annotations

from dataclasses import fields
from pathlib import Path

import pytest
from typer.testing import CliRunner

from http_server import LocalServer
from newsbrief import pipeline
from newsbrief.brief import versions
from newsbrief.cli import app
from newsbrief.settings import CONFIG_ENV, ENV_PREFIX, Settings
from newsbrief.store import Store
from newsbrief.watch import MAX_ENTRY_ATTEMPTS, FeedPoll, parse_duration, watch
from test_feed import full, item, page, rss

LAST_MODIFIED = "Fri, 17 Oct 2025 10:00:00 GMT"


def _run(urls: list[str], settings: Settings, polls: int = 1) -> list[FeedPoll]:
    """One run of watch on a freshly opened store (a restart, as far as the store can tell)."""
    seen: list[FeedPoll] = []
    with Store.open(settings.db) as store:
        watch(urls, store=store, settings=settings, every=0.0, polls=polls, on_poll=seen.append)
    return seen


@pytest.mark.parametrize(
    ("text", "seconds"), [("30s", 30), ("10m", 600), ("1h", 3600), ("1h30m", 5400), ("0.5s", 0.5)]
)
def test_parse_duration(text: str, seconds: float) -> None:
    assert parse_duration(text) == seconds


@pytest.mark.parametrize("text", ["", "10", "ten", "5x", "10m 5", "-1m"])
def test_bad_durations(text: str) -> None:
    with pytest.raises(ValueError, match="expected a duration such as 30s, 10m, 1h or 1h30m"):
        parse_duration(text)


def test_zero_duration() -> None:
    with pytest.raises(ValueError, match="expected a duration above zero, found '0s'"):
        parse_duration("0s")


def test_watch_remembers_entries_across_runs(server: LocalServer, web: Settings) -> None:
    feed = server.route(
        "/feed",
        body=rss(full(1), full(2)),
        content_type="application/rss+xml",
        etag='"v1"',
        headers={"Last-Modified": LAST_MODIFIED},
    )
    url = server.url("/feed")
    (first,) = _run([url], web)
    assert first.line() == f"{url}: 2 new, 2 ingested, 0 failed"
    assert "If-None-Match" not in server.requests[-1].headers

    (second,) = _run([url], web)  # a restart: the validators come from the store
    assert second.line() == f"{url}: not modified"
    assert server.requests[-1].headers["If-None-Match"] == '"v1"'
    assert server.requests[-1].headers["If-Modified-Since"] == LAST_MODIFIED

    feed.body, feed.etag = rss(full(3), full(1), full(2)), '"v2"'
    (third,) = _run([url], web)
    assert third.line() == f"{url}: 1 new, 1 ingested, 0 failed"

    feed.etag = None  # a server without validators: entries are still remembered
    (fourth,) = _run([url], web)
    assert fourth.line() == f"{url}: 0 new, 0 ingested, 0 failed"
    with Store.open(web.db, readonly=True) as store:
        assert store.count() == 3
        state = store.feed_state(url)
    assert state is not None and state.status == fourth.line()


def test_failed_entries_and_feeds_are_reported(server: LocalServer, web: Settings) -> None:
    server.route("/story/1", body=page(1))
    server.route(
        "/feed",
        body=rss(item(1, link=server.url("/story/1")), item(2, link=server.url("/gone"))),
        content_type="application/rss+xml",
    )
    server.route("/broken", body=b"<rss><channel></chanel>", content_type="application/rss+xml")
    server.route("/photo", body=b"\x89PNG", content_type="image/png")
    polls = _run([server.url("/feed"), server.url("/broken"), server.url("/photo")], web)
    feed, broken, photo = polls
    assert feed.line() == f"{server.url('/feed')}: 2 new, 1 ingested, 1 failed"
    assert [r.reason for r in feed.report.rejected] == [
        f"{server.url('/gone')}: HTTP 404 Not Found"
    ]
    assert broken.failed == 1 and "expected an RSS or Atom feed" in broken.line()
    assert photo.line() == f"{server.url('/photo')}: failed: {server.url('/photo')}: " + (
        "expected a feed, found image/png"
    )
    # a failed entry is remembered too: reported once, not at every poll
    (again, *_) = _run([server.url("/feed")], web)
    assert again.line() == f"{server.url('/feed')}: 0 new, 0 ingested, 0 failed"


def test_an_entry_that_failed_for_a_passing_reason_is_tried_again(
    server: LocalServer, web: Settings
) -> None:
    """A 503 is tried again at the next polls (with a plain GET, though the feed did not
    change), a 404 is not; an entry that keeps failing is settled after MAX_ENTRY_ATTEMPTS."""
    story = server.route("/story/1", status=503, body=b"busy")
    server.route("/story/3", status=503, body=b"busy")
    server.route(
        "/feed",
        body=rss(
            item(1, link=server.url("/story/1")),
            item(2, link=server.url("/gone")),
            item(3, link=server.url("/story/3")),
        ),
        content_type="application/rss+xml",
        etag='"v1"',
    )
    url = server.url("/feed")
    (first,) = _run([url], web)
    assert first.line() == f"{url}: 3 new, 0 ingested, 3 failed"
    story.status, story.body = 200, page(1)
    (second,) = _run([url], web)  # a restart: what waits is known from the store
    assert "If-None-Match" not in server.requests[-3].headers  # the feed asked again in full
    assert second.line() == f"{url}: 2 new, 1 ingested, 1 failed"
    for _ in range(MAX_ENTRY_ATTEMPTS - 2):
        (again,) = _run([url], web)
        assert again.line() == f"{url}: 1 new, 0 ingested, 1 failed"
    (settled,) = _run([url], web)  # /story/3 failed MAX_ENTRY_ATTEMPTS times: settled
    assert settled.line() == f"{url}: not modified"
    with Store.open(web.db, readonly=True) as store:
        entries = store.feed_entries(url, ["urn:bridge:1", "urn:bridge:2", "urn:bridge:3"])
    assert [(e.attempts, e.done, e.article_id is not None) for e in entries.values()] == [
        (2, True, True),
        (1, True, False),
        (MAX_ENTRY_ATTEMPTS, True, False),
    ]
    assert (
        entries["urn:bridge:3"].error == f"{server.url('/story/3')}: HTTP 503 Service Unavailable"
    )


def test_an_entry_redirected_to_javascript_is_reported_once(
    server: LocalServer, web: Settings
) -> None:
    """A public site can redirect an entry's link anywhere: the entry fails and is remembered,
    and watch goes on (it used to crash, and crash again at every restart)."""
    server.redirect("/story/1", "javascript:alert(1)")
    server.route(
        "/feed", body=rss(item(1, link=server.url("/story/1")), full(2)),
        content_type="application/rss+xml",
    )  # fmt: skip
    url = server.url("/feed")
    (first,) = _run([url], web)
    assert first.line() == f"{url}: 2 new, 1 ingested, 1 failed"
    assert "redirected to an unusable URL" in first.report.rejected[0].reason
    (second,) = _run([url], web)
    assert second.line() == f"{url}: 0 new, 0 ingested, 0 failed"


def test_ctrl_c_stops_cleanly(server: LocalServer, web: Settings) -> None:
    server.route("/feed", body=rss(full(1)), content_type="application/rss+xml")

    def interrupted(seconds: float) -> None:
        raise KeyboardInterrupt

    with Store.open(web.db) as store:
        result = watch(
            [server.url("/feed")], store=store, settings=web, every=600.0, sleep=interrupted
        )
        assert (result.polls, result.interrupted, store.count()) == (1, True, 1)


# --- the command -----------------------------------------------------------------------------
CLEAN_ENV = {ENV_PREFIX + f.name.upper(): None for f in fields(Settings)} | {
    CONFIG_ENV: None,
    "COLUMNS": "300",
    "NEWSBRIEF_PER_HOST_DELAY": "0",
    "NEWSBRIEF_FETCH_READ_TIMEOUT": "0.5",
}


def test_watch_command(server: LocalServer, tmp_path: Path) -> None:
    server.route("/feed", body=rss(full(1)), content_type="application/rss+xml", etag='"v1"')
    runner = CliRunner(env=CLEAN_ENV)
    db = str(tmp_path / "w.db")
    url = server.url("/feed")
    result = runner.invoke(app, ["watch", url, "--db", db, "--polls", "2", "--every", "0.1s"])
    assert result.exit_code == 1, result.output  # refused: 127.0.0.1 without --allow-private
    assert "refused: 127.0.0.1 is a loopback address (use --allow-private)" in result.stdout
    args = ["watch", url, "--db", db, "--allow-private"]
    result = runner.invoke(app, [*args, "--polls", "2", "--every", "0.1s"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        f"{url}: 1 new, 1 ingested, 0 failed",
        f"{url}: not modified",
    ]
    result = runner.invoke(app, [*args, "--once"])
    assert (result.exit_code, result.stdout.strip()) == (0, f"{url}: not modified")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["http://127.0.0.1/feed", "--every", "soon"], "--every expected a duration"),
        (["feed.xml"], "watch expects feed URLs (http:// or https://), found 'feed.xml'"),
    ],
)
def test_watch_usage_errors(args: list[str], message: str, tmp_path: Path) -> None:
    result = CliRunner(env=CLEAN_ENV).invoke(app, ["watch", *args, "--db", str(tmp_path / "w.db")])
    assert result.exit_code == 2
    assert message in result.stderr


def _seed_item(path: Path, n: int) -> str:
    """A feed entry carrying a seed article's full text."""
    headline, _, body = path.read_text("utf-8").partition("\n")
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n") if p.strip())
    return (
        f"<item><title>{headline}</title><guid>urn:seed:{n}</guid>"
        f"<pubDate>Fri, 17 Oct 2025 0{n}:30:00 GMT</pubDate>"
        f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded></item>"
    )


def test_a_poll_keeps_the_brief_of_a_followed_story_it_adds_to(
    server: LocalServer, web: Settings, seeds: Path
) -> None:
    first, second = sorted(seeds.glob("*.txt"))
    feed = server.route("/feed", body=rss(_seed_item(first, 1)), content_type="application/rss+xml")
    url = server.url("/feed")
    (poll,) = _run([url], web)
    assert poll.briefs == 0  # nobody briefed the story yet
    with Store.open(web.db) as store:
        (story,) = [row.id for row in store.list_stories()]
        pipeline.brief_story(store, story)
    feed.body = rss(_seed_item(first, 1), _seed_item(second, 2))
    (poll,) = _run([url], web)
    assert poll.briefs == 1
    assert poll.line() == f"{url}: 1 new, 1 ingested, 0 failed, 1 brief version(s) kept"
    with Store.open(web.db, readonly=True) as store:
        assert [len(v.article_ids) for v in versions.every(store, story)] == [1, 2]
