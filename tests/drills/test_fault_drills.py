"""Fault drills on real brokers and PostgreSQL: workers killed with SIGKILL mid-stream, a worker
whose sink hangs, two workers sharing the load, a broker stopped and restarted, one broker of a
three-node cluster killed. Each drill counts what arrived in storage
by article id: every article stored exactly once, nothing lost, no alert id twice."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import psycopg
import pytest

from streams.config import load_settings
from streams.core.models import Article
from streams.ingest.producer import ArticlePublisher, IngestReport
from streams.runtime.kafka_admin import ensure_topics
from streams.wire.avro import AvroSerializer
from tests.integration.conftest import ROOT, Worker, _free_port, read_topic, wait_for

pytestmark = [pytest.mark.integration, pytest.mark.drill]


PLACES = ["Maiduguri", "Goma", "Kharkiv", "Mogadishu", "Gao", "Djibo", "Khartoum", "Sittwe"]


def articles(prefix: str, count: int) -> list[Article]:
    """Short violent-event reports, so enrichment is quick and some alert rules fire."""
    return [
        Article(
            id=f"{prefix}-{n:05d}",
            title=f"Attack near {PLACES[n % len(PLACES)]}",
            body=(
                f"Gunmen attacked a market near {PLACES[n % len(PLACES)]} on Monday, killing {n % 40 + 1} people, "
                f"officials said. Report {n} of the drill."
            ),
            ingested_at=1,
        )
        for n in range(count)
    ]


def publish(env: dict[str, str], items: list[Article]) -> None:
    config = load_settings(**_settings_overrides(env))
    publisher = ArticlePublisher(config)
    report = IngestReport()
    for article in items:
        publisher.publish(article)
    publisher.flush(report)
    publisher.close()
    assert not report.failed and len(report.published) == len(items)


def _children(pid: int) -> list[int]:
    return [
        int(child) for task in Path(f"/proc/{pid}/task").iterdir() for child in (task / "children").read_text().split()
    ]


def _settings_overrides(env: dict[str, str]) -> dict[str, str]:
    return {k.removeprefix("NEWSSTREAM_").lower(): v for k, v in env.items() if k.startswith("NEWSSTREAM_")}


def wait_stored(pg_url: str, prefix: str, total: int, workers: list[Worker], timeout: float = 600) -> None:
    """Until `total` articles of the prefix are stored, supervising the workers meanwhile."""

    def done() -> bool:
        for worker in workers:
            worker.supervise()
        return stored(pg_url, prefix) >= total

    wait_for(
        done,
        timeout,
        lambda: f"{stored(pg_url, prefix)} of {total} stored\n" + "\n".join(w.log_tail() for w in workers),
    )


def stored(pg_url: str, prefix: str) -> int:
    with psycopg.connect(pg_url) as conn:
        try:
            row = conn.execute("SELECT COUNT(*) FROM articles WHERE id LIKE %s", (f"{prefix}-%",)).fetchone()
        except psycopg.errors.UndefinedTable:
            return 0
    return int(row[0]) if row else 0


def new_worker(env: dict[str, str], tmp_path: Path, name: str, **extra: str) -> Worker:
    """A worker of the module's group with its own web port and state directory; it exits when
    stalled for 45 s, and the drills restart it as a supervisor would (`Worker.supervise`)."""
    worker_env = {
        **env,
        "NEWSSTREAM_WEB_PORT": str(_free_port()),
        "NEWSSTREAM_DATA_DIR": str(tmp_path / f"{name}-data"),
        "NEWSSTREAM_LIVENESS_TIMEOUT": "45",
        **extra,
    }
    process = Worker(worker_env, tmp_path / f"{name}.log")
    process.start()
    return process


@pytest.fixture(scope="module")
def drill_env(pipeline_env: dict[str, str]) -> dict[str, str]:
    ensure_topics(load_settings(**_settings_overrides(pipeline_env)))
    return pipeline_env


def test_kill_9_mid_stream_then_restart_stores_every_article_once(drill_env, pg_url, tmp_path):
    total = 1000
    first = new_worker(drill_env, tmp_path, "first")
    try:
        publish(drill_env, articles("kill", total))
        wait_for(lambda: stored(pg_url, "kill") >= 150, 240, lambda: f"no progress\n{first.log_tail()}")
        assert first.process is not None
        nlp_processes = _children(first.process.pid)
        assert nlp_processes, "the worker runs spaCy in a child process"
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(timeout=10)
        # the NLP process notices its parent is gone and leaves: no orphan holding a model's memory
        wait_for(lambda: not any(Path(f"/proc/{pid}").exists() for pid in nlp_processes), 15, lambda: "NLP orphan")
        at_kill = stored(pg_url, "kill")
        assert at_kill < total, "the drill must kill the worker mid-stream"
    finally:
        first.stop()

    second = new_worker(drill_env, tmp_path, "second", NEWSSTREAM_DATA_DIR=str(tmp_path / "first-data"))
    try:
        wait_stored(pg_url, "kill", total, [second])
        time.sleep(3)  # redelivered batches land as upserts, never as extra rows
        assert stored(pg_url, "kill") == total
        assert second.alive
    finally:
        second.stop()

    # alert ids are deterministic: redelivery re-sends an alert under the same id, never a new one
    codec = AvroSerializer("alert")
    on_topic = [
        codec.decode(v)["id"]
        for v in read_topic(drill_env["NEWSSTREAM_TOPIC_ALERTS"], until=lambda v: False, timeout=5)
    ]
    with psycopg.connect(pg_url) as conn:
        in_storage = {row[0] for row in conn.execute("SELECT id FROM alerts")}
    assert on_topic, "the drill's articles should raise alerts"
    assert set(on_topic) == in_storage


def test_a_stalled_worker_fails_its_health_check_then_exits_for_its_supervisor(drill_env, pg_url, tmp_path):
    """The store agent hangs on a locked table: lag grows, commits stop. /healthz says so; with
    the exit action the worker leaves with status 70; a fresh worker then stores everything."""
    watcher = new_worker(
        drill_env, tmp_path, "watched", NEWSSTREAM_LIVENESS_TIMEOUT="8", NEWSSTREAM_LIVENESS_ACTION="report"
    )
    health = f"http://127.0.0.1:{watcher.env['NEWSSTREAM_WEB_PORT']}/healthz"
    lock = psycopg.connect(pg_url)
    try:
        publish(drill_env, articles("warm", 5))
        wait_for(lambda: stored(pg_url, "warm") == 5, 180, lambda: f"warm-up not stored\n{watcher.log_tail()}")
        # healthy once settled: a message a join skipped holds its partition until it is re-read (~10 s)
        wait_for(lambda: httpx.get(health, timeout=5).status_code == 200, 60, lambda: watcher.log_tail())
        lock.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")  # held until rollback
        publish(drill_env, articles("stall", 40))
        wait_for(lambda: httpx.get(health, timeout=5).status_code == 503, 120, lambda: watcher.log_tail())
        # the agent holding its batch is reported first; the partitions without commits follow
        wait_for(
            lambda: "no commit for" in str(httpx.get(health, timeout=5).json()["stalled"]),
            60,
            lambda: watcher.log_tail(),
        )
        gauge = re.search(r"^newsstream_stalled_partitions (\S+)$", watcher.metrics(), re.MULTILINE)
        assert gauge and float(gauge[1]) >= 1
    except BaseException:
        watcher.stop()  # a failed drill must not leave its worker running for the next ones
        raise
    finally:
        lock.rollback()
        lock.close()
    try:
        wait_for(lambda: stored(pg_url, "stall") == 40, 180, lambda: watcher.log_tail())
        wait_for(lambda: httpx.get(health, timeout=5).status_code == 200, 60, lambda: watcher.log_tail())
    finally:
        watcher.stop()

    exiting = new_worker(drill_env, tmp_path, "exiting", NEWSSTREAM_LIVENESS_TIMEOUT="8")
    lock = psycopg.connect(pg_url)
    try:
        lock.execute("LOCK TABLE articles IN ACCESS EXCLUSIVE MODE")
        publish(drill_env, articles("exit", 20))
        assert exiting.process is not None
        status = exiting.process.wait(timeout=180)
        assert status == 70, exiting.log_tail()
        assert "worker stalled" in exiting.log_path.read_text()
    finally:
        lock.rollback()
        lock.close()
        exiting.stop()
    restarted = new_worker(drill_env, tmp_path, "restarted")
    try:
        wait_for(lambda: stored(pg_url, "exit") == 20, 180, lambda: restarted.log_tail())
    finally:
        restarted.stop()


def test_a_failing_sink_loses_no_batch(drill_env, pg_url, tmp_path):
    """The articles table disappears for a while: the store agent's batches fail (and Faust, left
    alone, would acknowledge them anyway). Once it is back, every article is stored."""
    worker = new_worker(drill_env, tmp_path, "sink", NEWSSTREAM_LIVENESS_TIMEOUT="20")
    try:
        publish(drill_env, articles("sinkwarm", 3))
        wait_for(lambda: stored(pg_url, "sinkwarm") == 3, 180, lambda: worker.log_tail())
        with psycopg.connect(pg_url, autocommit=True) as conn:
            conn.execute("ALTER TABLE articles RENAME TO articles_away")
            try:
                publish(drill_env, articles("sink", 60))
                wait_for(lambda: "does not exist" in worker.log_path.read_text(), 60, lambda: worker.log_tail())
                time.sleep(8)  # batches keep failing meanwhile
            finally:
                conn.execute("ALTER TABLE articles_away RENAME TO articles")
        wait_stored(pg_url, "sink", 60, [worker], timeout=300)
        assert stored(pg_url, "sink") == 60
    finally:
        worker.stop()


def test_two_workers_one_killed_its_partitions_move_and_nothing_is_lost(drill_env, pg_url, tmp_path):
    total = 600
    survivor = new_worker(drill_env, tmp_path, "survivor")
    victim = new_worker(drill_env, tmp_path, "victim")
    try:
        publish(drill_env, articles("pair", total))
        wait_for(lambda: stored(pg_url, "pair") >= 100, 240, lambda: victim.log_tail())
        assert victim.process is not None
        victim.process.send_signal(signal.SIGKILL)
        victim.process.wait(timeout=10)
        wait_stored(pg_url, "pair", total, [survivor])
        time.sleep(3)
        assert stored(pg_url, "pair") == total
        assert survivor.alive
        # the survivor took over every partition, the killed worker's too
        assert survivor.log_path.read_text().count("Setting newly assigned partitions") >= 2
    finally:
        victim.stop()
        survivor.stop()


KAFKA_SH = ROOT / "deploy" / "kafka" / "kafka.sh"
CLUSTER_SH = ROOT / "deploy" / "kafka" / "cluster.sh"


def _on_broker(env: dict[str, str], bootstrap: str, replication: int = 1) -> dict[str, str]:
    run = uuid.uuid4().hex[:6]
    return {
        **env,
        "NEWSSTREAM_BROKER": "kafka://" + bootstrap,
        "NEWSSTREAM_TOPIC_REPLICATION": str(replication),
        "NEWSSTREAM_APP_ID": f"{env['NEWSSTREAM_APP_ID']}-{run}",
    }


@pytest.fixture
def lone_broker(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A broker of its own (ports 19192/19193), so stopping it disturbs no other test. Below Linux's
    ephemeral range (32768-60999): a client retrying a port in that range while the broker is down
    can be handed that very port as its own and connect to itself, and the broker cannot bind it."""
    broker_env = {
        **os.environ,
        "KAFKA_PORT": "19192",
        "KAFKA_CONTROLLER_PORT": "19193",
        "KAFKA_STATE_DIR": str(tmp_path / "lone-broker"),
    }
    subprocess.run([str(KAFKA_SH), "start"], check=True, env=broker_env)
    try:
        yield "127.0.0.1:19192", broker_env
    finally:
        subprocess.run([str(KAFKA_SH), "stop"], check=False, env=broker_env)


