"""What the feed poller remembers across restarts, in one SQLite file: per feed its validators
(ETag, Last-Modified), failures and last success; per item whether it was published already.

An item is marked seen only after Kafka confirmed its article, so a crash in between publishes it
again on the next run (at least once) — harmless, because the article id is the same and every
sink upserts by id.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

SCHEMA = (
    """CREATE TABLE IF NOT EXISTS feeds (
        url TEXT PRIMARY KEY, etag TEXT, last_modified TEXT, failures INTEGER NOT NULL DEFAULT 0,
        last_success REAL, last_error TEXT, next_poll REAL NOT NULL DEFAULT 0)""",
    """CREATE TABLE IF NOT EXISTS seen_items (
        feed_url TEXT NOT NULL, item_key TEXT NOT NULL, article_id TEXT, seen_at REAL NOT NULL,
        PRIMARY KEY (feed_url, item_key))""",
    "CREATE TABLE IF NOT EXISTS published (article_id TEXT PRIMARY KEY, published_at REAL NOT NULL)",
    "CREATE INDEX IF NOT EXISTS seen_items_by_age ON seen_items (seen_at)",
    "CREATE INDEX IF NOT EXISTS published_by_age ON published (published_at)",
)


@dataclass(slots=True)
class FeedStatus:
    url: str
    etag: str | None = None
    last_modified: str | None = None
    failures: int = 0
    last_success: float | None = None
    last_error: str | None = None
    next_poll: float = 0.0


class FeedState:
    """Thread-safe: the poller calls it from its event loop and from executor threads."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._lock = threading.Lock()
        with self._lock:
            for statement in SCHEMA:
                self._db.execute(statement)

    def status(self, url: str) -> FeedStatus:
        with self._lock:
            row = self._db.execute(
                "SELECT etag, last_modified, failures, last_success, last_error, next_poll FROM feeds WHERE url = ?",
                (url,),
            ).fetchone()
        if row is None:
            return FeedStatus(url)
        return FeedStatus(url, *row)

    def save(self, status: FeedStatus) -> None:
        with self._lock:
            self._db.execute(
                "INSERT INTO feeds (url, etag, last_modified, failures, last_success, last_error, next_poll) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT (url) DO UPDATE SET etag = excluded.etag, "
                "last_modified = excluded.last_modified, failures = excluded.failures, "
                "last_success = excluded.last_success, last_error = excluded.last_error, "
                "next_poll = excluded.next_poll",
                (
                    status.url,
                    status.etag,
                    status.last_modified,
                    status.failures,
                    status.last_success,
                    status.last_error,
                    status.next_poll,
                ),
            )

    def unseen(self, feed_url: str, keys: list[str]) -> list[str]:
        """The keys of this feed's items not handled before, in the given order."""
        marks = ",".join("?" * len(keys))
        with self._lock:
            known = {
                row[0]
                for row in self._db.execute(
                    f"SELECT item_key FROM seen_items WHERE feed_url = ? AND item_key IN ({marks})",  # noqa: S608 - placeholders only
                    (feed_url, *keys),
                )
            }
            if known:  # still in the feed: remembered from now, so pruning keeps it
                self._db.execute(
                    f"UPDATE seen_items SET seen_at = ? WHERE feed_url = ? AND item_key IN ({marks})",  # noqa: S608 - placeholders only
                    (time.time(), feed_url, *keys),
                )
        return [key for key in keys if key not in known]

    def was_published(self, article_id: str) -> bool:
        """Whether any feed (or an earlier run) already published this article."""
        with self._lock:
            row = self._db.execute("SELECT 1 FROM published WHERE article_id = ?", (article_id,)).fetchone()
        return row is not None

    def mark(self, feed_url: str, item_key: str, article_id: str | None, *, published: bool) -> None:
        """Remember an item as handled (and its article as published, when it was)."""
        now = time.time()
        with self._lock:
            self._db.execute("BEGIN")
            self._db.execute(
                "INSERT OR REPLACE INTO seen_items (feed_url, item_key, article_id, seen_at) VALUES (?, ?, ?, ?)",
                (feed_url, item_key, article_id, now),
            )
            if published and article_id:
                self._db.execute(
                    "INSERT OR IGNORE INTO published (article_id, published_at) VALUES (?, ?)", (article_id, now)
                )
            self._db.execute("COMMIT")

    def forget_older_than(self, cutoff: float) -> int:
        """Drop items and publications recorded before `cutoff` (epoch seconds), so the file stops
        growing; returns how many items went. An item a feed still carries after that long is
        published again under the same article id, which every sink upserts."""
        with self._lock:
            self._db.execute("BEGIN")
            items = self._db.execute("DELETE FROM seen_items WHERE seen_at < ?", (cutoff,)).rowcount
            self._db.execute("DELETE FROM published WHERE published_at < ?", (cutoff,))
            self._db.execute("COMMIT")
        return items

    def close(self) -> None:
        with self._lock:
            self._db.close()
