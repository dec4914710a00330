from dataclasses import replace

from streams.core.models import Alert
from streams.storage import open_storage


def test_rewriting_an_article_replaces_its_rows(tmp_path, enriched_seed):
    """Redelivery upserts: the same article twice is one article with one set of entities and events."""
    storage = open_storage(f"sqlite:///{tmp_path}/news.db")
    storage.write_articles([enriched_seed])
    storage.write_articles([enriched_seed, enriched_seed])
    counts = storage.counts()
    assert counts["articles"] == 1
    assert counts["entities"] == len(enriched_seed.entities)
    assert counts["events"] == len(enriched_seed.events)
    changed = replace(enriched_seed, events=enriched_seed.events[:2], title="Updated")
    storage.write_articles([changed])
    assert storage.counts()["events"] == 2
    assert storage.article_title(enriched_seed.id) == "Updated"
    storage.close()


def test_alerts_are_stored_once_per_id(tmp_path):
    """An alert id already stored is not duplicated."""
    storage = open_storage(f"sqlite:///{tmp_path}/news.db")
    alert = Alert("a1", "r", "info", "match", "t", "s", ["x"], "st", ["AGREE"], ["QA"], 1)
    storage.write_alerts([alert, alert])
    storage.write_alerts([alert])
    assert storage.counts()["alerts"] == 1
    storage.close()
