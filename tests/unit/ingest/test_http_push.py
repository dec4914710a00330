"""POST /articles over a real local socket (aiohttp's TestServer on 127.0.0.1), with an in-memory publish."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer
from kafka.errors import KafkaTimeoutError
from prometheus_client import CollectorRegistry
from pydantic import SecretStr

from streams.config import Settings
from streams.core.errors import ConfigError
from streams.core.identity import article_id
from streams.core.models import Article
from streams.ingest import http_push
from streams.ingest.http_push import PublishFailed, PushMetrics, build_app, kafka_publish, serve

TOKEN = "test-push-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
MAX_BYTES = 2048


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class FakePublish:
    """Records what reached it; fails with PublishFailed when told to, as Kafka would."""

    fail: bool = False
    batches: list[list[Article]] = field(default_factory=list)

    async def __call__(self, articles: list[Article]) -> list[str]:
        if self.fail:
            raise PublishFailed("1 of 1 articles were not acknowledged by Kafka: timed out")
        self.batches.append(articles)
        return [article.id for article in articles]


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {"push_token": SecretStr(TOKEN), "push_max_bytes": MAX_BYTES, "push_max_batch": 5}
    return Settings(**{**values, **overrides})


def article(n: int) -> dict[str, str]:
    """A valid push record; each n gives a distinct URL and so a distinct id."""
    return {"title": f"Title {n}", "body": f"Body of article {n}.", "url": f"https://news.example/a/{n}"}


def exchange(app: web.Application, *requests: dict[str, Any]) -> list[Reply]:
    """Send each request (ClientSession.request keyword arguments) to the app in order; collect the replies."""

    async def run() -> list[Reply]:
        replies = []
        async with TestClient(TestServer(app)) as client:
            for request in requests:
                request = {"method": "POST", "path": "/articles", **request}
                async with client.request(request.pop("method"), request.pop("path"), **request) as response:
                    replies.append(Reply(response.status, dict(response.headers), await response.read()))
        return replies

    return asyncio.run(run())


@pytest.fixture
def publish() -> FakePublish:
    return FakePublish()


def post(publish: FakePublish, **request: Any) -> Reply:
    """One request to a fresh app publishing into `publish`."""
    return exchange(build_app(make_settings(), publish), request)[0]


def test_missing_token_is_401_with_a_bearer_challenge(publish: FakePublish):
    """No Authorization header: 401, WWW-Authenticate: Bearer, nothing published."""
    reply = post(publish, json=article(1))
    assert reply.status == 401
    assert reply.headers["WWW-Authenticate"].startswith("Bearer")
    assert "error" in reply.json()
    assert publish.batches == []


def test_wrong_token_is_401_and_not_echoed(publish: FakePublish):
    """A wrong token, or another auth scheme, is refused and the answer never repeats the token."""
    for header in (f"Bearer {TOKEN}x", f"Basic {TOKEN}", "Bearer "):
        reply = post(publish, json=article(1), headers={"Authorization": header})
        assert reply.status == 401, header
        assert reply.headers["WWW-Authenticate"].startswith("Bearer")
        assert TOKEN.encode() not in reply.body
    assert publish.batches == []


def test_wrong_content_type_is_415(publish: FakePublish):
    """A JSON body sent as text/plain is refused: the client must say what it sends."""
    reply = post(publish, data=json.dumps(article(1)), headers={**AUTH, "Content-Type": "text/plain"})
    assert reply.status == 415
    assert "application/json" in reply.json()["error"]


def test_invalid_json_is_400_with_the_position(publish: FakePublish):
    """Broken JSON: 400 saying where the parser stopped."""
    body = '[{"title": "T", "body": "B"},'
    reply = post(publish, data=body, headers={**AUTH, "Content-Type": "application/json"})
    assert reply.status == 400
    error = reply.json()["error"]
    assert "line 1" in error and f"char {len(body)}" in error


def test_body_over_the_byte_limit_is_413(publish: FakePublish):
    """A body over push_max_bytes is refused, whether it declares its length or arrives chunked."""
    big = json.dumps({"title": "Big", "body": "x" * MAX_BYTES}).encode()

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(big), 512):
            yield big[start : start + 512]

    headers = {**AUTH, "Content-Type": "application/json"}
    with_length = post(publish, data=big, headers=headers)
    chunked = post(publish, data=chunks(), headers=headers)
    assert (with_length.status, chunked.status) == (413, 413)
    assert str(MAX_BYTES) in with_length.json()["error"] and str(MAX_BYTES) in chunked.json()["error"]
    assert publish.batches == []


def test_batch_over_the_item_limit_is_refused(publish: FakePublish):
    """More articles than push_max_batch: refused whole, with the limit in the message."""
    reply = post(publish, json=[article(n) for n in range(6)], headers=AUTH)
    assert reply.status == 413
    assert "limit of 5" in reply.json()["error"]
    assert publish.batches == []


def test_one_invalid_item_fails_the_whole_batch_with_its_index(publish: FakePublish):
    """Atomic per request: a bad item at index 1 gives 422 naming index 1, and nothing is published."""
    records = [article(0), {"title": 7, "body": "not a string title"}, article(2)]
    reply = post(publish, json=records, headers=AUTH)
    assert reply.status == 422
    invalid = reply.json()["invalid"]
    assert [item["index"] for item in invalid] == [1]
    assert "string" in invalid[0]["error"]
    assert publish.batches == []


def test_body_over_max_body_chars_is_invalid(publish: FakePublish):
    """The worker's body limit applies at the door, so the sender learns of it instead of the dead-letter topic."""
    app = build_app(make_settings(max_body_chars=1000, push_max_bytes=8192), publish)
    reply = exchange(app, {"json": {"title": "Long", "body": "y" * 1001}, "headers": AUTH})[0]
    assert reply.status == 422
    assert reply.json()["invalid"][0]["index"] == 0
    assert publish.batches == []


