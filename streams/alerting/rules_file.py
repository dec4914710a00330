"""The alert rules file (YAML): parsed and validated at start-up, every mistake reported with the
rule and line it is on."""

from __future__ import annotations

import re
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from streams.alerting.rules import SEVERITIES, AlertRule, RuleSet
from streams.alerting.spikes import SpikeRule
from streams.core.errors import ConfigError
from streams.reference.taxonomy import ACLED_SUB_TYPES, PLOVER_TYPES

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
_KNOWN_FIELDS = {"name", "description", "severity", "min_fatalities", "escalation", "cooldown", *_LIST_FIELDS}
_DURATION = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([smhd]?)\s*$")
_ACLED_TYPES = frozenset(ACLED_SUB_TYPES.values())


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
    spikes: list[SpikeRule] = []
    seen: set[str] = set()
    for index, raw in enumerate(data["rules"]):
        line = _line_of(text, index)
        where = f"{origin}:{line}" if line else f"{origin} rule {index + 1}"
        if isinstance(raw, dict) and raw.get("kind", "match") == "spike":
            spikes.append(_parse_spike(raw, where, seen))
        elif isinstance(raw, dict) and raw.get("kind", "match") != "match":
            raise ConfigError(f"{where}: 'kind' must be match or spike, not {raw.get('kind')!r}")
        else:
            rules.append(_parse_rule(raw, where, seen))
    return RuleSet(tuple(rules), origin, tuple(spikes))


_SPIKE_FIELDS = {
    "name",
    "kind",
    "description",
    "severity",
    "event_types",
    "countries",
    "window",
    "baseline_windows",
    "min_count",
    "ratio",
}


def _parse_spike(raw: dict[str, Any], where: str, seen: set[str]) -> SpikeRule:
    unknown = sorted(set(raw) - _SPIKE_FIELDS)
    if unknown:
        raise ConfigError(
            f"{where}: unknown field(s) {', '.join(unknown)} for a spike rule; "
            f"known: {', '.join(sorted(_SPIKE_FIELDS))}"
        )
    base = _parse_rule(
        {k: raw[k] for k in ("name", "description", "severity", "event_types", "countries") if k in raw}, where, seen
    )
    where = f"{where} (rule {base.name!r})"
    window = _parse_duration(raw.get("window", "1h"), where)
    if window <= 0:
        raise ConfigError(f"{where}: 'window' must be longer than zero")
    numbers = {}
    for name, kind, default in (("baseline_windows", int, 24), ("min_count", int, 5), ("ratio", float, 3.0)):
        value = raw.get(name, default)
        if (
            not isinstance(value, int | float)
            or isinstance(value, bool)
            or value <= 0
            or (kind is int and value != int(value))
        ):
            raise ConfigError(f"{where}: '{name}' must be a positive {'whole ' if kind is int else ''}number")
        numbers[name] = kind(value)
    return SpikeRule(
        name=base.name,
        event_types=base.event_types,
        countries=base.countries,
        window_seconds=window,
        baseline_windows=int(numbers["baseline_windows"]),
        min_count=int(numbers["min_count"]),
        ratio=float(numbers["ratio"]),
        severity=base.severity,
        description=base.description,
    )


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
    escalation = _parse_escalation(raw.get("escalation"), where)
    cooldown = _parse_duration(raw.get("cooldown", 0), where)
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
        escalation=escalation,
        cooldown_seconds=cooldown,
    )


def _parse_duration(value: Any, where: str) -> float:
    match = _DURATION.match(str(value))
    if not match:
        raise ConfigError(f"{where}: 'cooldown' must be a duration like 30m, 6h or 2d, not {value!r}")
    return float(match[1]) * {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400}[match[2]]


def _parse_escalation(value: Any, where: str) -> tuple[tuple[int, str], ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise ConfigError(f"{where}: 'escalation' must be a list of {{min_fatalities, severity}}")
    steps = []
    for step in value:
        if not isinstance(step, dict) or set(step) != {"min_fatalities", "severity"}:
            raise ConfigError(f"{where}: each 'escalation' step needs exactly min_fatalities and severity")
        if not isinstance(step["min_fatalities"], int) or step["min_fatalities"] < 0:
            raise ConfigError(f"{where}: escalation 'min_fatalities' must be a whole number ≥ 0")
        if step["severity"] not in SEVERITIES:
            raise ConfigError(f"{where}: escalation 'severity' must be one of {', '.join(SEVERITIES)}")
        steps.append((int(step["min_fatalities"]), str(step["severity"])))
    if [s[0] for s in steps] != sorted(s[0] for s in steps):
        raise ConfigError(f"{where}: 'escalation' steps must be in ascending min_fatalities")
    return tuple(steps)


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
