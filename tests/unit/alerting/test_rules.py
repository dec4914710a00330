from pathlib import Path

import pytest

from streams.alerting.rules import alert_id
from streams.alerting.rules_file import default_rules_path, load_rules, parse_rules
from streams.core.errors import ConfigError


def test_default_rules_alert_on_the_seed(enriched_seed):
    """The shipped rules raise alerts for the seed, the Pakistan–Afghanistan rule among them."""
    alerts = load_rules().evaluate(enriched_seed)
    rules = {a.rule for a in alerts}
    assert "pakistan-afghanistan-conflict" in rules
    assert "mass-casualty-violence" in rules
    assert all(a.story_id == enriched_seed.story_id for a in alerts)


def test_alert_ids_are_deterministic_per_rule_and_story(enriched_seed):
    """Evaluating twice (a redelivery) gives the same ids; different rules give different ids."""
    rules = load_rules()
    first = {a.id for a in rules.evaluate(enriched_seed, created_at=1)}
    second = {a.id for a in rules.evaluate(enriched_seed, created_at=2)}
    assert first == second
    assert alert_id("a", "story") != alert_id("b", "story")


def test_criteria_must_all_hold(enriched_seed):
    """A rule fires only when type, country and fatality threshold hold for one event."""
    text = """
rules:
  - name: big-battle-pk
    event_types: [ASSAULT]
    countries: [PK]
    min_fatalities: 150
  - name: too-many-dead
    event_types: [ASSAULT]
    min_fatalities: 5000
  - name: wrong-country
    event_types: [AGREE]
    countries: [FR]
  - name: keyword-and-entity
    keywords: ["precision strikes"]
    entities: [Attaullah Tarar]
"""
    fired = {a.rule for a in parse_rules(text, "test.yaml").evaluate(enriched_seed)}
    assert fired == {"big-battle-pk", "keyword-and-entity"}


def test_negated_and_hypothetical_events_never_fire(enricher, make_article):
    """'No agreement was reached' does not trip an agreement rule."""
    article = enricher.enrich(make_article("No agreement was reached after talks in Muscat on Monday."))
    rules = parse_rules("rules:\n  - name: any-agreement\n    event_types: [AGREE]\n", "t.yaml")
    assert rules.evaluate(article) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("rules:\n  - name: a\n    severity: urgent\n", "t.yaml:2 (rule 'a'): 'severity' must be one of"),
        (
            "rules:\n  - name: a\n  - name: b\n    event_types: [ATTACK]\n",
            "t.yaml:3 (rule 'b'): 'event_types' has unknown",
        ),
        ("rules:\n  - name: a\n    countries: [Pakistan]\n", "'countries' must be ISO-3166 alpha-2"),
        ("rules:\n  - name: a\n    min_fatalities: many\n", "'min_fatalities' must be a whole number"),
        ("rules:\n  - name: a\n    colour: red\n", "unknown field(s) colour"),
        ("rules:\n  - severity: info\n", "t.yaml:2: 'name' is required"),
        ("rules:\n  - name: a\n  - name: a\n", "rule name 'a' is used twice"),
        ("rules: [\n", "t.yaml:2: not valid YAML"),
        ("- name: a\n", "expected a mapping with a 'rules:' list"),
    ],
)
def test_invalid_rules_name_file_line_and_field(text: str, message: str):
    """Every validation error says where and what."""
    with pytest.raises(ConfigError) as error:
        parse_rules(text, "t.yaml")
    assert message in str(error.value)


def test_shipped_default_file_is_valid():
    """deploy/alerts.yaml loads, and every rule has a severity."""
    rules = load_rules(default_rules_path())
    assert len(rules.rules) >= 5
    assert Path(rules.origin).name == "alerts.yaml"