def test_good_batch_is_accepted_with_deterministic_ids_in_order(publish: FakePublish):
    """Three valid articles: 202, and each id is article_id of that article's URL, title and body, in order."""
    records = [article(n) for n in (3, 1, 2)]
    reply = post(publish, json=records, headers=AUTH)
    assert reply.status == 202
    expected = [article_id(url=r["url"], title=r["title"], body=r["body"]) for r in records]
    assert reply.json() == {"accepted": 3, "ids": expected}
    assert [[a.id for a in batch] for batch in publish.batches] == [expected]
    assert [a.title for a in publish.batches[0]] == [r["title"] for r in records]


def test_single_object_and_envelope_are_accepted(publish: FakePublish):
    """One bare object, and {"articles": [...]}, are both accepted; a given id is kept."""
    single = post(publish, json=article(1), headers=AUTH)
    envelope = post(publish, json={"articles": [{**article(2), "id": "partner-42"}]}, headers=AUTH)
    assert single.status == 202 and envelope.status == 202
    assert single.json()["ids"] == [article_id(url=article(1)["url"], title="Title 1", body="Body of article 1.")]
    assert envelope.json()["ids"] == ["partner-42"]


def test_publish_failure_is_503_asking_for_a_retry():
    """Kafka not acknowledging: 503 with Retry-After, so the client retries the whole request."""
    reply = post(FakePublish(fail=True), json=[article(1), article(2)], headers=AUTH)
    assert reply.status == 503
    assert "Retry-After" in reply.headers
    assert "retry" in reply.json()["error"]


def test_healthz_answers_ok_without_a_token(publish: FakePublish):
    """GET /healthz needs no token: probes carry none."""
    reply = post(publish, method="GET", path="/healthz")
    assert (reply.status, reply.json()) == (200, {"status": "ok"})


def test_metrics_count_requests_by_status_and_accepted_articles():
    """GET /metrics serves the injected registry: requests by status, articles accepted."""
    registry = CollectorRegistry()
    app = build_app(make_settings(), FakePublish(), PushMetrics.create(registry))
    replies = exchange(
        app,
        {"json": [article(1), article(2)], "headers": AUTH},
        {"json": article(3), "headers": AUTH},
        {"json": article(4)},
        {"method": "GET", "path": "/metrics"},
    )
    assert [r.status for r in replies] == [202, 202, 401, 200]
    assert registry.get_sample_value("newsstream_push_requests_total", {"status": "202"}) == 2
    assert registry.get_sample_value("newsstream_push_requests_total", {"status": "401"}) == 1
    assert registry.get_sample_value("newsstream_push_articles_total") == 3
    text = replies[-1].body.decode()
    assert 'newsstream_push_requests_total{status="202"} 2.0' in text
    assert "newsstream_push_articles_total 3.0" in text


