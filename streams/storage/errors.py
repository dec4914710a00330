"""Which storage errors are about one record, and which are about the database."""

from __future__ import annotations

import sqlite3

import psycopg


def rejects_record(error: BaseException) -> bool:
    """True when the database refused a value (bad data, a constraint): the same record would be
    refused again, so it goes to the dead-letter topic. Everything else (connection lost, locks,
    disk full, a table missing during a migration) is the database's state, and waited out."""
    # psycopg's DataError includes text with NUL characters, refused before anything is sent
    return isinstance(error, psycopg.DataError | psycopg.IntegrityError | sqlite3.DataError | sqlite3.IntegrityError)


def database_unavailable(error: BaseException) -> bool:
    """True when a read failed because the database cannot answer now (down, restarting, locked),
    not because of the query: the caller answers "try again later" rather than failing."""
    return isinstance(
        error, psycopg.OperationalError | psycopg.InterfaceError | sqlite3.OperationalError | sqlite3.InterfaceError
    )
