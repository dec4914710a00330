"""Outage drills on real services: PostgreSQL stopped for 150 s mid-stream under a restart loop,
the webhook receiver and Alertmanager down for 60 s, two workers with one killed while PostgreSQL
is down. Each counts rows per article id in the database and deliveries per alert id at the
receiver: every article stored once, every alert delivered (once, where no worker was killed)."""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from streams.core.models import Article
from streams.wire.avro import AvroSerializer
from tests.drills.test_fault_drills import articles, drill_env, new_worker, publish, stored, wait_stored
from tests.integration.conftest import ROOT, Worker, _free_port, read_topic, start_alertmanager, topics_of_run, wait_for
from tests.support.alert_receiver import AlertReceiver

pytestmark = [pytest.mark.integration, pytest.mark.drill]
__all__ = ["drill_env"]  # the fixture, shared with the fault drills

PG_SH = ROOT / "deploy" / "postgres" / "pg.sh"


@pytest.fixture
def receiver() -> Iterator[AlertReceiver]:
    webhook = AlertReceiver(_free_port())
    webhook.start()
    yield webhook
    webhook.stop()


@pytest.fixture
def postgres_control() -> Iterator[dict[str, bool]]:
    """Lets a drill stop PostgreSQL; it is running again afterwards, whatever happened."""
    state = {"stopped": False}
    yield state
    subprocess.run([str(PG_SH), "start"], check=True, capture_output=True)


def stop_postgres(state: dict[str, bool]) -> None:
    subprocess.run([str(PG_SH), "stop"], check=True, capture_output=True)
    state["stopped"] = True


def start_postgres(state: dict[str, bool]) -> None:
    subprocess.run([str(PG_SH), "start"], check=True, capture_output=True)
    state["stopped"] = False


def own_topics(env: dict[str, str], **extra: str) -> dict[str, str]:
    """The drill's own topics and groups, so its alert counts are its own."""
    run = uuid.uuid4().hex[:8]
    return {**env, **topics_of_run(f"outage-{run}"), "NEWSSTREAM_APP_ID": f"outage-{run}", **extra}


def alert_ids_on_topic(env: dict[str, str]) -> list[str]:
    codec = AvroSerializer("alert")
    return [codec.decode(v)["id"] for v in read_topic(env["NEWSSTREAM_TOPIC_ALERTS"], until=lambda v: False, timeout=5)]


def stored_alert_ids(pg_url: str) -> set[str]:
    with psycopg.connect(pg_url) as conn:
        return {row[0] for row in conn.execute("SELECT id FROM alerts")}


def rows_per_article(pg_url: str, prefix: str) -> dict[str, int]:
    with psycopg.connect(pg_url) as conn:
        query = "SELECT id, COUNT(*) FROM articles WHERE id LIKE %s GROUP BY id"
        return {row[0]: int(row[1]) for row in conn.execute(query, (f"{prefix}-%",))}


def health_status(worker: Worker) -> int | None:
    try:
        return httpx.get(f"http://127.0.0.1:{worker.env['NEWSSTREAM_WEB_PORT']}/healthz", timeout=3).status_code
    except httpx.HTTPError:
        return None  # restarting


def supervise_for(seconds: float, workers: list[Worker]) -> set[int | None]:
    """Restart workers that left with status 70 for `seconds`; the /healthz answers seen meanwhile."""
    seen: set[int | None] = set()
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for worker in workers:
            worker.supervise()
            seen.add(health_status(worker))
        time.sleep(1)
    return seen


def test_postgres_down_150_s_mid_stream_stores_every_article_once_and_delivers_every_alert_once(
    drill_env, pg_url, tmp_path, receiver, postgres_control
):
    """The operator's drill: 600 articles, PostgreSQL stopped once 200 are stored and started again
    150 s later, the worker under a restart loop with a 60 s liveness timeout. The store path fails
    /healthz and exits 70 while stuck; nothing its consumer group did not write is committed."""
    env = own_topics(drill_env, NEWSSTREAM_WEBHOOK_URL=receiver.url)
    total = 600
    worker = new_worker(env, tmp_path, "pg-outage", NEWSSTREAM_LIVENESS_TIMEOUT="60")
    try:
        publish(env, articles("pgdown", total))
        wait_for(lambda: stored(pg_url, "pgdown") >= 200, 240, lambda: worker.log_tail())
        stop_postgres(postgres_control)
        seen = supervise_for(150, [worker])
        start_postgres(postgres_control)
        wait_stored(pg_url, "pgdown", total, [worker], timeout=400)
        time.sleep(5)  # redelivered batches land as upserts, never as extra rows
        rows = rows_per_article(pg_url, "pgdown")
        assert len(rows) == total and set(rows.values()) == {1}
        assert 503 in seen, "/healthz must fail while the store path is stuck"
        assert worker.restarts >= 1, "the stuck worker must exit 70 for its supervisor"
        assert "has held one batch for" in worker.log_path.read_text()

        wait_for(lambda: set(receiver.counts()) >= set(alert_ids_on_topic(env)), 120, lambda: worker.log_tail())
        on_topic = set(alert_ids_on_topic(env))
        assert on_topic, "the drill's articles should raise alerts"
        deliveries = receiver.counts()
        assert set(deliveries) == on_topic
        assert set(deliveries.values()) == {1}, f"alerts delivered more than once: {deliveries}"
        wait_for(lambda: stored_alert_ids(pg_url) >= on_topic, 120, lambda: worker.log_tail())
    finally:
        worker.stop()


