"""Alert delivery to a real Prometheus Alertmanager over its API v2."""

import httpx
import pytest

from streams.alerting.notifiers import alertmanager_notifier
from streams.core.models import Alert, now_millis

pytestmark = pytest.mark.integration


def test_alerts_arrive_labelled_and_deduplicated(alertmanager):
    """The same alert sent twice is one alert in Alertmanager, with rule, severity and story labels."""
    alert = Alert(
        "a-1",
        "mass-casualty-violence",
        "critical",
        "match",
        "Clashes kill 23",
        "Summary text",
        ["art-1"],
        "story-42",
        ["ASSAULT"],
        ["CD"],
        now_millis(),
    )
    notifier = alertmanager_notifier(alertmanager)
    notifier.send(alert)
    notifier.send(alert)
    found = [
        a
        for a in httpx.get(f"{alertmanager}/api/v2/alerts", timeout=5).json()
        if a["labels"].get("story_id") == "story-42"
    ]
    assert len(found) == 1
    labels = found[0]["labels"]
    assert (labels["rule"], labels["severity"], labels["countries"]) == ("mass-casualty-violence", "critical", "CD")
    assert found[0]["annotations"]["title"] == "Clashes kill 23"
    assert found[0]["status"]["state"] == "active"
