"""Alert rules matched against enriched articles, once per story and escalation level. Pure logic;
the rules file is read by rules_file.py, the firing memory kept by firing_log.py."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import cached_property

from streams.alerting.firing_log import FiringLog
from streams.alerting.spikes import SpikeRule
from streams.core.models import Alert, EnrichedArticle, Event, now_millis

SEVERITIES = ("info", "warning", "critical")


@dataclass(frozen=True)
class AlertRule:
    """One rule. Criteria left empty match anything; all criteria set must hold."""

    name: str
    severity: str = "warning"
    description: str = ""
    event_types: frozenset[str] = frozenset()
    modes: frozenset[str] = frozenset()
    acled_event_types: frozenset[str] = frozenset()
    acled_sub_event_types: frozenset[str] = frozenset()
    countries: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset()
    keywords: tuple[str, ...] = ()
    sources: frozenset[str] = frozenset()
    min_fatalities: int | None = None
    #: (min_fatalities, severity) steps, ascending: a story whose toll crosses a step re-alerts higher
    escalation: tuple[tuple[int, str], ...] = ()
    #: after this many seconds the rule may alert again on the same story (0: once per story and level)
    cooldown_seconds: float = 0.0

    def level(self, story_fatalities: int) -> tuple[int, str]:
        """(escalation level, severity) for a story's highest reported toll."""
        level, severity = 0, self.severity
        for index, (threshold, step_severity) in enumerate(self.escalation, start=1):
            if story_fatalities >= threshold:
                level, severity = index, step_severity
        return level, severity

    @property
    def has_event_criteria(self) -> bool:
        return bool(
            self.event_types
            or self.modes
            or self.acled_event_types
            or self.acled_sub_event_types
            or self.countries
            or self.min_fatalities is not None
        )

    @cached_property
    def _keyword_pattern(self) -> re.Pattern[str] | None:
        if not self.keywords:
            return None
        alternatives = "|".join(re.escape(k) for k in self.keywords)
        return re.compile(rf"\b(?:{alternatives})\b", re.IGNORECASE)

    def event_matches(self, event: Event, article_countries: list[str]) -> bool:
        """Whether one coded event meets every event criterion of the rule."""
        if not event.is_fact:
            return False
        if self.event_types and event.type not in self.event_types:
            return False
        if self.modes and event.mode not in self.modes:
            return False
        if self.acled_event_types and event.acled_event_type not in self.acled_event_types:
            return False
        if self.acled_sub_event_types and event.acled_sub_event_type not in self.acled_sub_event_types:
            return False
        country = event.country or (article_countries[0] if article_countries else None)
        if self.countries and country not in self.countries:
            return False
        return not (self.min_fatalities is not None and (event.fatalities or 0) < self.min_fatalities)

    def matching_events(self, article: EnrichedArticle) -> list[Event] | None:
        """The events that make the rule fire (empty list for a rule with no event criteria),
        or None when the rule does not fire for this article."""
        if self.sources and article.source not in self.sources:
            return None
        if self.entities:
            names = {e.canonical.casefold() for e in article.entities} | {e.text.casefold() for e in article.entities}
            if not any(name.casefold() in names for name in self.entities):
                return None
        if self._keyword_pattern is not None and not self._keyword_pattern.search(f"{article.title}\n{article.body}"):
            return None
        if not self.has_event_criteria:
            return []
        events = [e for e in article.events if self.event_matches(e, article.countries)]
        return events or None


def alert_id(rule_name: str, story_id: str, level: int = 0, occurrence: int = 0) -> str:
    """Deterministic: one rule, one story (one escalation level, one cooldown period) → one id."""
    basis = f"{rule_name}\x00{story_id}" + (f"\x00{level}\x00{occurrence}" if level or occurrence else "")
    return hashlib.sha256(basis.encode()).hexdigest()[:32]


def _summary(rule: AlertRule, article: EnrichedArticle, events: list[Event]) -> str:
    parts = []
    if rule.description:
        parts.append(rule.description + ".")
    if events:
        event = events[0]
        who = " → ".join(p for p in (event.actor, event.target) if p)
        where = event.location or event.country or ""
        deaths = f", {event.fatalities} killed" if event.fatalities else ""
        detail = ", ".join(p for p in (who, where, event.date or "") if p)
        parts.append(
            f"{event.type}{'/' + event.acled_sub_event_type if event.acled_sub_event_type else ''}"
            f" ({detail}{deaths}): {event.sentence[:280]}"
        )
    return " ".join(parts) or article.title


@dataclass(frozen=True)
class RuleSet:
    """Every rule, evaluated together."""

    rules: tuple[AlertRule, ...]
    origin: str = "<built-in>"
    spikes: tuple[SpikeRule, ...] = ()

    def evaluate(
        self,
        article: EnrichedArticle,
        *,
        created_at: int | None = None,
        story_id: str | None = None,
        story_fatalities: int | None = None,
        log: FiringLog | None = None,
    ) -> list[Alert]:
        """The alerts this article raises: at most one per rule and story (and escalation level),
        with ids deterministic per (rule, story, level), so redelivery or re-reporting never
        duplicates one. Without a story index the article's own story_id is the story."""
        now = created_at if created_at is not None else now_millis()
        story = story_id or article.story_id
        toll = (
            story_fatalities
            if story_fatalities is not None
            else max((e.fatalities or 0 for e in article.events if e.is_fact), default=0)
        )
        alerts = []
        for rule in self.rules:
            events = rule.matching_events(article)
            if events is None:
                continue
            level, severity = rule.level(toll)
            occurrence = 0
            if log is not None:
                occurrence_or_none = log.claim(rule, story, level, now)
                if occurrence_or_none is None:
                    continue
                occurrence = occurrence_or_none
            event_types = sorted({e.type for e in events}) or ([article.primary_event] if article.primary_event else [])
            title = article.title if level == 0 else f"[escalated: {toll} killed] {article.title}"
            alerts.append(
                Alert(
                    id=alert_id(rule.name, story, level, occurrence),
                    rule=rule.name,
                    severity=severity,
                    kind="match",
                    title=title,
                    summary=_summary(rule, article, events),
                    article_ids=[article.id],
                    story_id=story,
                    event_types=event_types,
                    countries=sorted({e.country for e in events if e.country}) or article.countries[:3],
                    created_at=now,
                )
            )
        return alerts
