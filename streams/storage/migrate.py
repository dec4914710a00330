"""Bring a database's tables to the newest revision (Alembic), for SQLite and PostgreSQL alike.

Every open of the storage upgrades first, under a lock, so two workers starting together never
race: PostgreSQL takes an advisory lock, SQLite a file lock beside the database. A database whose
revision this code does not know was written by a newer newsstream: that is an error, never a guess.
"""

from __future__ import annotations

import fcntl
import logging
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, create_engine, text
from sqlalchemy.pool import StaticPool

from streams.core.errors import ConfigError

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent / "migrations"
#: pg_advisory_lock key shared by every newsstream process on a database ("nsmigr" in ASCII)
ADVISORY_LOCK_KEY = 0x6E736D696772


class SchemaTooNew(ConfigError):
    """The database was upgraded by a newer newsstream than this one."""


def _alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """The newest revision this code knows."""
    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None  # noqa: S101 - migrations/versions ships with the package
    return head


def current_revision(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _upgrade(connection: Connection, where: str) -> str:
    """Upgrade through `connection`; returns the revision it is at."""
    known = ScriptDirectory.from_config(_alembic_config())
    current = current_revision(connection)
    if current is not None and current not in {script.revision for script in known.walk_revisions()}:
        raise SchemaTooNew(
            f"the database at {where} is at schema revision {current}, which this newsstream does not know "
            f"(its newest is {head_revision()}): it was upgraded by a newer version; run that version, "
            "or restore a backup taken before the upgrade"
        )
    head = head_revision()
    if current != head:
        log.warning("upgrading the database at %s from schema revision %s to %s", where, current or "none", head)
        command.upgrade(_alembic_config(connection), "head")
        connection.commit()
    return head


@contextmanager
def _file_lock(path: Path) -> Iterator[None]:
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)  # held until the file is closed
        yield


def upgrade_sqlite(raw: sqlite3.Connection, path: str) -> str:
    """Upgrade an open SQLite connection's database (the same connection, so `:memory:` works too)."""
    engine = create_engine("sqlite://", creator=lambda: raw, poolclass=StaticPool)
    lock = _file_lock(Path(f"{path}.migrations.lock")) if path != ":memory:" else _no_lock()
    with lock, engine.connect() as connection:
        return _upgrade(connection, path)


@contextmanager
def _no_lock() -> Iterator[None]:
    yield


def sqlalchemy_url(url: str) -> str:
    """postgresql://… as SQLAlchemy names the psycopg 3 driver."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url.removeprefix(prefix)
    return url


def upgrade_postgres(url: str, **connect_args: Any) -> str:
    """Upgrade a PostgreSQL database, holding an advisory lock meanwhile."""
    engine = create_engine(sqlalchemy_url(url), connect_args=connect_args, poolclass=StaticPool)
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK_KEY})
            connection.commit()
            try:
                return _upgrade(connection, url.split("@")[-1])
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK_KEY})
                connection.commit()
    finally:
        engine.dispose()
