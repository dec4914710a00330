"""A small store the pipeline's own enricher fills: the seed plus a few stories, one of them told by
two outlets, and alerts. The query API tests (SQLite in unit/web, PostgreSQL in integration) share it."""

from __future__ import annotations

from dataclasses import replace

import pytest

from streams.core.models import Alert, Article, EnrichedArticle
from streams.enrich import Enricher

HOUR_MS = 3_600_000
STORY_TEXTS = (
    # (source, title, body, published); the first two are one story told by two outlets
    (
        "outlet-a",
        "Air strike kills 12 in El Fasher",
        "Sudanese army air strikes killed 12 civilians at a market in El Fasher, North Darfur, on Monday, "
        "local officials said.",
        "2026-11-17T08:00:00+00:00",
    ),
    (
        "outlet-b",
        "Market bombed in Sudan's El Fasher",
        "An air strike by the Sudanese army on a market in El Fasher killed 15 people on Monday, a medical "
        "charity said.",
        "2026-11-17T10:00:00+00:00",
    ),
    (
        "outlet-c",
        "Kenyans march against tax rises",
        "Hundreds of protesters marched peacefully through Nairobi on Tuesday against the new finance bill.",
        "2026-11-18T09:00:00+00:00",
    ),
    (
        "outlet-a",
        "Clashes in Lahore",
        "Police arrested 20 people in Lahore on Wednesday after clashes between rival groups left three dead.",
        "2026-11-19T09:00:00+00:00",
    ),
)


@pytest.fixture(scope="session")
def stored_articles(enricher: Enricher, seed_article: Article) -> list[EnrichedArticle]:
    """The seed and the stories above, enriched, with ingest times an hour apart (oldest first)."""
    from streams.core.identity import article_id

    articles = [seed_article]
    for source, title, body, published in STORY_TEXTS:
        articles.append(
            Article(
                id=article_id(url=None, title=title, body=body),
                title=title,
                body=body,
                published=published,
                source=source,
                ingested_at=0,
            )
        )
    start = 1_763_456_400_000
    articles = [replace(a, ingested_at=start + i * HOUR_MS) for i, a in enumerate(articles)]
    enriched = enricher.enrich_batch(articles)
    # the two El Fasher reports are one story (the alerting stage decides that; here it is given)
    enriched[2] = replace(enriched[2], story_id=enriched[1].story_id)
    return enriched


@pytest.fixture(scope="session")
def stored_alerts(stored_articles: list[EnrichedArticle]) -> list[Alert]:
    story = stored_articles[1]
    return [
        Alert(
            "al-1",
            "violence",
            "warning",
            "match",
            "Air strike",
            "s",
            [story.id],
            story.story_id,
            ["ASSAULT"],
            ["SD"],
            1000,
        ),
        Alert(
            "al-2",
            "violence",
            "critical",
            "match",
            "Toll rises",
            "s",
            [story.id],
            story.story_id,
            ["ASSAULT"],
            ["SD"],
            3000,
        ),
        Alert(
            "al-3",
            "spikes",
            "info",
            "spike",
            "Protests",
            "s",
            [stored_articles[3].id],
            stored_articles[3].story_id,
            ["PROTEST"],
            ["KE"],
            2000,
        ),
    ]
