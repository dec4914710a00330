"""Storage: one port (`Storage`), SQLite and PostgreSQL adapters, chosen by URL."""

from __future__ import annotations

from streams.core.errors import ConfigError
from streams.storage.sql import Storage


def open_storage(url: str) -> Storage:
    """sqlite:///relative/or//absolute.db, sqlite:///:memory:, or postgresql://user:pass@host/db."""
    if url.startswith("sqlite:///"):
        from streams.storage.sqlite import SqliteStorage

        return SqliteStorage(url.removeprefix("sqlite:///"))
    if url.startswith(("postgresql://", "postgres://")):
        from streams.storage.postgres import PostgresStorage

        return PostgresStorage(url)
    raise ConfigError(f"unsupported database URL {url!r}: use sqlite:///path.db or postgresql://…")


__all__ = ["Storage", "open_storage"]
