"""The PostgreSQL adapter against a real server: the same idempotency as SQLite."""

from dataclasses import replace

import pytest

from streams.core.models import Alert
from streams.storage import open_storage

pytestmark = pytest.mark.integration


def test_upserts_never_duplicate_rows(pg_url, enriched_seed):
    """Writing an article three times and an alert twice leaves one of each, children replaced."""
    storage = open_storage(pg_url)
    storage.write_articles([enriched_seed])
    storage.write_articles([enriched_seed, enriched_seed])
    counts = storage.counts()
    assert counts["articles"] == 1
    assert counts["events"] == len(enriched_seed.events)
    assert counts["entities"] == len(enriched_seed.entities)
    storage.write_articles([replace(enriched_seed, events=enriched_seed.events[:1])])
    assert storage.counts()["events"] == 1
    alert = Alert(
        "a1", "r", "info", "match", "t", "s", [enriched_seed.id], enriched_seed.story_id, ["AGREE"], ["QA"], 1
    )
    storage.write_alerts([alert, alert])
    storage.write_alerts([alert])
    assert storage.counts()["alerts"] == 1
    assert sum(count for _, _, count, _ in storage.events_that_happened()) <= 1  # the one event left, if it happened
    assert len(storage.article_events(enriched_seed.id)) == 1
    storage.close()


def test_unreachable_postgres_fails_with_a_clear_message():
    """A wrong URL says the server is not reachable and how to fix it."""
    from streams.core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"not reachable.*NEWSSTREAM_DATABASE_URL"):
        open_storage("postgresql://newsstream:newsstream@127.0.0.1:1/none")


@pytest.fixture
def fresh_pg_url(postgres_admin):
    """A database of its own, empty (the module's pg_url may already be upgraded)."""
    import uuid

    import psycopg

    name = f"newsstream_migrate_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_postgres_database_written_by_0_1_is_upgraded_with_every_row(fresh_pg_url, enriched_seed):
    """The same 0.1 database as the SQLite test, on PostgreSQL: every row kept, author added."""
    import psycopg

    from streams.storage.migrate import head_revision
    from tests.unit.storage.test_migrations import old_database_sql

    with psycopg.connect(fresh_pg_url, autocommit=True) as old:
        for statement in old_database_sql(real="DOUBLE PRECISION", boolean="BOOLEAN", false="FALSE"):
            old.execute(statement)
    storage = open_storage(fresh_pg_url)
    storage.write_articles([replace(enriched_seed, id="new-1", author="Staff Reporter")])
    storage.close()
    with psycopg.connect(fresh_pg_url) as upgraded:
        counts = {
            table: upgraded.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]  # noqa: S608 - fixed names
            for table in ("articles", "entities", "events", "alerts")
        }
        authors = dict(upgraded.execute("SELECT id, author FROM articles").fetchall())
        revision = upgraded.execute("SELECT version_num FROM alembic_version").fetchone()
    assert counts == {
        "articles": 3,
        "entities": 1 + len(enriched_seed.entities),
        "events": 1 + len(enriched_seed.events),
        "alerts": 1,
    }
    assert authors == {"old-1": None, "old-2": None, "new-1": "Staff Reporter"}
    assert revision == (head_revision(),)


def test_workers_starting_together_upgrade_once(fresh_pg_url):
    """Four processes open a fresh database at once: the advisory lock lets one upgrade, none fails."""
    import subprocess
    import sys

    from tests.integration.conftest import ROOT

    code = f"from streams.storage import open_storage; open_storage({fresh_pg_url!r}).close()"
    processes = [subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stderr=subprocess.PIPE) for _ in range(4)]
    results = [(p.wait(timeout=120), p.stderr.read().decode() if p.stderr else "") for p in processes]
    assert all(status == 0 for status, _ in results), results
