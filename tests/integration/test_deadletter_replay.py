"""`newsstream deadletters replay` re-drives what a receiver refused, once the receiver is fixed."""

from __future__ import annotations

import subprocess
import sys
import uuid

import pytest

from streams.wire.avro import AvroSerializer
from tests.drills.test_fault_drills import new_worker, publish
from tests.drills.test_outage_drills import reports
from tests.integration.conftest import ROOT, _free_port, read_topic, topics_of_run, wait_for
from tests.support.alert_receiver import AlertReceiver

pytestmark = pytest.mark.integration


def test_alerts_a_webhook_refused_are_delivered_once_after_replay(pipeline_env, tmp_path):
    """A webhook answering 400 turns alerts into `webhook_refused` dead letters (not retried); after
    the receiver is fixed, replaying that reason delivers each of them once."""
    receiver = AlertReceiver(_free_port())
    receiver.refuse = True
    receiver.start()
    run = uuid.uuid4().hex[:8]
    env = {
        **pipeline_env,
        **topics_of_run(f"replay-{run}"),
        "NEWSSTREAM_APP_ID": f"replay-{run}",
        "NEWSSTREAM_WEBHOOK_URL": receiver.url,
    }
    worker = new_worker(env, tmp_path, "replay")
    codec = AvroSerializer("dead_letter")
    try:
        publish(env, reports("refused", ["Goma", "Kharkiv", "Gao"], 6))
        wait_for(
            lambda: len(read_topic(env["NEWSSTREAM_TOPIC_DEADLETTER"], until=lambda v: len(v) >= 3, timeout=5)) >= 3,
            180,
            lambda: worker.log_tail(),
        )
        letters = [
            codec.decode(v) for v in read_topic(env["NEWSSTREAM_TOPIC_DEADLETTER"], until=lambda v: False, timeout=5)
        ]
        assert {letter["reason"] for letter in letters} == {"webhook_refused"}
        assert receiver.counts() == {}
        alert_ids = {AvroSerializer("alert").decode(letter["payload"])["id"] for letter in letters}

        receiver.refuse = False
        command = [sys.executable, "-m", "streams", "deadletters", "replay", "--reason", "webhook_refused"]
        dry = subprocess.run([*command, "--dry-run"], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        assert f"would replay {len(letters)} of {len(letters)}" in dry.stdout
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, check=True)
        assert f"replayed {len(letters)} of {len(letters)} dead letter(s): {len(letters)} onto" in done.stdout
        wait_for(lambda: set(receiver.counts()) == alert_ids, 120, lambda: worker.log_tail())
        assert set(receiver.counts().values()) == {1}
    finally:
        worker.stop()
        receiver.stop()
