"""Who may read: bearer tokens, the bind rule, and a database that cannot answer."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from streams.config import load_settings
from streams.core.errors import ConfigError
from streams.web.api import create_app
from streams.web.pool import StoragePool
from streams.web.server import build, check_bind, is_loopback

ALL_INTERFACES = "0.0.0.0"  # noqa: S104 - the bind under test


def test_with_tokens_the_api_needs_one_and_health_stays_open(store_url):
    client = TestClient(create_app(StoragePool(store_url), tokens=["alpha", "beta"]))
    missing = client.get("/api/v1/events")
    assert missing.status_code == 401 and "bearer token" in missing.json()["detail"]
    assert missing.headers["www-authenticate"] == "Bearer"
    wrong = client.get("/api/v1/events", headers={"Authorization": "Bearer gamma"})
    assert wrong.status_code == 401 and wrong.json()["detail"] == "invalid bearer token"
    assert client.get("/api/v1/events", headers={"Authorization": "Bearer beta"}).status_code == 200
    assert client.get("/healthz").json()["status"] == "ok"
    assert client.get("/metrics").status_code == 200
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"


def test_no_cross_origin_reads_unless_configured(store_url):
    origin = {"Origin": "https://desk.example"}
    closed = TestClient(create_app(StoragePool(store_url)))
    assert "access-control-allow-origin" not in closed.get("/api/v1/alerts", headers=origin).headers
    opened = TestClient(create_app(StoragePool(store_url), cors_origins=["https://desk.example"]))
    answer = opened.get("/api/v1/alerts", headers=origin)
    assert answer.headers["access-control-allow-origin"] == "https://desk.example"


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        (ALL_INTERFACES, False),
        ("192.168.1.4", False),
        ("::", False),
    ],
)
def test_loopback_addresses(host, loopback):
    assert is_loopback(host) is loopback


def test_a_reachable_bind_without_tokens_is_refused_at_start_up(tmp_path):
    with pytest.raises(ConfigError, match=r"NEWSSTREAM_API_TOKENS is not set"):
        check_bind(load_settings(api_host=ALL_INTERFACES))
    check_bind(load_settings(api_host=ALL_INTERFACES, api_tokens="s3cret"))
    check_bind(load_settings())  # loopback, open


def test_tokens_may_come_from_a_file(tmp_path, monkeypatch):
    secret = tmp_path / "tokens"
    secret.write_text("one, two\n")
    monkeypatch.setenv("NEWSSTREAM_API_TOKENS_FILE", str(secret))
    settings = load_settings()
    assert settings.api_token_list == ["one", "two"]
    assert {"one", "two"} <= set(settings.secret_values())


def test_an_unreachable_database_fails_at_start_up_and_answers_503_later(tmp_path):
    with pytest.raises(ConfigError, match="not reachable"):
        build(load_settings(database_url="postgresql://newsstream:x@127.0.0.1:1/none"))

    def refuse(url: str):
        raise ConfigError("PostgreSQL at 127.0.0.1:1/none is not reachable")

    client = TestClient(create_app(StoragePool("postgresql://127.0.0.1:1/none", opener=refuse)))
    for path in ("/api/v1/events", "/api/v1/stats", "/healthz"):
        answer = client.get(path)
        assert answer.status_code == 503, path
        assert "database unavailable" in answer.json()["detail"]
