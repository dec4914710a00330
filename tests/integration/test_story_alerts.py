"""Alerts once per story on the running pipeline: the seed article and four rewrites from other
outlets are one story with one alert per matching rule; the rewrite with a higher toll escalates;
after a kill -9 and a restart, re-ingesting everything raises nothing new (state restored from
the table's changelog)."""

from __future__ import annotations

import signal
import time

import pytest

from streams.wire.avro import AvroSerializer
from tests.integration.conftest import ROOT, read_topic, run_cli

pytestmark = pytest.mark.integration

DATA = ROOT / "tests" / "data"
SEED = ROOT / "seeds" / "pakistan-afghan-taliban-talks-istanbul.txt"
CODEC = AvroSerializer("alert")


def _alerts(env: dict[str, str], until, timeout: float = 120) -> list[dict]:
    return [CODEC.decode(v) for v in read_topic(env["NEWSSTREAM_TOPIC_ALERTS"], until=until, timeout=timeout)]


def _ingest(env: dict[str, str], *paths) -> None:
    result = run_cli(env, "ingest", "--quiet", *map(str, paths))
    assert result.returncode == 0, result.stderr.decode()


def test_one_story_one_alert_per_rule_then_escalation_and_restart(worker, pipeline_env):
    """Five reports → one story; the 260-dead rewrite → one critical update; restart → nothing new."""
    rewrites = sorted((DATA / "seed_rewrites").glob("*.txt"))
    _ingest(pipeline_env, SEED)
    first = _alerts(pipeline_env, until=lambda v: len(v) >= 3)
    story = first[0]["story_id"]
    time.sleep(3)  # the story exists before the other outlets' reports arrive
    _ingest(pipeline_env, *rewrites[:3], DATA / "unrelated")
    time.sleep(15)
    before_escalation = _alerts(pipeline_env, until=lambda v: False, timeout=4)
    seed_story = [a for a in before_escalation if a["story_id"] == story]
    rules = [a["rule"] for a in seed_story]
    assert len(rules) == len(set(rules)), f"a rule alerted twice on one story: {rules}"
    assert "pakistan-afghanistan-conflict" in rules
    assert [a["severity"] for a in seed_story if a["rule"] == "mass-casualty-violence"] == ["warning"]
    assert len({a["story_id"] for a in before_escalation if a["rule"] == "pakistan-afghanistan-conflict"}) == 1

    _ingest(pipeline_env, rewrites[3])
    after = _alerts(pipeline_env, until=lambda v: len(v) > len(before_escalation))
    new = [a for a in after if a["id"] not in {b["id"] for b in before_escalation}]
    assert [(a["rule"], a["severity"], a["story_id"]) for a in new] == [("mass-casualty-violence", "critical", story)]
    assert new[0]["title"].startswith("[escalated: 260 killed]")

    # kill -9, restart, feed everything again: the firing log comes back from the changelog
    assert worker.process is not None
    worker.process.send_signal(signal.SIGKILL)
    worker.process.wait(timeout=10)
    worker.start()
    _ingest(pipeline_env, SEED, *rewrites, DATA / "unrelated")
    time.sleep(25)
    replayed = _alerts(pipeline_env, until=lambda v: False, timeout=4)
    assert {a["id"] for a in replayed} == {a["id"] for a in after}, "a restart raised new alerts"
    assert worker.alive


PROTESTS = [
    (
        "Mombasa",
        "Achieng Otieno",
        "Dock workers marched to the port authority offices in Mombasa, Kenya, on Monday over "
        "delayed wages, union official Achieng Otieno said.",
    ),
    (
        "Kisumu",
        "Brian Wafula",
        "Fish traders blocked the lakeside market road in Kisumu, Kenya, protesting new "
        "county levies, according to trader representative Brian Wafula.",
    ),
    (
        "Nakuru",
        "Mercy Chebet",
        "Nurses at Nakuru's county referral hospital in Kenya staged a sit-in demanding "
        "overdue promotions, their spokeswoman Mercy Chebet told reporters.",
    ),
    (
        "Eldoret",
        "Daniel Kiprop",
        "University students in Eldoret, Kenya, rallied outside the administration block "
        "against a sharp rise in hostel fees, student leader Daniel Kiprop said.",
    ),
    (
        "Thika",
        "Grace Wanjiru",
        "Pineapple farmers demonstrated along the Thika superhighway in Kenya over low "
        "buying prices set by processors, said farmers' cooperative head Grace Wanjiru.",
    ),
    (
        "Malindi",
        "Hassan Mwinyi",
        "Fishermen in Malindi, Kenya, protested at the beach management unit against "
        "foreign trawlers, local chairman Hassan Mwinyi said.",
    ),
    (
        "Garissa",
        "Fatuma Abdi",
        "Women's groups marched through Garissa town in Kenya calling for water trucking to "
        "resume during the drought, organiser Fatuma Abdi said.",
    ),
]


def test_a_burst_of_protest_stories_raises_one_spike_alert(worker, pipeline_env, tmp_path):
    """Seven different protests in Kenya within minutes: one unrest-spike alert for that window."""
    import json

    lines = [
        {"title": f"Protest in {town}", "body": body, "url": f"https://news.example.org/{town.lower()}-protest"}
        for town, _leader, body in PROTESTS
    ]
    feed = tmp_path / "protests.jsonl"
    feed.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    _ingest(pipeline_env, feed)
    deadline = time.monotonic() + 90
    spikes: list[dict] = []
    while time.monotonic() < deadline:
        spikes = [a for a in _alerts(pipeline_env, until=lambda v: False, timeout=3) if a["kind"] == "spike"]
        if spikes:
            break
    time.sleep(5)
    spikes = [a for a in _alerts(pipeline_env, until=lambda v: False, timeout=3) if a["kind"] == "spike"]
    assert [(a["rule"], a["countries"], a["event_types"]) for a in spikes] == [("unrest-spike", ["KE"], ["PROTEST"])]