def test_serve_without_a_token_refuses_to_start():
    """No NEWSSTREAM_PUSH_TOKEN: serve raises ConfigError naming the variable, before binding or touching Kafka."""
    for token in (None, SecretStr("")):
        with pytest.raises(ConfigError, match="NEWSSTREAM_PUSH_TOKEN is not set"):
            serve(make_settings(push_token=token))


class FakeArticlePublisher:
    """ArticlePublisher's surface without Kafka; `refuse` names ids whose delivery fails."""

    def __init__(self, refuse: frozenset[str] = frozenset()) -> None:
        self.refuse = refuse
        self.pending: list[str] = []
        self.sent: list[str] = []
        self.threads: set[int] = set()
        self.closed = False

    def publish(self, article: Article) -> None:
        self.threads.add(threading.get_ident())
        self.pending.append(article.id)

    def flush(self, report: http_push.IngestReport) -> None:
        self.threads.add(threading.get_ident())
        for pending_id in self.pending:
            if pending_id in self.refuse:
                report.failed.append((pending_id, "KafkaTimeoutError: timed out"))
            else:
                report.published.append(pending_id)
                self.sent.append(pending_id)
        self.pending.clear()

    def close(self) -> None:
        self.closed = True


def test_kafka_publish_runs_off_the_loop_and_raises_on_any_failure():
    """The Kafka adapter publishes on the executor's thread; one refused article fails the request."""
    good = Article(id="a", title="T", body="B")
    bad = Article(id="b", title="T2", body="B2")
    publisher = FakeArticlePublisher(refuse=frozenset({"b"}))

    async def run() -> list[str]:
        with http_push.ThreadPoolExecutor(max_workers=1) as executor:
            publish = kafka_publish(publisher, executor)  # type: ignore[arg-type]
            ids = await publish([good])
            with pytest.raises(PublishFailed, match="1 of 2 articles"):
                await publish([good, bad])
            return ids

    assert asyncio.run(run()) == ["a"]
    assert threading.get_ident() not in publisher.threads
    assert publisher.pending == []


def test_kafka_publish_turns_a_kafka_error_into_publish_failed():
    """A send that raises KafkaError is flushed away and reported as PublishFailed (503), not a 500."""

    class Broken(FakeArticlePublisher):
        def publish(self, article: Article) -> None:
            super().publish(article)
            raise KafkaTimeoutError("metadata not available")

    publisher = Broken()

    async def run() -> None:
        with http_push.ThreadPoolExecutor(max_workers=1) as executor:
            await kafka_publish(publisher, executor)([Article(id="a", title="T", body="B")])  # type: ignore[arg-type]

    with pytest.raises(PublishFailed, match="metadata not available"):
        asyncio.run(run())
    assert publisher.pending == []


def test_app_without_publish_opens_and_closes_an_article_publisher(monkeypatch: pytest.MonkeyPatch):
    """build_app(settings) alone publishes through an ArticlePublisher made at start-up and closed at shutdown."""
    made: list[FakeArticlePublisher] = []

    def fake_publisher(settings: Settings) -> FakeArticlePublisher:
        made.append(FakeArticlePublisher())
        return made[-1]

    monkeypatch.setattr(http_push, "ArticlePublisher", fake_publisher)
    reply = exchange(build_app(make_settings()), {"json": [article(1), article(2)], "headers": AUTH})[0]
    assert reply.status == 202
    assert len(made) == 1
    assert made[0].sent == reply.json()["ids"]
    assert made[0].closed


def test_serve_runs_the_app_on_the_configured_address(monkeypatch: pytest.MonkeyPatch):
    """serve binds push_host:push_port, 127.0.0.1 unless configured otherwise."""
    calls: list[dict[str, Any]] = []
    monkeypatch.setattr(http_push.web, "run_app", lambda app, **kwargs: calls.append({"app": app, **kwargs}))
    serve(make_settings(push_port=18088))
    assert len(calls) == 1
    assert (calls[0]["host"], calls[0]["port"]) == ("127.0.0.1", 18088)
    assert isinstance(calls[0]["app"], web.Application)
