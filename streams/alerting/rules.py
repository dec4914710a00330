"""Alert rules: YAML in, validated at start-up, matched against enriched articles. Pure logic."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from streams.enrich.taxonomy import ACLED_SUB_TYPES, PLOVER_TYPES
from streams.errors import ConfigError
from streams.models import Alert, EnrichedArticle, Event, now_millis

SEVERITIES = ("info", "warning", "critical")
_LIST_FIELDS = (
    "event_types",
    "modes",
    "acled_event_types",
    "acled_sub_event_types",
    "countries",
    "entities",
    "keywords",
    "sources",
)
_KNOWN_FIELDS = {"name", "description", "severity", "min_fatalities", *_LIST_FIELDS}
_ACLED_TYPES = frozenset(ACLED_SUB_TYPES.values())


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


def alert_id(rule_name: str, story_id: str) -> str:
    """Deterministic: one rule and one story always give the same alert id."""
    return hashlib.sha256(f"{rule_name}\x00{story_id}".encode()).hexdigest()[:32]


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

    def evaluate(self, article: EnrichedArticle, *, created_at: int | None = None) -> list[Alert]:
        """The alerts this article raises, one per matching rule, ids deterministic per story."""
        alerts = []
        for rule in self.rules:
            events = rule.matching_events(article)
            if events is not None:
                event_types = sorted({e.type for e in events}) or (
                    [article.primary_event] if article.primary_event else []
                )
                alerts.append(
                    Alert(
                        id=alert_id(rule.name, article.story_id),
                        rule=rule.name,
                        severity=rule.severity,
                        kind="match",
                        title=article.title,
                        summary=_summary(rule, article, events),
                        article_ids=[article.id],
                        story_id=article.story_id,
                        event_types=event_types,
                        countries=sorted({e.country for e in events if e.country}) or article.countries[:3],
                        created_at=created_at if created_at is not None else now_millis(),
                    )
                )
        return alerts


def _line_of(text: str, index: int) -> int | None:
    """1-based line of the index-th list item under `rules:` (for error messages)."""
    try:
        node = yaml.compose(text)
    except yaml.YAMLError:
        return None
    if node is None or not isinstance(node, yaml.MappingNode):
        return None
    for key, value in node.value:
        if key.value == "rules" and isinstance(value, yaml.SequenceNode) and index < len(value.value):
            return int(value.value[index].start_mark.line) + 1
    return None


def _as_list(value: Any, where: str, name: str) -> list[str]:
    if isinstance(value, str):
        return [value]
    if not isinstance(value, list) or not all(isinstance(v, str | int) for v in value):
        raise ConfigError(f"{where}: '{name}' must be a list of strings")
    return [str(v) for v in value]


def parse_rules(text: str, origin: str) -> RuleSet:
    """Validate rule YAML; every problem names the file, the line and the field."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{origin}:{mark.line + 1}" if mark else origin
        raise ConfigError(f"{where}: not valid YAML: {getattr(exc, 'problem', exc)}") from None
    if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
        raise ConfigError(f"{origin}: expected a mapping with a 'rules:' list")
    rules: list[AlertRule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"]):
        line = _line_of(text, index)
        where = f"{origin}:{line}" if line else f"{origin} rule {index + 1}"
        rules.append(_parse_rule(raw, where, seen))
    return RuleSet(tuple(rules), origin)


def _parse_rule(raw: Any, where: str, seen: set[str]) -> AlertRule:
    if not isinstance(raw, dict):
        raise ConfigError(f"{where}: each rule must be a mapping")
    unknown = sorted(set(raw) - _KNOWN_FIELDS)
    if unknown:
        raise ConfigError(f"{where}: unknown field(s) {', '.join(unknown)}; known: {', '.join(sorted(_KNOWN_FIELDS))}")
    name = raw.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ConfigError(f"{where}: 'name' is required")
    if name in seen:
        raise ConfigError(f"{where}: rule name {name!r} is used twice")
    seen.add(name)
    where = f"{where} (rule {name!r})"
    severity = raw.get("severity", "warning")
    if severity not in SEVERITIES:
        raise ConfigError(f"{where}: 'severity' must be one of {', '.join(SEVERITIES)}, not {severity!r}")
    lists = {key: _as_list(raw[key], where, key) for key in _LIST_FIELDS if key in raw}
    bad_types = sorted(set(t.upper() for t in lists.get("event_types", [])) - set(PLOVER_TYPES))
    if bad_types:
        raise ConfigError(f"{where}: 'event_types' has unknown PLOVER type(s) {', '.join(bad_types)}")
    bad_acled = sorted(set(lists.get("acled_event_types", [])) - _ACLED_TYPES)
    if bad_acled:
        raise ConfigError(
            f"{where}: 'acled_event_types' has unknown value(s) {bad_acled}; known: {sorted(_ACLED_TYPES)}"
        )
    bad_sub = sorted(set(lists.get("acled_sub_event_types", [])) - set(ACLED_SUB_TYPES))
    if bad_sub:
        raise ConfigError(f"{where}: 'acled_sub_event_types' has unknown value(s) {bad_sub}")
    bad_countries = [c for c in lists.get("countries", []) if not re.fullmatch(r"[A-Za-z]{2}", c)]
    if bad_countries:
        raise ConfigError(f"{where}: 'countries' must be ISO-3166 alpha-2 codes, not {bad_countries}")
    min_fatalities = raw.get("min_fatalities")
    if min_fatalities is not None and (not isinstance(min_fatalities, int) or min_fatalities < 0):
        raise ConfigError(f"{where}: 'min_fatalities' must be a whole number ≥ 0")
    description = raw.get("description", "")
    if not isinstance(description, str):
        raise ConfigError(f"{where}: 'description' must be text")
    return AlertRule(
        name=name,
        severity=severity,
        description=description,
        event_types=frozenset(t.upper() for t in lists.get("event_types", [])),
        modes=frozenset(lists.get("modes", [])),
        acled_event_types=frozenset(lists.get("acled_event_types", [])),
        acled_sub_event_types=frozenset(lists.get("acled_sub_event_types", [])),
        countries=frozenset(c.upper() for c in lists.get("countries", [])),
        entities=frozenset(lists.get("entities", [])),
        keywords=tuple(lists.get("keywords", [])),
        sources=frozenset(lists.get("sources", [])),
        min_fatalities=min_fatalities,
    )


def default_rules_path() -> Path:
    """deploy/alerts.yaml in a checkout, or the copy packed into the wheel."""
    in_checkout = Path(__file__).resolve().parents[2] / "deploy" / "alerts.yaml"
    if in_checkout.is_file():
        return in_checkout
    return Path(str(resources.files("streams") / "_defaults" / "alerts.yaml"))


def load_rules(path: Path | None = None) -> RuleSet:
    """Read and validate a rules file (the built-in default when path is None)."""
    path = path or default_rules_path()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(
            f"cannot read alert rules {path}: {exc.strerror or exc}; check NEWSSTREAM_ALERT_RULES"
        ) from None
    return parse_rules(text, str(path))


def rules_from(paths: Iterable[Path]) -> RuleSet:
    """Several rule files as one set (names must stay unique across them)."""
    rules: list[AlertRule] = []
    for path in paths:
        rules.extend(load_rules(path).rules)
    names = [r.name for r in rules]
    duplicates = sorted({n for n in names if names.count(n) > 1})
    if duplicates:
        raise ConfigError(f"rule name(s) used in more than one file: {', '.join(duplicates)}")
    return RuleSet(tuple(rules), ",".join(str(p) for p in paths))
