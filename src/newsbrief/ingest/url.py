"""Reader for URLs: an article page or a feed, fetched under the rules of :mod:`newsbrief.fetch`."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from newsbrief.fetch import FEED, HTML, Fetched, Fetcher
from newsbrief.ingest.feed import looks_like_feed, read_feed
from newsbrief.ingest.html import read_html
from newsbrief.ingest.meta import Metadata
from newsbrief.records import RawArticle, Rejected, Skipped
from newsbrief.settings import Settings

# Types that only feeds use; a generic XML or HTML type is decided by the body's first element.
FEED_ONLY_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/x-rss+xml",
        "application/x-atom+xml",
    }
)


def is_feed(fetched: Fetched) -> bool:
    return fetched.content_type in FEED_ONLY_TYPES or looks_like_feed(fetched.body)


def read_url(
    url: str, *, meta: Metadata, settings: Settings, fetcher: Fetcher | None = None
) -> Iterator[RawArticle | Rejected | Skipped]:
    """The articles at ``url``:
    1. fetch it (HTML or a feed accepted);
    2. a feed, by its content type or its first element, gives one article per entry;
    3. a page gives its article, its URL the one the redirects ended at (unless the user gave
       one)."""
    with contextlib.ExitStack() as stack:
        if fetcher is None:
            fetcher = stack.enter_context(Fetcher(settings))
        # 1. fetch
        fetched = fetcher.fetch(url, accept=(HTML, FEED))
        # 2. a feed
        if is_feed(fetched):
            yield from read_feed(
                fetched.body,
                origin=url,
                meta=meta,
                settings=settings,
                fetcher=fetcher,
                base=fetched.url,
            )
            return
        # 3. a page
        yield read_html(
            fetched.body,
            origin=url,
            meta=meta.over(Metadata(url=fetched.url)),
            settings=settings,
            url=fetched.url,
        )
