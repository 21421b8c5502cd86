"""What the store keeps of watched feeds: the validators of each feed's last poll, and every
entry each feed delivered with what became of it (so that a restart ingests only what is new,
and an entry that failed for a passing reason is tried again)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import insert, select, update
from sqlalchemy.exc import SQLAlchemyError

from newsbrief.errors import StoreError
from newsbrief.store.base import StoreBase, chunks, now
from newsbrief.store.schema import feed_entries, feeds


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedState:
    """A watched feed as its last poll left it."""

    url: str
    etag: str | None
    last_modified: str | None
    polled_at: str | None
    status: str | None


@dataclass(frozen=True, slots=True, kw_only=True)
class FeedEntry:
    """An entry a feed delivered: the article it became, or the last error and how many times
    it was tried; ``done`` when it is not to be tried again."""

    key: str
    article_id: str | None
    attempts: int
    done: bool
    error: str | None


class FeedStore(StoreBase):
    """Watched feeds and their entries."""

    def feed_state(self, url: str) -> FeedState | None:
        """What the last poll of the feed at ``url`` left: validators for a conditional GET."""
        with self.engine.connect() as conn:
            row = conn.execute(select(feeds).where(feeds.c.url == url)).first()
        if row is None:
            return None
        return FeedState(
            url=row.url,
            etag=row.etag,
            last_modified=row.last_modified,
            polled_at=row.polled_at,
            status=row.status,
        )

    def save_feed(
        self, url: str, *, etag: str | None, last_modified: str | None, status: str
    ) -> None:
        """Record a poll of the feed at ``url`` (created on its first poll)."""
        values = {
            "etag": etag,
            "last_modified": last_modified,
            "status": status,
            "polled_at": now(),
        }
        try:
            with self.writing() as conn:
                if conn.execute(select(feeds.c.url).where(feeds.c.url == url)).first():
                    conn.execute(update(feeds).where(feeds.c.url == url).values(values))
                else:
                    conn.execute(insert(feeds).values(url=url, **values))
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record the poll of feed {url}: {exc}") from exc

    def feed_entries(self, url: str, keys: Sequence[str]) -> dict[str, FeedEntry]:
        """Those of ``keys`` that the feed at ``url`` has delivered before, by key."""
        found: dict[str, FeedEntry] = {}
        with self.engine.connect() as conn:
            for chunk in chunks(list(keys)):
                rows = conn.execute(
                    select(feed_entries).where(
                        feed_entries.c.feed_url == url, feed_entries.c.entry_key.in_(chunk)
                    )
                )
                for r in rows:
                    found[r.entry_key] = FeedEntry(
                        key=r.entry_key,
                        article_id=r.article_id,
                        attempts=r.attempts,
                        done=bool(r.done),
                        error=r.error,
                    )
        return found

    def retries_pending(self, url: str) -> bool:
        """Whether an entry of the feed at ``url`` waits to be tried again."""
        pending = select(feed_entries.c.entry_key).where(
            feed_entries.c.feed_url == url, feed_entries.c.done.is_(False)
        )
        with self.engine.connect() as conn:
            return conn.execute(pending.limit(1)).first() is not None

    def add_feed_entry(
        self,
        url: str,
        key: str,
        *,
        article_id: str | None,
        error: str | None = None,
        done: bool = True,
    ) -> None:
        """Record an attempt at entry ``key`` of the feed at ``url``: the article it became,
        or the error it met; ``done`` False to try it again at a later poll. The feed is
        recorded first when it is new; an entry done already stays as it was."""
        try:
            with self.writing() as conn:
                if not conn.execute(select(feeds.c.url).where(feeds.c.url == url)).first():
                    conn.execute(insert(feeds).values(url=url))
                known = feed_entries.c.feed_url == url, feed_entries.c.entry_key == key
                row = conn.execute(select(feed_entries).where(*known)).first()
                values = {"seen_at": now(), "article_id": article_id, "error": error, "done": done}
                if row is None:
                    conn.execute(
                        insert(feed_entries).values(
                            feed_url=url, entry_key=key, attempts=1, **values
                        )
                    )
                elif not row.done:
                    conn.execute(
                        update(feed_entries)
                        .where(*known)
                        .values(attempts=row.attempts + 1, **values)
                    )
        except SQLAlchemyError as exc:
            raise StoreError(f"cannot record entry {key} of feed {url}: {exc}") from exc
