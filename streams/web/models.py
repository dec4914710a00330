"""What the query API answers, as pydantic models: FastAPI validates each answer against them and
writes the OpenAPI document (/api/v1/openapi.json) from them, so the document cannot drift from the code."""

from __future__ import annotations

from pydantic import BaseModel, Field


class Problem(BaseModel):
    """Why a request was refused."""

    detail: str


class Mention(BaseModel):
    field: str = Field(description="title or body")
    start: int = Field(description="character offset in that field")
    end: int


class Entity(BaseModel):
    text: str
    label: str = Field(description="spaCy/OntoNotes label: PERSON, ORG, GPE, LOC, NORP, FAC, DATE, …")
    canonical: str = Field(description="one name per real-world entity within the article")
    country: str | None = Field(description="ISO 3166 alpha-2")
    lat: float | None
    lon: float | None
    mentions: list[Mention]


class Event(BaseModel):
    article_id: str
    position: int = Field(description="0 is the article's most salient event")
    type: str = Field(description="PLOVER event type")
    mode: str | None
    cameo: str | None = Field(description="CAMEO root code")
    acled_event_type: str | None
    acled_sub_event_type: str | None
    sentence: str = Field(description="the evidence sentence")
    field: str = Field(description="the article field the sentence is in: title or body")
    start: int = Field(description="offset of the sentence in that field")
    end: int
    actor: str | None
    actor_country: str | None
    actor_sector: str | None
    target: str | None
    target_country: str | None
    target_sector: str | None
    location: str | None
    country: str | None = Field(description="ISO 3166 alpha-2 country of the event")
    lat: float | None
    lon: float | None
    date: str | None = Field(description="ISO date of the event, resolved against the publication time")
    fatalities: int | None = Field(description="reported killed; null when the text gives no count")
    injured: int | None
    negated: bool
    hypothetical: bool
    confidence: float


class EventArticle(BaseModel):
    title: str
    source: str | None
    url: str | None
    published: str | None
    ingested_at: int = Field(description="epoch milliseconds")
    story_id: str


class ListedEvent(Event):
    article: EventArticle


class EventsPage(BaseModel):
    events: list[ListedEvent]
    next: str | None = Field(description="pass as `cursor` for the next page; null on the last page")


class Article(BaseModel):
    id: str
    url: str | None
    source: str | None
    author: str | None
    title: str
    body: str
    published: str | None
    language: str | None
    ingested_at: int
    stored_at: int
    countries: list[str] = Field(description="ISO 3166 alpha-2, most salient first")
    primary_event: str | None
    story_id: str
    pipeline_version: str
    entities: list[Entity]
    events: list[Event]


class Headline(BaseModel):
    article_id: str
    title: str
    event_type: str | None = Field(description="PLOVER type of the first article's primary event")


class Story(BaseModel):
    story_id: str
    first_seen: int = Field(description="epoch ms its first article arrived")
    last_seen: int
    article_count: int
    source_count: int = Field(description="distinct outlets that carried it")
    sources: list[str]
    countries: list[str] = Field(description="most often named first")
    headline: Headline | None
    highest_toll: int | None = Field(description="highest number killed any of its events reports")


class StoryArticle(BaseModel):
    id: str
    title: str
    source: str | None
    url: str | None
    published: str | None
    ingested_at: int
    primary_event: str | None
    countries: list[str]


class StoryDetail(Story):
    articles: list[StoryArticle] = Field(description="oldest first")


class StoriesPage(BaseModel):
    stories: list[Story]
    next: str | None


class Alert(BaseModel):
    id: str
    rule: str
    severity: str
    kind: str = Field(description="match or spike")
    title: str
    summary: str
    article_ids: list[str]
    story_id: str
    event_types: list[str]
    countries: list[str]
    created_at: int = Field(description="epoch milliseconds")


class AlertsPage(BaseModel):
    alerts: list[Alert]
    next: str | None


class DailyCount(BaseModel):
    day: str = Field(description="the event's own date where known, else the day its article arrived (UTC)")
    country: str | None
    type: str
    events: int
    fatalities: int


class Stats(BaseModel):
    date_from: str
    date_to: str
    counts: list[DailyCount]


class Health(BaseModel):
    status: str
    database: str
