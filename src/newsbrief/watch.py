"""Watching feeds: each poll fetches every feed with a conditional GET, ingests only the entries
the store has not seen from that feed before, and remembers them, so that a restart goes on
where the last run stopped."""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from newsbrief import nlp, pipeline
from newsbrief.errors import (
    AddressRefused,
    BadURL,
    FetchError,
    HTTPStatusError,
    InputError,
    ResponseTooLarge,
    RobotsDisallowed,
    StoreError,
    TooManyRedirects,
    UnexpectedContent,
)
from newsbrief.fetch import FEED, Fetcher
from newsbrief.ingest.feed import Entry, entry_article, entry_origin, parse_feed
from newsbrief.ingest.meta import Metadata
from newsbrief.records import RawArticle, Rejected, content_id
from newsbrief.settings import Settings
from newsbrief.store import Store

_DURATION = re.compile(r"(\d+(?:\.\d+)?)([smhd])")
_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_duration(text: str) -> float:
    """Seconds in "30s", "10m", "1h" or "1h30m"; a ValueError says what was expected."""
    given = text.strip().lower()
    parts = _DURATION.findall(given)
    if not given or "".join(n + u for n, u in parts) != given:
        raise ValueError(f"expected a duration such as 30s, 10m, 1h or 1h30m, found {text!r}")
    seconds = sum(float(n) * _UNITS[u] for n, u in parts)
    if seconds <= 0:
        raise ValueError(f"expected a duration above zero, found {text!r}")
    return seconds


@dataclass(slots=True)
class FeedPoll:
    """What one poll of one feed did."""

    url: str
    new: int = 0
    not_modified: bool = False
    error: str | None = None  # the feed itself could not be read
    report: pipeline.IngestReport = field(default_factory=pipeline.IngestReport)
    briefs: int = 0  # brief versions kept for the followed stories the poll added to

    @property
    def failed(self) -> int:
        return self.report.failed + (1 if self.error else 0)

    def line(self) -> str:
        if self.error:
            return f"{self.url}: failed: {self.error}"
        if self.not_modified:
            return f"{self.url}: not modified"
        r = self.report
        line = f"{self.url}: {self.new} new, {r.ingested} ingested, {r.failed} failed"
        line += f", {r.present} already present" if r.present else ""
        return line + (f", {self.briefs} brief version(s) kept" if self.briefs else "")


def entry_key(entry: Entry) -> str:
    """What identifies an entry across polls: its id, else its link, else its content."""
    return entry.key or "content:" + content_id(entry.title or "", entry.content)


def poll_feed(
    url: str, *, store: Store, settings: Settings, fetcher: Fetcher, meta: Metadata
) -> FeedPoll:
    """One poll of the feed at ``url``:
    1. a conditional GET with the validators (ETag, Last-Modified) of the last poll — or a
       plain GET while an entry waits to be tried again;
    2. 304: nothing new;
    3. the entries the store has not seen from this feed, and those waiting to be tried
       again, are the new ones;
    4. each new entry is read (its own content or its link), ingested, then remembered with
       what became of it: an entry that failed for a passing reason (a timeout, a network
       error, HTTP 5xx, 408 or 429: see is_transient) is tried again at the next polls, up to
       MAX_ENTRY_ATTEMPTS in all; any other is settled, so that a broken entry is reported
       once, not at every poll;
    5. the briefs of the followed stories they joined are rebuilt, once per poll, and kept
       when they changed (setting keep_briefs; pipeline.update_briefs);
    6. the validators are stored last: a poll cut short is done again in full next time."""
    poll = FeedPoll(url=url)
    state = store.feed_state(url)
    etag = state.etag if state else None
    last_modified = state.last_modified if state else None
    retrying = store.retries_pending(url)
    try:
        # 1. conditional GET
        fetched = fetcher.fetch(
            url,
            accept=(FEED,),
            etag=None if retrying else etag,
            last_modified=None if retrying else last_modified,
        )
        # 2. not modified
        if fetched.not_modified:
            poll.not_modified = True
            store.save_feed(
                url,
                etag=fetched.etag or etag,
                last_modified=fetched.last_modified or last_modified,
                status="not modified",
            )
            return poll
        feed = parse_feed(fetched.body, origin=url, base=fetched.url)
    except InputError as exc:
        poll.error = str(exc)
        store.save_feed(url, etag=etag, last_modified=last_modified, status=f"failed: {exc}")
        return poll
    if feed.warning:
        poll.report.warnings.append(feed.warning)
    # 3. new entries (an entry listed twice in one feed counts once)
    keyed = {entry_key(e): (i, e) for i, e in reversed(list(enumerate(feed.entries)))}
    known = store.feed_entries(url, list(keyed))
    new = sorted(
        (i, key, e) for key, (i, e) in keyed.items() if key not in known or not known[key].done
    )
    poll.new = len(new)
    # 4. read, ingest, remember
    for index, key, entry in new:
        where = entry_origin(entry, index, url)
        item: RawArticle | Rejected
        error: InputError | None = None
        try:
            item = entry_article(
                entry, feed, origin=where, meta=meta, settings=settings, fetcher=fetcher
            )
        except InputError as exc:
            item, error = Rejected(origin=where, stage="read", reason=str(exc)), exc
        one = pipeline.ingest([item], store, settings)
        _add(poll.report, one)
        attempts = known[key].attempts + 1 if key in known else 1
        retry = error is not None and is_transient(error) and attempts < MAX_ENTRY_ATTEMPTS
        store.add_feed_entry(
            url,
            key,
            article_id=one.article_ids[0] if one.article_ids else None,
            error=one.rejected[0].reason if one.rejected else None,
            done=not retry,
        )
    # 5. briefs of followed stories
    if settings.keep_briefs and poll.report.stories:
        encoder = nlp.load_encoder(settings)
        kept = pipeline.update_briefs(
            store, poll.report.stories, encoder, on_failed=poll.report.rejected.append
        )
        poll.briefs = len(kept)
    # 6. validators
    store.save_feed(url, etag=fetched.etag, last_modified=fetched.last_modified, status=poll.line())
    return poll


