"""Spike rules: an unusual number of events of one type in one country.

Counts live in fixed windows (tumbling, `window` long) per (country, event type); a rule fires
when the current window's count reaches both an absolute floor and `ratio` times the mean of the
previous `baseline_windows` windows (empty windows count as zero). At most one alert per rule,
country, type and window, with an id derived from exactly those, so replays never duplicate.
The counts are plain data kept in the alert agent's table: unlike Faust's windowed tables they
come back from the changelog after a restart (see faust-streaming's tracker on windowed tables).
Window time is the article's publication to Kafka (`ingested_at`), so a replay counts the same.
The alert agent counts only the first report of each story, so re-reporting is not a surge.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Any

from streams.core.models import Alert, EnrichedArticle


@dataclass(frozen=True)
class SpikeRule:
    name: str
    event_types: frozenset[str]
    countries: frozenset[str]
    window_seconds: float
    baseline_windows: int
    min_count: int
    ratio: float
    severity: str = "warning"
    description: str = ""


def spike_alert_id(rule: str, country: str, event_type: str, window_start: int) -> str:
    return hashlib.sha256(f"spike\x00{rule}\x00{country}\x00{event_type}\x00{window_start}".encode()).hexdigest()[:32]


class SpikeCounter:
    """Event counts per (country, type, window) for one story block, bounded to the baseline."""

    def __init__(self, counts: dict[str, dict[str, int]] | None = None, fired: list[str] | None = None) -> None:
        #: "country|TYPE" -> {window start (s, as text): count}
        self.counts: dict[str, dict[str, int]] = counts or {}
        self.fired: list[str] = fired or []

    def observe(self, article: EnrichedArticle, rules: tuple[SpikeRule, ...]) -> list[Alert]:
        """Count the article's events; return the spike alerts that this makes fire."""
        alerts: list[Alert] = []
        seen_at = article.ingested_at / 1000
        counted: set[str] = set()
        for event in article.events:
            country = event.country or (article.countries[0] if article.countries else None)
            if not event.is_fact or country is None:
                continue
            key = f"{country}|{event.type}"
            if key in counted:
                continue  # one article is one report, however many sentences repeat the event
            counted.add(key)
            for rule in rules:
                if (rule.event_types and event.type not in rule.event_types) or (
                    rule.countries and country not in rule.countries
                ):
                    continue
                alert = self._count(rule, key, country, event.type, seen_at, article)
                if alert is not None:
                    alerts.append(alert)
        return alerts

    def _count(
        self, rule: SpikeRule, key: str, country: str, event_type: str, seen_at: float, article: EnrichedArticle
    ) -> Alert | None:
        buckets = self.counts.setdefault(f"{rule.name}|{key}", {})
        start = int(seen_at // rule.window_seconds * rule.window_seconds)
        # the baseline only spans windows since this key was first seen: before that there was
        # no stream to compare with, not a run of zeros
        first = buckets.setdefault("first", start)
        buckets[str(start)] = buckets.get(str(start), 0) + 1
        oldest = start - rule.baseline_windows * rule.window_seconds
        for stale in [b for b in buckets if b != "first" and int(b) < oldest]:
            del buckets[stale]
        current = buckets[str(start)]
        history = [
            int(start - i * rule.window_seconds)
            for i in range(1, rule.baseline_windows + 1)
            if start - i * rule.window_seconds >= first
        ]
        baseline = sum(buckets.get(str(w), 0) for w in history) / len(history) if history else 0.0
        alert_key = spike_alert_id(rule.name, country, event_type, start)
        if current < rule.min_count or current < rule.ratio * baseline or alert_key in self.fired:
            return None
        self.fired = [*self.fired[-200:], alert_key]
        return Alert(
            id=alert_key,
            rule=rule.name,
            severity=rule.severity,
            kind="spike",
            title=f"Spike: {current} {event_type} events in {country} this window (baseline {baseline:.1f})",
            summary=(
                f"{rule.description + '. ' if rule.description else ''}{current} reports of {event_type} "
                f"in {country} within {rule.window_seconds / 3600:g} h against a mean of {baseline:.1f} over "
                f"the previous {rule.baseline_windows} windows; latest: {article.title}"
            ),
            article_ids=[article.id],
            story_id=f"spike-{country}-{event_type}-{start}",
            event_types=[event_type],
            countries=[country],
            created_at=article.ingested_at,
        )

    def to_dict(self) -> dict[str, Any]:
        return {"counts": self.counts, "fired": self.fired}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> SpikeCounter:
        data = data or {}
        return cls(data.get("counts"), data.get("fired"))
