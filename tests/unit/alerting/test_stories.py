"""Story grouping on the seed article, four rewrites of it by other outlets, and five unrelated
articles (tests/data, written for these tests)."""

from pathlib import Path

from streams.alerting.stories import StoryIndex, minhash, similarity
from streams.ingest.sources import read_articles
from streams.stages.alert import story_block

DATA = Path(__file__).resolve().parents[2] / "data"


def _articles(folder: str):
    return [a for a in read_articles([DATA / folder])]


def test_five_reports_of_one_event_are_one_story(enricher, seed_article):
    """Seed + rewrites share a story id; each unrelated article has a story of its own."""
    reports = [seed_article, *_articles("seed_rewrites")]
    unrelated = _articles("unrelated")
    enriched = enricher.enrich_batch(reports + unrelated)
    indexes: dict[str, StoryIndex] = {}
    stories = []
    for minute, article in enumerate(enriched):
        index = indexes.setdefault(story_block(article), StoryIndex())
        stories.append(index.assign(article, now=minute * 60.0).story_id)
    assert len(set(stories[:5])) == 1
    assert len(set(stories[5:])) == 5 and not set(stories[5:]) & set(stories[:5])


def test_rising_toll_is_tracked_and_redelivery_keeps_the_story(enricher, seed_article):
    """The story remembers its highest toll; the same article again joins its own story."""
    rewrite_with_more_deaths = _articles("seed_rewrites")[-1]
    seed, rewrite = enricher.enrich_batch([seed_article, rewrite_with_more_deaths])
    index = StoryIndex()
    first = index.assign(seed, now=0)
    second = index.assign(rewrite, now=60)
    assert (first.is_new, second.is_new) == (True, False)
    assert first.max_fatalities == 200 and second.previous_max_fatalities == 200
    assert second.max_fatalities > 200
    again = index.assign(seed, now=120)
    assert again.story_id == first.story_id and not again.is_new


def test_index_is_bounded_and_survives_serialisation(enricher, seed_article):
    """Stories past the horizon are forgotten; the dict form restores the same index."""
    seed = enricher.enrich(seed_article)
    index = StoryIndex(horizon_seconds=100)
    index.assign(seed, now=0)
    restored = StoryIndex.from_dict(index.to_dict(), horizon_seconds=100)
    assert list(restored.stories) == list(index.stories)
    assert restored.assign(seed, now=50).is_new is False
    assert restored.assign(seed, now=1000).is_new is True  # expired, so a new story


def test_minhash_estimates_overlap():
    """Identical texts have similarity 1; unrelated ones near 0."""
    text = "Pakistan and Afghan Taliban talks in Istanbul ended without agreement on Wednesday"
    assert similarity(minhash(text), minhash(text)) == 1.0
    assert similarity(minhash(text), minhash("Floods in southern Brazil displaced thousands of families")) < 0.1