# An entry that failed for a passing reason is tried at this many polls in all (one each):
# enough to ride out a site's bad hour at the usual 10-minute period, few enough that a link
# that is dead for good stops being asked.
MAX_ENTRY_ATTEMPTS = 5
# HTTP statuses that say "not now" rather than "never": timeout, too many requests, and the
# server's own errors (5xx).
TRANSIENT_STATUSES = frozenset({408, 425, 429})


def is_transient(error: InputError) -> bool:
    """Whether fetching may succeed if tried again later: a timeout, a network or DNS failure,
    HTTP 5xx, 408, 425 or 429. A refused address, a bad URL, robots.txt, a type or size we do
    not take, too many redirects, another 4xx, and anything wrong with the content are not."""
    if isinstance(error, HTTPStatusError):
        return error.status >= 500 or error.status in TRANSIENT_STATUSES
    permanent = (
        AddressRefused,
        BadURL,
        RobotsDisallowed,
        ResponseTooLarge,
        TooManyRedirects,
        UnexpectedContent,
    )
    return isinstance(error, FetchError) and not isinstance(error, permanent)


def _add(total: pipeline.IngestReport, one: pipeline.IngestReport) -> None:
    total.ingested += one.ingested
    total.present += one.present
    total.rejected.extend(one.rejected)
    total.skipped.update(one.skipped)
    total.warnings.extend(one.warnings)
    total.article_ids.extend(one.article_ids)
    total.stories.extend(s for s in one.stories if s not in total.stories)


@dataclass(slots=True)
class WatchResult:
    polls: int = 0
    failed: int = 0
    interrupted: bool = False


def watch(
    urls: Sequence[str],
    *,
    store: Store,
    settings: Settings,
    every: float,
    polls: int | None = None,
    meta: Metadata | None = None,
    on_poll: Callable[[FeedPoll], None] = lambda poll: None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> WatchResult:
    """Poll every feed of ``urls`` each ``every`` seconds (from the start of one round to the
    start of the next), ``polls`` rounds or until interrupted (Ctrl-C ends the wait or the
    poll under way; what was stored stays stored, whole)."""
    result = WatchResult()
    with Fetcher(settings) as fetcher:
        try:
            while polls is None or result.polls < polls:
                started = clock()
                for url in urls:
                    try:
                        poll = poll_feed(
                            url,
                            store=store,
                            settings=settings,
                            fetcher=fetcher,
                            meta=meta or Metadata(),
                        )
                    except StoreError as exc:  # a store locked too long: the next poll retries
                        poll = FeedPoll(url=url, error=str(exc))
                    result.failed += poll.failed
                    on_poll(poll)
                result.polls += 1
                if polls is None or result.polls < polls:
                    sleep(max(0.0, every - (clock() - started)))
        except KeyboardInterrupt:
            result.interrupted = True
    return result
