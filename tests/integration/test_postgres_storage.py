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
    negated = storage.query("SELECT COUNT(*) FROM events WHERE negated = %s", (False,))
    assert negated[0][0] == 1
    storage.close()


def test_unreachable_postgres_fails_with_a_clear_message():
    """A wrong URL says the server is not reachable and how to fix it."""
    from streams.core.errors import ConfigError

    with pytest.raises(ConfigError, match=r"not reachable.*NEWSSTREAM_DATABASE_URL"):
        open_storage("postgresql://newsstream:newsstream@127.0.0.1:1/none")
