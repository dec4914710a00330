"""Upgrades keep the data: a database written before migrations existed is brought to the newest
revision with every row; a database newer than the code is refused."""

from __future__ import annotations

import sqlite3
from dataclasses import replace
from pathlib import Path

import pytest

from streams.storage import open_storage
from streams.storage.migrate import SchemaTooNew, head_revision

OLD_DATABASE = Path(__file__).resolve().parents[2] / "data" / "storage" / "written_by_0.1.sql"


def old_database_sql(*, real: str, boolean: str, false: str) -> list[str]:
    """The 0.1 tables and rows, as statements for one dialect."""
    text = OLD_DATABASE.read_text().replace("{real}", real).replace("{bool}", boolean).replace("{false}", false)
    lines = [line for line in text.splitlines() if not line.startswith("--")]
    return [statement.strip() for statement in "\n".join(lines).split(";") if statement.strip()]


def rows(connection: sqlite3.Connection) -> dict[str, int]:
    return {
        table: connection.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
        for table in ("articles", "entities", "events", "alerts")
    }


def test_a_database_written_by_0_1_is_upgraded_with_every_row(tmp_path, enriched_seed):
    """Two articles, an entity, an event and an alert survive; the new author column is there and used."""
    path = tmp_path / "old.db"
    with sqlite3.connect(path) as old:
        for statement in old_database_sql(real="REAL", boolean="INTEGER", false="0"):
            old.execute(statement)
    storage = open_storage(f"sqlite:///{path}")
    storage.write_articles([replace(enriched_seed, id="new-1", author="Staff Reporter")])
    storage.close()
    with sqlite3.connect(path) as upgraded:
        assert rows(upgraded) == {
            "articles": 3,
            "entities": 1 + len(enriched_seed.entities),
            "events": 1 + len(enriched_seed.events),
            "alerts": 1,
        }
        assert upgraded.execute("SELECT title FROM articles WHERE id = 'old-1'").fetchone() == ("Clashes in Goma",)
        authors = dict(upgraded.execute("SELECT id, author FROM articles").fetchall())
        assert authors == {"old-1": None, "old-2": None, "new-1": "Staff Reporter"}
        assert upgraded.execute("SELECT version_num FROM alembic_version").fetchone() == (head_revision(),)


def test_opening_twice_upgrades_once(tmp_path):
    """A second open finds the newest revision and changes nothing."""
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    open_storage(url).close()
    open_storage(url).close()
    with sqlite3.connect(tmp_path / "twice.db") as connection:
        assert connection.execute("SELECT COUNT(*) FROM alembic_version").fetchone() == (1,)


def test_a_database_upgraded_by_a_newer_version_is_refused(tmp_path):
    """An unknown revision is an error that says what happened and what to do, not a guess."""
    url = f"sqlite:///{tmp_path / 'newer.db'}"
    open_storage(url).close()
    with sqlite3.connect(tmp_path / "newer.db") as connection:
        connection.execute("UPDATE alembic_version SET version_num = '9999'")
    with pytest.raises(SchemaTooNew, match="newer version"):
        open_storage(url)


def test_replayed_articles_carry_their_author(tmp_path, enriched_seed):
    """The author goes into storage and comes back out for a replay."""
    storage = open_storage(f"sqlite:///{tmp_path / 'replay.db'}")
    storage.write_articles([replace(enriched_seed, id="by-1", author="A. Writer")])
    assert [article.author for article in storage.iter_articles()] == ["A. Writer"]
    storage.close()
