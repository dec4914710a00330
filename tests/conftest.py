"""Shared fixtures: paths, the seed article, and one Enricher per test session (spaCy loads once)."""

from __future__ import annotations

from pathlib import Path

import pytest

from streams.core.models import Article, EnrichedArticle
from streams.enrich import Enricher
from streams.ingest.sources import parse_seed_text

ROOT = Path(__file__).resolve().parent.parent
SEED_FILE = ROOT / "seeds" / "pakistan-afghan-taliban-talks-istanbul.txt"


@pytest.fixture(scope="session")
def enricher() -> Enricher:
    return Enricher()


@pytest.fixture(scope="session")
def seed_article() -> Article:
    article = parse_seed_text(SEED_FILE.read_text(encoding="utf-8"), source="seeds")
    # published two days after the Monday of the talks, as the seed's own text implies
    return Article(**{**article.to_record(), "published": "2025-10-29T12:00:00+00:00", "ingested_at": 1761739200000})


@pytest.fixture(scope="session")
def enriched_seed(enricher: Enricher, seed_article: Article) -> EnrichedArticle:
    return enricher.enrich(seed_article)


@pytest.fixture
def make_article():
    """Factory: an Article from a body (and optional title/published)."""

    def make(
        body: str, title: str = "", published: str | None = "2026-11-18T09:00:00+00:00", **extra: object
    ) -> Article:
        from streams.core.identity import article_id

        return Article(
            id=article_id(url=None, title=title, body=body),
            title=title,
            body=body,
            published=published,
            ingested_at=1763456400000,
            **extra,
        )  # type: ignore[arg-type]

    return make
