"""Kafka security against a real broker configured for it (deploy/kafka/secure.sh): SASL_SSL with
SCRAM-SHA-512, and mutual TLS with an encrypted client key. The whole pipeline (ingest CLI,
worker, PostgreSQL) runs over each; secrets come from files and never show in logs or metrics;
wrong credentials fail at start-up with a message naming the setting to fix."""

from __future__ import annotations

import json
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.drills.test_fault_drills import stored
from tests.integration.conftest import ROOT, Worker, _free_port, run_cli, topics_of_run, wait_for

pytestmark = pytest.mark.integration

SECURE_SH = ROOT / "deploy" / "kafka" / "secure.sh"


def _listener_settings(printed: str) -> tuple[dict[str, str], dict[str, str]]:
    """secure.sh env prints the SASL_SSL settings, then the mutual-TLS ones commented out."""
    sasl, mtls = {}, {}
    for line in printed.splitlines():
        if line.startswith("NEWSSTREAM_"):
            key, _, value = line.partition("=")
            sasl[key] = value
        elif line.startswith("# NEWSSTREAM_"):
            key, _, value = line.removeprefix("# ").partition("=")
            mtls[key] = value
    return sasl, mtls


@pytest.fixture(scope="module")
def secure_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[dict[str, str], dict[str, str], Path]]:
    state = tmp_path_factory.mktemp("secure-broker")
    env = {**os.environ, "KAFKA_STATE_DIR": str(state)}
    subprocess.run([str(SECURE_SH), "start"], check=True, env=env)
    try:
        printed = subprocess.run([str(SECURE_SH), "env"], check=True, env=env, capture_output=True, text=True).stdout
        sasl, mtls = _listener_settings(printed)
        yield sasl, mtls, state
    finally:
        subprocess.run([str(SECURE_SH), "stop"], check=False, env=env)


def _secured_env(pipeline_env: dict[str, str], listener: dict[str, str], **extra: str) -> dict[str, str]:
    run = uuid.uuid4().hex[:6]
    env = {key: value for key, value in pipeline_env.items() if not key.startswith("NEWSSTREAM_TOPIC")}
    env.update(listener)
    env.update(
        NEWSSTREAM_APP_ID=f"secure-{run}",
        **topics_of_run(f"secure-{run}"),
        NEWSSTREAM_WEB_PORT=str(_free_port()),
        **extra,
    )
    return env


def _articles_file(tmp_path: Path, prefix: str, count: int) -> Path:
    path = tmp_path / f"{prefix}.jsonl"
    path.write_text(
        "".join(
            json.dumps(
                {
                    "id": f"{prefix}-{n}",
                    "title": f"Protest in Nairobi, report {n}",
                    "body": f"Thousands of teachers marched in Nairobi on Tuesday demanding higher pay. Report {n}.",
                }
            )
            + "\n"
            for n in range(count)
        )
    )
    return path


def _secret_values(env: dict[str, str]) -> list[str]:
    return [
        Path(env[name]).read_text().strip()
        for name in ("NEWSSTREAM_KAFKA_SASL_PASSWORD_FILE", "NEWSSTREAM_KAFKA_SSL_KEY_PASSWORD_FILE")
        if name in env
    ]


def _pipeline_runs_over(env: dict[str, str], pg_url: str, tmp_path: Path, prefix: str) -> None:
    """Ingest (with kafka-python logging its configuration at debug level), a worker, storage;
    then no secret in any output."""
    secrets = _secret_values(env)
    assert secrets and all(len(secret) >= 16 for secret in secrets)
    ingest = run_cli(
        {**env, "NEWSSTREAM_LOG_LEVEL": "debug"}, "ingest", "--quiet", str(_articles_file(tmp_path, prefix, 6))
    )
    assert ingest.returncode == 0, ingest.stderr.decode()[-3000:]
    worker = Worker(env, tmp_path / f"{prefix}-worker.log")
    worker.start()
    try:
        wait_for(lambda: stored(pg_url, prefix) == 6, 180, lambda: worker.log_tail())
        metrics = worker.metrics()
    finally:
        worker.stop()
    outputs = {
        "ingest output": (ingest.stdout + ingest.stderr).decode(errors="replace"),
        "worker log": worker.log_path.read_text(errors="replace"),
        "/metrics": metrics,
    }
    assert "Sending request" in outputs["ingest output"] or "sasl" in outputs["ingest output"].lower()
    for where, text in outputs.items():
        for secret in secrets:
            assert secret not in text, f"a secret appears in the {where}"


def test_the_pipeline_runs_over_sasl_ssl_with_scram(secure_broker, pipeline_env, pg_url, tmp_path):
    sasl, _, _ = secure_broker
    assert sasl["NEWSSTREAM_KAFKA_SECURITY_PROTOCOL"] == "SASL_SSL"
    _pipeline_runs_over(_secured_env(pipeline_env, sasl), pg_url, tmp_path, "sasl")


def test_the_pipeline_runs_over_mutual_tls_with_an_encrypted_client_key(secure_broker, pipeline_env, pg_url, tmp_path):
    _, mtls, _ = secure_broker
    assert mtls["NEWSSTREAM_KAFKA_SECURITY_PROTOCOL"] == "SSL" and "NEWSSTREAM_KAFKA_SSL_CERTFILE" in mtls
    _pipeline_runs_over(_secured_env(pipeline_env, mtls), pg_url, tmp_path, "mtls")


def test_a_wrong_scram_password_fails_at_start_up_naming_the_settings(secure_broker, pipeline_env, tmp_path):
    sasl, _, _ = secure_broker
    wrong = tmp_path / "wrong-password"
    wrong.write_text("not-the-password-at-all\n")
    env = _secured_env(pipeline_env, {**sasl, "NEWSSTREAM_KAFKA_SASL_PASSWORD_FILE": str(wrong)})
    result = run_cli(env, "worker", timeout=120)
    error = result.stderr.decode()
    assert result.returncode != 0
    assert "refused the login" in error and "NEWSSTREAM_KAFKA_SASL_PASSWORD" in error, error[-2000:]
    assert "not-the-password-at-all" not in error + result.stdout.decode()


def test_mutual_tls_without_a_client_certificate_is_refused_with_the_fix(secure_broker, pipeline_env):
    _, mtls, _ = secure_broker
    client_certificate = ("CERTFILE", "KEYFILE", "KEY_PASSWORD")
    no_certificate = {key: value for key, value in mtls.items() if not any(part in key for part in client_certificate)}
    result = run_cli(_secured_env(pipeline_env, no_certificate), "ingest", "--quiet", "-", stdin=b"", timeout=120)
    error = result.stderr.decode()
    assert result.returncode != 0
    assert "client certificate" in error and "NEWSSTREAM_KAFKA_SSL_CERTFILE" in error, error[-2000:]


def test_a_broker_certificate_from_an_unknown_ca_is_not_trusted(secure_broker, pipeline_env):
    sasl, _, _ = secure_broker
    system_cas = {key: value for key, value in sasl.items() if key != "NEWSSTREAM_KAFKA_SSL_CAFILE"}
    result = run_cli(_secured_env(pipeline_env, system_cas), "ingest", "--quiet", "-", stdin=b"", timeout=120)
    error = result.stderr.decode()
    assert result.returncode != 0
    assert "not trusted" in error and "NEWSSTREAM_KAFKA_SSL_CAFILE" in error, error[-2000:]
