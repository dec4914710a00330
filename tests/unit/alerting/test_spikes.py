"""Spike rules on synthetic streams: a burst fires once per window, a steady stream never does."""

import pytest

from streams.alerting.rules_file import parse_rules
from streams.alerting.spikes import SpikeCounter
from streams.core.errors import ConfigError
from streams.core.models import EnrichedArticle, Event

RULES = parse_rules(
    """
rules:
  - name: unrest
    kind: spike
    event_types: [PROTEST]
    window: 1h
    baseline_windows: 6
    min_count: 5
    ratio: 3
""",
    "t.yaml",
)
HOUR_MS = 3_600_000


def _protest(index: int, at_ms: int, country: str = "KE") -> EnrichedArticle:
    event = Event("PROTEST", "Crowds marched.", "body", 0, 15, 0.8, country=country)
    return EnrichedArticle(
        f"a{index}",
        "t",
        "Crowds marched.",
        None,
        None,
        None,
        "en",
        at_ms,
        [],
        [event],
        [country],
        "PROTEST",
        f"s{index}",
        "v",
    )


def _feed(counter: SpikeCounter, articles) -> list:
    return [alert for article in articles for alert in counter.observe(article, RULES.spikes)]


def test_a_burst_raises_exactly_one_alert_per_window():
    """Two quiet hours, then 12 protests in one hour and 12 in the next: one alert each hour."""
    counter = SpikeCounter()
    quiet = [_protest(i, i * HOUR_MS) for i in range(2)]
    burst = [_protest(100 + i, 5 * HOUR_MS + i * 60_000) for i in range(12)]
    next_hour = [_protest(200 + i, 6 * HOUR_MS + i * 60_000) for i in range(12)]
    alerts = _feed(counter, quiet + burst + next_hour)
    assert [a.kind for a in alerts] == ["spike", "spike"]
    assert alerts[0].countries == ["KE"] and alerts[0].event_types == ["PROTEST"]
    assert "5 PROTEST" in alerts[0].title
    assert len({a.id for a in alerts}) == 2


def test_a_steady_stream_never_fires():
    """Six protests every hour for a day: above the floor, but never three times the baseline."""
    counter = SpikeCounter()
    steady = [_protest(h * 10 + i, h * HOUR_MS + i * 600_000) for h in range(24) for i in range(6)]
    assert _feed(counter, steady)[1:] == []  # only the very first window, against an empty baseline


def test_counts_survive_serialisation_and_replay_does_not_duplicate():
    """Restored from its dict form, the counter neither forgets the window nor fires again."""
    counter = SpikeCounter()
    burst = [_protest(i, 5 * HOUR_MS + i * 60_000) for i in range(6)]
    assert len(_feed(counter, burst)) == 1
    restored = SpikeCounter.from_dict(counter.to_dict())
    assert _feed(restored, [_protest(99, 5 * HOUR_MS + 3_000_000)]) == []


def test_other_countries_and_types_are_counted_apart():
    """Five protests spread over five countries fire nothing."""
    counter = SpikeCounter()
    assert _feed(counter, [_protest(i, HOUR_MS, country=c) for i, c in enumerate(["KE", "UG", "TZ", "RW", "BI"])]) == []


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("window", "soon", "'cooldown' must be a duration"),
        ("ratio", 0, "'ratio' must be a positive"),
        ("min_count", 2.5, "'min_count' must be a positive whole"),
        ("colour", "red", "unknown field(s) colour"),
    ],
)
def test_invalid_spike_rules_are_refused(field, value, message):
    """Bad spike settings fail at start-up, naming the field."""
    text = f"rules:\n  - name: s\n    kind: spike\n    {field}: {value}\n"
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        parse_rules(text, "t.yaml")