@pytest.fixture
def three_brokers(tmp_path: Path) -> Iterator[tuple[str, dict[str, str]]]:
    """A 3-node KRaft cluster (three processes) with replication 3 and min.insync.replicas 2."""
    cluster_env = {**os.environ, "KAFKA_CLUSTER_DIR": str(tmp_path / "cluster")}
    subprocess.run([str(CLUSTER_SH), "start"], check=True, env=cluster_env)
    try:
        bootstrap = subprocess.run(
            [str(CLUSTER_SH), "bootstrap"], check=True, env=cluster_env, capture_output=True, text=True
        ).stdout.strip()
        yield bootstrap, cluster_env
    finally:
        subprocess.run([str(CLUSTER_SH), "stop"], check=False, env=cluster_env)


def test_broker_stopped_and_restarted_mid_stream_loses_nothing(drill_env, pg_url, tmp_path, lone_broker):
    bootstrap, broker_env = lone_broker
    env = _on_broker(drill_env, bootstrap)
    total = 300
    worker = new_worker(env, tmp_path, "broker-restart")
    try:
        publish(env, articles("restart", total))
        wait_for(lambda: stored(pg_url, "restart") >= 40, 240, lambda: worker.log_tail())
        subprocess.run([str(KAFKA_SH), "stop"], check=True, env=broker_env)
        time.sleep(5)
        assert stored(pg_url, "restart") < total, "the broker must go down mid-stream"
        subprocess.run([str(KAFKA_SH), "start"], check=True, env=broker_env)
        wait_stored(pg_url, "restart", total, [worker])
        time.sleep(3)
        assert stored(pg_url, "restart") == total
    finally:
        worker.stop()


def test_one_of_three_brokers_killed_the_pipeline_continues_and_loses_nothing(
    drill_env, pg_url, tmp_path, three_brokers
):
    bootstrap, cluster_env = three_brokers
    env = _on_broker(drill_env, bootstrap, replication=3)
    total = 300
    worker = new_worker(env, tmp_path, "cluster")
    try:
        publish(env, articles("cluster", total))
        wait_for(lambda: stored(pg_url, "cluster") >= 40, 300, lambda: worker.log_tail())
        subprocess.run([str(CLUSTER_SH), "kill", "2"], check=True, env=cluster_env)
        assert stored(pg_url, "cluster") < total, "the broker must die mid-stream"
        # and new articles still get in: acks=all with 2 of 3 replicas in sync
        publish(env, articles("latecomer", 20))
        wait_stored(pg_url, "cluster", total, [worker])
        wait_stored(pg_url, "latecomer", 20, [worker])
        time.sleep(3)
        assert stored(pg_url, "cluster") == total and stored(pg_url, "latecomer") == 20
        assert worker.alive
    finally:
        worker.stop()
