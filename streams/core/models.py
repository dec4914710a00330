"""Plain records that cross the topics; their fields mirror schemas/*.avsc one to one."""

from __future__ import annotations

import re
import time
from dataclasses import asdict, dataclass, field, fields
from typing import Any

from streams.core.errors import InvalidArticle


def now_millis() -> int:
    """Wall-clock time in epoch milliseconds, the unit of every timestamp on the wire."""
    return int(time.time() * 1000)


_MARKUP = re.compile(r"<[^>]*>")


@dataclass(frozen=True, slots=True)
class Article:
    """A news article as published to news.articles."""

    id: str
    title: str
    body: str
    url: str | None = None
    source: str | None = None
    published: str | None = None
    language: str | None = None
    ingested_at: int = 0
    author: str | None = None

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any], *, max_body_chars: int = 200_000) -> Article:
        """Build and validate; an article that cannot be enriched raises InvalidArticle."""
        names = {f.name for f in fields(cls)}
        article = cls(**{k: v for k, v in record.items() if k in names})
        article.validate(max_body_chars=max_body_chars)
        return article

    def validate(self, *, max_body_chars: int = 200_000) -> None:
        """Reject what enrichment cannot use, with a reason a person can act on."""
        if not self.id or not isinstance(self.id, str):
            raise InvalidArticle("missing id")
        if not isinstance(self.body, str) or not isinstance(self.title, str):
            raise InvalidArticle("title and body must be text")
        if not (self.body.strip() or self.title.strip()):
            raise InvalidArticle("empty article: no title and no body")
        if not self.title.strip() and not _MARKUP.sub(" ", self.body).strip():
            raise InvalidArticle("empty article: the body is only HTML markup and there is no title")
        if len(self.body) > max_body_chars:
            raise InvalidArticle(f"body of {len(self.body)} characters exceeds the {max_body_chars} limit")


@dataclass(slots=True)
class Mention:
    field: str
    start: int
    end: int


@dataclass(slots=True)
class Entity:
    """One real-world entity within an article and every place it is mentioned."""

    text: str
    label: str
    canonical: str
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    mentions: list[Mention] = field(default_factory=list)


@dataclass(slots=True)
class Event:
    """A coded PLOVER event with its ACLED/CAMEO equivalents and supporting sentence."""

    type: str
    sentence: str
    field: str
    start: int
    end: int
    confidence: float
    mode: str | None = None
    cameo: str | None = None
    acled_event_type: str | None = None
    acled_sub_event_type: str | None = None
    actor: str | None = None
    target: str | None = None
    #: ISO-2 country and sector ("military", "rebels", "civilians"…) of each party
    actor_country: str | None = None
    actor_sector: str | None = None
    target_country: str | None = None
    target_sector: str | None = None
    location: str | None = None
    country: str | None = None
    lat: float | None = None
    lon: float | None = None
    date: str | None = None
    fatalities: int | None = None
    injured: int | None = None
    negated: bool = False
    hypothetical: bool = False

    @property
    def is_fact(self) -> bool:
        """Events that happened: neither negated nor hypothetical."""
        return not (self.negated or self.hypothetical)


@dataclass(slots=True)
class EnrichedArticle:
    """An article with entities and events, as published to news.enriched."""

    id: str
    title: str
    body: str
    url: str | None
    source: str | None
    published: str | None
    language: str | None
    ingested_at: int
    entities: list[Entity]
    events: list[Event]
    countries: list[str]
    primary_event: str | None
    story_id: str
    pipeline_version: str
    author: str | None = None

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> EnrichedArticle:
        data = dict(record)
        data["entities"] = [
            Entity(**{**e, "mentions": [Mention(**m) for m in e["mentions"]]}) for e in record["entities"]
        ]
        data["events"] = [Event(**e) for e in record["events"]]
        return cls(**data)


@dataclass(frozen=True, slots=True)
class Alert:
    """An alert raised by a rule for a story."""

    id: str
    rule: str
    severity: str
    kind: str
    title: str
    summary: str
    article_ids: list[str]
    story_id: str
    event_types: list[str]
    countries: list[str]
    created_at: int

    def to_record(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_record(cls, record: dict[str, Any]) -> Alert:
        return cls(**record)


@dataclass(frozen=True, slots=True)
class DeadLetter:
    """A message that could not be processed, kept whole with its origin and reason."""

    payload: bytes
    key: bytes | None
    topic: str
    partition: int
    offset: int
    stage: str
    reason: str
    error_class: str
    error_message: str
    failed_at: int

    def to_record(self) -> dict[str, Any]:
        return asdict(self)
