"""One database connection for a sink, opened on first use and again after the server dropped it."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from typing import Any, TypeVar

from streams.core.models import Alert, EnrichedArticle
from streams.storage import Storage, open_storage
from streams.storage.errors import rejects_record

Item = TypeVar("Item")


def write_or_reject(
    write: Callable[[Sequence[Item]], object],
    items: Sequence[Item],
    rejects: Callable[[BaseException], bool],
) -> list[tuple[Item, BaseException]]:
    """Write the batch in one go; if the sink rejects something in it, write record by record so
    only the records it rejects are left out. Returns them with their errors; a transient failure
    is raised (the caller retries the whole batch: every write is an upsert)."""
    if not items:
        return []
    try:
        write(items)
        return []
    except Exception as exc:
        if not rejects(exc):
            raise
    rejected: list[tuple[Item, BaseException]] = []
    for item in items:
        try:
            write([item])
        except Exception as exc:
            if not rejects(exc):
                raise
            rejected.append((item, exc))
    return rejected


class StorageConnection:
    """The store stage's database. Not thread-safe: used from one storage thread only."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._storage: Storage | None = None

    @property
    def backend(self) -> str:
        return "postgresql" if self.url.startswith("postgres") else "sqlite"

    def storage(self) -> Storage:
        """The open connection; a connection the server dropped (a restarted PostgreSQL) is closed
        and a new one opened, so a sink that waits out an outage picks up again by itself."""
        if self._storage is not None and self._storage.connection_lost():
            with suppress(Exception):  # it is gone either way
                self._storage.close()
            self._storage = None
        if self._storage is None:
            self._storage = open_storage(self.url)
        return self._storage

    def write_articles(self, articles: list[EnrichedArticle]) -> list[tuple[EnrichedArticle, BaseException]]:
        """Upsert; returns the articles the database refused (transient failures raise)."""
        return write_or_reject(self.storage().write_articles, articles, rejects_record)

    def write_alerts(self, alerts: list[Alert]) -> list[tuple[Alert, BaseException]]:
        """Insert; returns the alerts the database refused (transient failures raise)."""
        return write_or_reject(self.storage().write_alerts, alerts, rejects_record)

    def close(self) -> None:
        if self._storage is not None:
            self._storage.close()
            self._storage = None

    def __enter__(self) -> StorageConnection:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
