"""Real services for integration tests: the local Kafka broker and PostgreSQL, started through the
same scripts as `make kafka` / `make postgres` when they are not already up, plus a worker process
per test module on topics and a database of its own."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest
from kafka import KafkaConsumer, KafkaProducer

ROOT = Path(__file__).resolve().parents[2]
KAFKA = "127.0.0.1:9092"
PG_ADMIN_URL = os.environ.get("NEWSSTREAM_TEST_PG", "postgresql://newsstream:newsstream@127.0.0.1:5432/newsstream")

pytestmark = pytest.mark.integration


def _answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def kafka() -> str:
    """A running broker; started with deploy/kafka/kafka.sh if none answers."""
    if not _answers("127.0.0.1", 9092):
        subprocess.run([str(ROOT / "deploy/kafka/kafka.sh"), "start"], check=True)
    return KAFKA


@pytest.fixture(scope="session")
def postgres_admin() -> str:
    """A running PostgreSQL with the newsstream role; started with deploy/postgres/pg.sh if needed."""
    if not _answers("127.0.0.1", 5432):
        subprocess.run([str(ROOT / "deploy/postgres/pg.sh"), "start"], check=True)
    return PG_ADMIN_URL


def start_alertmanager(home: Path, port: int) -> subprocess.Popen[bytes]:
    """A real Prometheus Alertmanager (Debian's prometheus-alertmanager) on 127.0.0.1:port, ready."""
    import shutil

    import httpx

    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        pytest.fail("Alertmanager is not installed: apt-get install prometheus-alertmanager (make test does)")
    home.mkdir(parents=True, exist_ok=True)
    (home / "alertmanager.yml").write_text(
        'route:\n  receiver: "null"\n  group_wait: 1s\n  group_interval: 1s\nreceivers:\n  - name: "null"\n'
    )
    process = subprocess.Popen(
        [
            binary,
            f"--config.file={home / 'alertmanager.yml'}",
            f"--storage.path={home / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--cluster.listen-address=",
        ],
        stdout=subprocess.DEVNULL,
        stderr=(home / "log").open("a"),
    )
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/-/ready", timeout=1).status_code == 200:
                return process
        except httpx.HTTPError:
            pass
        assert process.poll() is None and time.monotonic() < deadline, (home / "log").read_text()
        time.sleep(0.3)


@pytest.fixture(scope="session")
def alertmanager(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Alertmanager on a free loopback port for the session."""
    port = _free_port()
    process = start_alertmanager(tmp_path_factory.mktemp("alertmanager"), port)
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture(scope="module")
def pg_url(postgres_admin: str) -> Iterator[str]:
    """A fresh database for one test module, dropped afterwards."""
    name = f"newsstream_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(postgres_admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    yield postgres_admin.rsplit("/", 1)[0] + "/" + name
    with psycopg.connect(postgres_admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def topics_of_run(prefix: str) -> dict[str, str]:
    """Topic settings of their own for one test run, so runs never read each other's messages."""
    return {
        "NEWSSTREAM_TOPIC_ARTICLES": f"{prefix}.articles",
        "NEWSSTREAM_TOPIC_ENRICHED": f"{prefix}.enriched",
        "NEWSSTREAM_TOPIC_ALERTS": f"{prefix}.alerts",
        "NEWSSTREAM_TOPIC_DEADLETTER": f"{prefix}.deadletter",
        "NEWSSTREAM_TOPIC_OTHER_LANGUAGES": f"{prefix}.other-languages",
    }


@pytest.fixture(scope="module")
def pipeline_env(
    kafka: str, pg_url: str, alertmanager: str, tmp_path_factory: pytest.TempPathFactory
) -> dict[str, str]:
    """Environment for CLI and worker processes: topics, group and database unique to this module."""
    run = uuid.uuid4().hex[:8]
    data = tmp_path_factory.mktemp(f"worker-{run}")
    env = {key: value for key, value in os.environ.items() if not key.startswith("NEWSSTREAM_")}
    env.update(
        NEWSSTREAM_BROKER=f"kafka://{kafka}",
        NEWSSTREAM_APP_ID=f"newsstream-test-{run}",
        **topics_of_run(f"test-{run}"),
        NEWSSTREAM_DATABASE_URL=pg_url,
        NEWSSTREAM_ALERTMANAGER_URL=alertmanager,
        NEWSSTREAM_DATA_DIR=str(data),
        NEWSSTREAM_WEB_PORT=str(_free_port()),
        NEWSSTREAM_BATCH_SECONDS="0.3",
        NEWSSTREAM_SESSION_TIMEOUT="10",
        PYTHONUNBUFFERED="1",
    )
    return env


class Worker:
    """A `newsstream worker` process with its log kept for failure messages."""

    def __init__(self, env: dict[str, str], log_path: Path) -> None:
        self.env = env
        self.log_path = log_path
        self.process: subprocess.Popen[bytes] | None = None
        self.restarts = 0

    def start(self) -> None:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "streams", "worker"],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        port = int(self.env["NEWSSTREAM_WEB_PORT"])
        deadline = time.monotonic() + 60
        while not _answers("127.0.0.1", port):
            assert self.alive, f"worker exited at start-up:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"worker web server never answered:\n{self.log_tail()}"
            time.sleep(0.3)

    def supervise(self) -> None:
        """Do what systemd or Docker would: start the worker again when it left with the liveness
        exit status (70), as it does when it found itself stalled."""
        if self.process is not None and self.process.poll() == 70:
            self.restarts += 1
            self.start()

    @property
    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def metrics(self) -> str:
        import httpx

        return httpx.get(f"http://127.0.0.1:{self.env['NEWSSTREAM_WEB_PORT']}/metrics", timeout=5).text

    def log_tail(self, lines: int = 60) -> str:
        return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()


@pytest.fixture(scope="module")
def worker(pipeline_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Worker]:
    """One running worker for the module's tests."""
    from streams.config import load_settings
    from streams.runtime.kafka_admin import ensure_topics

    names = {k.removeprefix("NEWSSTREAM_").lower(): v for k, v in pipeline_env.items() if k.startswith("NEWSSTREAM_")}
    ensure_topics(load_settings(**names))
    process = Worker(pipeline_env, tmp_path_factory.mktemp("logs") / "worker.log")
    process.start()
    yield process
    process.stop()


def run_cli(
    env: dict[str, str], *args: str, stdin: bytes | None = None, timeout: float = 180
) -> subprocess.CompletedProcess[bytes]:
    """Run `newsstream ARGS` as a user would."""
    return subprocess.run(
        [sys.executable, "-m", "streams", *args],
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        timeout=timeout,
    )


def read_topic(topic: str, *, until: Callable[[list[bytes]], bool], timeout: float = 120) -> list[bytes]:
    """Values on a topic from the beginning, read until `until(values)` holds or the time is up."""
    consumer = KafkaConsumer(
        topic,
        bootstrap_servers=[KAFKA],
        auto_offset_reset="earliest",
        enable_auto_commit=False,
        group_id=None,
        consumer_timeout_ms=1000,
    )
    values: list[bytes] = []
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline and not until(values):
            values.extend(record.value for record in consumer)
    finally:
        consumer.close()
    return values


def produce_raw(topic: str, items: list[tuple[bytes | None, bytes | None]]) -> None:
    """Send raw key/value bytes, bypassing newsstream's producer (for garbage)."""
    producer = KafkaProducer(bootstrap_servers=[KAFKA], acks="all")
    for key, value in items:
        producer.send(topic, key=key, value=value)
    producer.flush(timeout=300)
    producer.close()


def wait_for(condition: Callable[[], bool], timeout: float, message: Callable[[], str]) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.5)
    raise AssertionError(message())
