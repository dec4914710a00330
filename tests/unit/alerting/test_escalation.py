"""Once per story, escalation on a rising toll, cooldown: the FiringLog with real rules."""

from streams.alerting.firing_log import FiringLog
from streams.alerting.rules_file import parse_rules

RULES = parse_rules(
    """
rules:
  - name: deadly
    severity: warning
    event_types: [ASSAULT]
    min_fatalities: 10
    escalation:
      - {min_fatalities: 250, severity: critical}
  - name: repeating
    event_types: [ASSAULT]
    cooldown: 1h
""",
    "t.yaml",
)


def test_one_alert_per_story_then_an_escalation(enriched_seed):
    """Five reports of one story raise one alert per rule; a toll past the step raises one more."""
    log = FiringLog()
    first = RULES.evaluate(enriched_seed, created_at=0, story_id="story-1", story_fatalities=200, log=log)
    assert {(a.rule, a.severity) for a in first} == {("deadly", "warning"), ("repeating", "warning")}
    for minute in range(1, 5):
        assert (
            RULES.evaluate(enriched_seed, created_at=minute * 60_000, story_id="story-1", story_fatalities=200, log=log)
            == []
        )
    escalated = RULES.evaluate(enriched_seed, created_at=300_000, story_id="story-1", story_fatalities=260, log=log)
    assert [(a.rule, a.severity) for a in escalated] == [("deadly", "critical")]
    assert escalated[0].id not in {a.id for a in first}
    assert escalated[0].title.startswith("[escalated: 260 killed]")


def test_cooldown_allows_a_new_alert_later(enriched_seed):
    """After its cooldown a rule may alert on the same story again, under a new id."""
    log = FiringLog()
    first = {a.rule: a.id for a in RULES.evaluate(enriched_seed, created_at=0, story_id="s", log=log)}
    later = {a.rule: a.id for a in RULES.evaluate(enriched_seed, created_at=3_600_000, story_id="s", log=log)}
    assert set(later) == {"repeating"}
    assert later["repeating"] != first["repeating"]


def test_ids_do_not_depend_on_timing(enriched_seed):
    """The same story and rule give the same id on a replay with a fresh log."""
    one = {a.id for a in RULES.evaluate(enriched_seed, created_at=5, story_id="s", log=FiringLog())}
    two = {a.id for a in RULES.evaluate(enriched_seed, created_at=99, story_id="s", log=FiringLog())}
    assert one == two
