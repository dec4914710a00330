"""Ordering an article's events and countries by importance, and naming its story."""

from __future__ import annotations

import hashlib
from collections import Counter

from streams.core.models import Event
from streams.enrich.entities import EntityIndex
from streams.reference.taxonomy import SALIENCE


def event_salience(event: Event, sentence_rank: float) -> float:
    """Higher for violence, headline events, early sentences, stated deaths and certain facts."""
    score = 0.5 * SALIENCE.get(event.type, 0.3) + event.confidence
    if event.field == "title":
        score += 0.5
    score += 0.25 * (1.0 - sentence_rank)
    if event.fatalities:
        score += min(event.fatalities, 200) / 400
    if event.acled_sub_event_type:
        score += 0.1  # of two equally certain events, the one ACLED codes is the news
    if not event.is_fact:
        score -= 0.6
    return score


def order_events(events: list[Event], body_length: int) -> list[Event]:
    """Events most salient first."""

    def rank(event: Event) -> float:
        if event.field == "title" or body_length == 0:
            return 0.0
        return event.start / body_length

    return sorted(events, key=lambda e: -event_salience(e, rank(e)))


def primary_event(events: list[Event]) -> str | None:
    """The headline's event where the headline has one, else the most salient fact."""
    facts = [e for e in events if e.is_fact]
    headline = [e for e in facts if e.field == "title"]
    if headline:
        # the headline's own verb, not what its "after…" clause recalls: confidence carries prominence
        return max(headline, key=lambda e: e.confidence).type
    return facts[0].type if facts else None


def rank_countries(index: EntityIndex, events: list[Event]) -> list[str]:
    """ISO-2 codes, most salient first: headline mentions count triple, event places double."""
    weights: Counter[str] = Counter()
    for group in index.groups:
        if group.country is None:
            continue
        for mention in group.mentions:
            weights[group.country] += 3 if mention.field == "title" else 1
    for event in events:
        if event.country and event.is_fact:
            weights[event.country] += 2
    return [country for country, _ in weights.most_common()]


def story_id(article_id: str, events: list[Event], countries: list[str]) -> str:
    """Same headline event, place, day and actor -> same story, whichever outlet reported it."""
    facts = [e for e in events if e.is_fact]
    if not facts:
        return f"a-{article_id[:24]}"
    top = facts[0]
    basis = "|".join([top.type, top.country or (countries[0] if countries else ""), top.date or "", top.actor or ""])
    return "s-" + hashlib.sha256(basis.encode("utf-8")).hexdigest()[:24]