def reports(prefix: str, places: list[str], count: int) -> list[Article]:
    """Reports of mass killings in these places (each place a story of its own, alerted once)."""
    return [
        Article(
            id=f"{prefix}-{n:05d}",
            title=f"Massacre in {places[n % len(places)]}",
            body=f"Gunmen killed {12 + n % 20} villagers in {places[n % len(places)]} on Monday, officials said.",
            ingested_at=1,
        )
        for n in range(count)
    ]


def alert_ids_at_alertmanager(url: str) -> set[str]:
    answer = httpx.get(f"{url}/api/v2/alerts", timeout=5).json()
    return {alert["annotations"]["alert_id"] for alert in answer}


def test_webhook_and_alertmanager_down_60_s_every_alert_delivered_once_afterwards(
    drill_env, pg_url, tmp_path, receiver
):
    """Both receivers go away for 60 s while alerts are raised (the worker restarts meanwhile on a
    30 s liveness timeout): nothing becomes a dead letter, each alert arrives once when they are back."""
    am_port = _free_port()
    am_home = tmp_path / "alertmanager"
    alertmanager = start_alertmanager(am_home, am_port)
    am_url = f"http://127.0.0.1:{am_port}"
    env = own_topics(drill_env, NEWSSTREAM_WEBHOOK_URL=receiver.url, NEWSSTREAM_ALERTMANAGER_URL=am_url)
    worker = new_worker(env, tmp_path, "receivers-down", NEWSSTREAM_LIVENESS_TIMEOUT="30")
    try:
        publish(env, reports("amwarm", ["Maiduguri", "Goma", "Kharkiv", "Mogadishu"], 8))
        wait_for(lambda: len(receiver.counts()) >= 1, 180, lambda: worker.log_tail())
        wait_for(lambda: set(receiver.counts()) >= set(alert_ids_on_topic(env)), 60, lambda: worker.log_tail())
        before = set(alert_ids_on_topic(env))

        receiver.stop()
        alertmanager.terminate()
        alertmanager.wait(timeout=10)
        publish(env, reports("amdown", ["Bamako", "Juba", "Aleppo", "Sanaa", "Tripoli", "Mosul"], 30))
        supervise_for(60, [worker])
        receiver.start()
        alertmanager = start_alertmanager(am_home, am_port)

        def all_delivered() -> bool:
            worker.supervise()
            on_topic = set(alert_ids_on_topic(env))
            return on_topic > before and set(receiver.counts()) >= on_topic

        wait_for(all_delivered, 240, lambda: worker.log_tail())
        on_topic = set(alert_ids_on_topic(env))
        deliveries = receiver.counts()
        assert set(deliveries) == on_topic and set(deliveries.values()) == {1}, deliveries
        raised_meanwhile = on_topic - before
        wait_for(
            lambda: alert_ids_at_alertmanager(am_url) >= raised_meanwhile,
            120,
            lambda: f"missing at Alertmanager: {raised_meanwhile - alert_ids_at_alertmanager(am_url)}",
        )
        dead = read_topic(env["NEWSSTREAM_TOPIC_DEADLETTER"], until=lambda v: False, timeout=3)
        assert dead == [], "a receiver that is down is waited for, not dead-lettered"
    finally:
        worker.stop()
        alertmanager.terminate()
        alertmanager.wait(timeout=10)


def test_two_workers_one_killed_while_postgres_is_down_lose_nothing(
    drill_env, pg_url, tmp_path: Path, receiver, postgres_control
):
    """PostgreSQL goes away, then one of two workers is killed with SIGKILL: when the database is
    back the survivor stores every article once, and every alert reached the webhook."""
    env = own_topics(drill_env, NEWSSTREAM_WEBHOOK_URL=receiver.url)
    total = 300
    survivor = new_worker(env, tmp_path, "pg-survivor")
    victim = new_worker(env, tmp_path, "pg-victim")
    try:
        publish(env, articles("pgpair", total))
        wait_for(lambda: stored(pg_url, "pgpair") >= 60, 240, lambda: victim.log_tail())
        stop_postgres(postgres_control)
        time.sleep(5)
        assert victim.process is not None
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(timeout=10)
        supervise_for(30, [survivor])
        start_postgres(postgres_control)
        wait_stored(pg_url, "pgpair", total, [survivor], timeout=400)
        time.sleep(5)
        rows = rows_per_article(pg_url, "pgpair")
        assert len(rows) == total and set(rows.values()) == {1}

        wait_for(lambda: set(receiver.counts()) >= set(alert_ids_on_topic(env)), 120, lambda: survivor.log_tail())
        on_topic = set(alert_ids_on_topic(env))
        assert on_topic and set(receiver.counts()) == on_topic
        wait_for(lambda: stored_alert_ids(pg_url) >= on_topic, 120, lambda: survivor.log_tail())
    finally:
        victim.stop()
        survivor.stop()
