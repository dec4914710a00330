"""PostgreSQL adapter (psycopg 3), for production."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

from streams.core.errors import ConfigError
from streams.storage.migrate import upgrade_postgres
from streams.storage.sql import SqlStorage


class PostgresStorage(SqlStorage):
    mark = "%s"
    bool_type = "BOOLEAN"
    real_type = "DOUBLE PRECISION"
    ingested_iso = """to_char(to_timestamp(ingested_at / 1000) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"+00:00"')"""
    collation = ' COLLATE "C"'

    def __init__(self, url: str) -> None:
        try:
            connection = psycopg.connect(url, connect_timeout=10, autocommit=True)
        except psycopg.OperationalError as exc:
            safe = url.split("@")[-1]
            raise ConfigError(
                f"PostgreSQL at {safe} is not reachable ({str(exc).strip().splitlines()[0]}): start it with "
                "`make postgres` or fix NEWSSTREAM_DATABASE_URL"
            ) from None
        self._url = url
        super().__init__(connection)

    def _upgrade_tables(self) -> None:
        upgrade_postgres(self._url, connect_timeout=10)

    def connection_lost(self) -> bool:
        return bool(self._conn.broken or self._conn.closed)

    @contextmanager
    def _transaction(self) -> Iterator[psycopg.Cursor]:
        with self._conn.transaction(), self._conn.cursor() as cursor:
            yield cursor
