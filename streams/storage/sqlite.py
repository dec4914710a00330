"""SQLite adapter: the default, a file under data/."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from streams.storage.migrate import upgrade_sqlite
from streams.storage.sql import SqlStorage


class SqliteStorage(SqlStorage):
    mark = "?"
    bool_type = "INTEGER"
    real_type = "REAL"
    ingested_iso = "strftime('%Y-%m-%dT%H:%M:%S+00:00', ingested_at / 1000, 'unixepoch')"
    collation = ""  # BINARY, SQLite's default, is byte order already

    def __init__(self, path: str | Path) -> None:
        if str(path) != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        # check_same_thread off: the worker writes from an executor thread, one at a time
        connection = sqlite3.connect(str(path), timeout=30, check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA journal_mode=WAL")
        connection.execute("PRAGMA foreign_keys=ON")
        connection.execute("PRAGMA synchronous=NORMAL")
        self._path = str(path)
        super().__init__(connection)

    def _upgrade_tables(self) -> None:
        upgrade_sqlite(self._conn, self._path)

    @contextmanager
    def _transaction(self) -> Iterator[sqlite3.Cursor]:
        cursor = self._conn.cursor()
        cursor.execute("BEGIN IMMEDIATE")
        try:
            yield cursor
        except BaseException:
            cursor.execute("ROLLBACK")
            raise
        else:
            cursor.execute("COMMIT")
        finally:
            cursor.close()
