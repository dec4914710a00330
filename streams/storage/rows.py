"""Storage mapping: enriched articles and alerts -> rows of the four tables, stored rows -> Articles. Pure."""

from __future__ import annotations

import json
from typing import Any

from streams.core.models import Alert, Article, EnrichedArticle

ARTICLE_COLUMNS = (
    "id",
    "url",
    "source",
    "title",
    "body",
    "published",
    "language",
    "ingested_at",
    "stored_at",
    "countries",
    "primary_event",
    "story_id",
    "pipeline_version",
    "author",
)
# the articles columns that make up an Article as ingested, in the order of Article's fields
STORED_ARTICLE_COLUMNS = ("id", "title", "body", "url", "source", "published", "language", "ingested_at", "author")
ENTITY_COLUMNS = ("article_id", "position", "text", "label", "canonical", "country", "lat", "lon", "mentions")
EVENT_COLUMNS = (
    "article_id",
    "position",
    "type",
    "mode",
    "cameo",
    "acled_event_type",
    "acled_sub_event_type",
    "sentence",
    "field",
    "start_char",
    "end_char",
    "actor",
    "target",
    "actor_country",
    "actor_sector",
    "target_country",
    "target_sector",
    "location",
    "country",
    "lat",
    "lon",
    "event_date",
    "fatalities",
    "injured",
    "negated",
    "hypothetical",
    "confidence",
)
ALERT_COLUMNS = (
    "id",
    "rule",
    "severity",
    "kind",
    "title",
    "summary",
    "article_ids",
    "story_id",
    "event_types",
    "countries",
    "created_at",
)

Row = tuple[object, ...]


def article_row(article: EnrichedArticle, stored_at: int) -> Row:
    return (
        article.id,
        article.url,
        article.source,
        article.title,
        article.body,
        article.published,
        article.language,
        article.ingested_at,
        stored_at,
        json.dumps(article.countries),
        article.primary_event,
        article.story_id,
        article.pipeline_version,
        article.author,
    )


def entity_rows(article: EnrichedArticle) -> list[Row]:
    return [
        (
            article.id,
            position,
            e.text,
            e.label,
            e.canonical,
            e.country,
            e.lat,
            e.lon,
            json.dumps([[m.field, m.start, m.end] for m in e.mentions]),
        )
        for position, e in enumerate(article.entities)
    ]


def event_rows(article: EnrichedArticle) -> list[Row]:
    return [
        (
            article.id,
            position,
            e.type,
            e.mode,
            e.cameo,
            e.acled_event_type,
            e.acled_sub_event_type,
            e.sentence,
            e.field,
            e.start,
            e.end,
            e.actor,
            e.target,
            e.actor_country,
            e.actor_sector,
            e.target_country,
            e.target_sector,
            e.location,
            e.country,
            e.lat,
            e.lon,
            e.date,
            e.fatalities,
            e.injured,
            e.negated,
            e.hypothetical,
            e.confidence,
        )
        for position, e in enumerate(article.events)
    ]


def alert_row(alert: Alert) -> Row:
    return (
        alert.id,
        alert.rule,
        alert.severity,
        alert.kind,
        alert.title,
        alert.summary,
        json.dumps(alert.article_ids),
        alert.story_id,
        json.dumps(alert.event_types),
        json.dumps(alert.countries),
        alert.created_at,
    )


def article_from_row(row: tuple[Any, ...]) -> Article:
    """The Article as ingested, from a row of STORED_ARTICLE_COLUMNS (extra trailing columns are ignored)."""
    return Article(**dict(zip(STORED_ARTICLE_COLUMNS, row[: len(STORED_ARTICLE_COLUMNS)], strict=True)))
