"""HTTP push ingestion: `POST /articles` takes articles as JSON and publishes them to news.articles.

For sources that cannot be polled (a partner's CMS, a scraper elsewhere) and push to us instead.
A request is atomic: every article in it is validated first, and if any one is invalid nothing
is published and the answer names each bad item, so a client never has to work out which half
of its batch got through. The same app serves GET /healthz and GET /metrics; those two carry no
token, which is why the server binds 127.0.0.1 unless NEWSSTREAM_PUSH_HOST says otherwise.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from kafka.errors import KafkaError
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, generate_latest

from streams.config import Settings
from streams.core.errors import ConfigError, InvalidArticle, NewsstreamError
from streams.core.models import Article
from streams.ingest.producer import ArticlePublisher, IngestReport
from streams.ingest.sources import article_from_mapping

log = logging.getLogger(__name__)

PublishFn = Callable[[list[Article]], Awaitable[list[str]]]
"""Publishes one request's articles; returns their ids in input order, or raises PublishFailed."""

# Tells a client that got 503 when to try again; Kafka leader elections take seconds, not minutes.
RETRY_AFTER_SECONDS = 5


class PublishFailed(NewsstreamError):
    """Kafka did not acknowledge every article of a request; the client should retry it whole."""


@dataclass(frozen=True)
class PushMetrics:
    """Counters of the push endpoint, on an injected registry that GET /metrics serves."""

    registry: CollectorRegistry
    requests: Counter
    articles: Counter

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> PushMetrics:
        """Counters on `registry`, or on a fresh one so two apps in one process never collide."""
        registry = registry or CollectorRegistry()
        return cls(
            registry=registry,
            requests=Counter(
                "newsstream_push_requests_total",
                "POST /articles requests, by HTTP status of the answer",
                ["status"],
                registry=registry,
            ),
            articles=Counter(
                "newsstream_push_articles_total",
                "Articles accepted by POST /articles and acknowledged by Kafka",
                registry=registry,
            ),
        )


def _require_token(settings: Settings) -> bytes:
    """The push token as bytes; refusing to run without one, since an open POST /articles lets anyone publish."""
    token = settings.push_token.get_secret_value() if settings.push_token is not None else ""
    if not token:
        raise ConfigError("NEWSSTREAM_PUSH_TOKEN is not set: POST /articles needs a bearer token")
    return token.encode("utf-8")


def _error(status: int, message: str, **extra: Any) -> web.Response:
    """Every refusal has the same shape, {"error": "..."}, so clients need one code path to report it."""
    return web.json_response({"error": message, **extra}, status=status)


def _unauthorized(message: str, challenge: str) -> web.Response:
    response = _error(401, message)
    response.headers["WWW-Authenticate"] = challenge
    return response


def _records(payload: Any) -> list[Any] | None:
    """The items of a body: one object, a list of them, or {"articles": [...]}; None for any other shape."""
    if isinstance(payload, list):
        return payload
    if isinstance(payload, dict):
        if "articles" in payload:
            articles = payload["articles"]
            return articles if isinstance(articles, list) else None
        return [payload]
    return None


class ArticlePushEndpoint:
    """The request handlers; holds the token, the limits and where accepted articles go."""

    def __init__(self, settings: Settings, publish: PublishFn | None, metrics: PushMetrics) -> None:
        self._settings = settings
        self._token = _require_token(settings)
        self.publish = publish
        self._metrics = metrics

    async def post_articles(self, request: web.Request) -> web.Response:
        """POST /articles: counts every answer by status, including an unexpected 500."""
        try:
            response = await self._accept(request)
        except Exception:
            self._metrics.requests.labels(status="500").inc()
            raise  # aiohttp logs the traceback and answers 500
        self._metrics.requests.labels(status=str(response.status)).inc()
        return response

    async def healthz(self, _: web.Request) -> web.Response:
        """GET /healthz: the process is up and serving; says nothing about Kafka (503s do that)."""
        return web.json_response({"status": "ok"})

    async def metrics(self, _: web.Request) -> web.Response:
        """GET /metrics: the push counters, in Prometheus text format."""
        return web.Response(body=generate_latest(self._metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    def _authorized(self, request: web.Request) -> web.Response | None:
        """None when the bearer token matches; otherwise the 401 to send. The token is never logged."""
        scheme, _, presented = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not presented.strip():
            log.warning("push from %s refused: no bearer token", request.remote)
            return _unauthorized("missing bearer token: send `Authorization: Bearer <token>`", "Bearer")
        # compare_digest takes the same time wherever the first difference is, so timing leaks nothing
        if not hmac.compare_digest(presented.strip().encode("utf-8"), self._token):
            log.warning("push from %s refused: wrong bearer token", request.remote)
            return _unauthorized("invalid bearer token", 'Bearer error="invalid_token"')
        return None

    async def _read_json(self, request: web.Request) -> Any | web.Response:
        """The decoded body, or the 4xx that explains why it cannot be read."""
        limit = self._settings.push_max_bytes
        too_large = f"body exceeds the limit of {limit} bytes (NEWSSTREAM_PUSH_MAX_BYTES): send smaller batches"
        # Content-Length is checked before reading, so an oversize body is refused without buffering it;
        # a chunked body has none, and aiohttp's client_max_size stops that one while it is read.
        if request.content_length is not None and request.content_length > limit:
            return _error(413, too_large)
        try:
            body = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return _error(413, too_large)
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            return _error(400, f"body is not UTF-8 text (byte {exc.start})")
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            return _error(400, f"invalid JSON: {exc.msg} at line {exc.lineno} column {exc.colno} (char {exc.pos})")
        except RecursionError:
            return _error(400, "invalid JSON: nested too deeply")

    def _validate(self, records: list[Any]) -> tuple[list[Article], list[dict[str, Any]]]:
        """Every record as an article, and every invalid one as {"index", "error"}."""
        articles: list[Article] = []
        invalid: list[dict[str, Any]] = []
        for index, record in enumerate(records):
            try:
                article = article_from_mapping(record)
                # the worker dead-letters bodies over this limit; refusing them here tells the sender
                article.validate(max_body_chars=self._settings.max_body_chars)
            except InvalidArticle as exc:
                invalid.append({"index": index, "error": str(exc)})
            else:
                articles.append(article)
        return articles, invalid

    async def _accept(self, request: web.Request) -> web.Response:
        # Checks run cheapest first, and authentication before anything that reads the body,
        # so an unauthenticated client can neither make us buffer data nor learn our limits.
        refusal = self._authorized(request)
        if refusal is not None:
            return refusal
        if request.content_type != "application/json":
            return _error(415, f"Content-Type must be application/json, not {request.content_type}")
        payload = await self._read_json(request)
        if isinstance(payload, web.Response):
            return payload
        records = _records(payload)
        if records is None:
            return _error(400, 'expected an article object, a list of them, or {"articles": [...]}')
        limit = self._settings.push_max_batch
        if len(records) > limit:
            return _error(
                413, f"{len(records)} articles exceed the limit of {limit} per request (NEWSSTREAM_PUSH_MAX_BATCH)"
            )
        articles, invalid = self._validate(records)
        if invalid:
            log.info("push from %s refused: %d of %d articles invalid", request.remote, len(invalid), len(records))
            return _error(
                422, f"{len(invalid)} of {len(records)} articles are invalid; nothing was published", invalid=invalid
            )
        if not articles:
            return web.json_response({"accepted": 0, "ids": []}, status=202)
        if self.publish is None:  # only between start-up failing and the app stopping
            return _error(503, "the Kafka publisher is not ready; retry shortly")
        try:
            ids = await self.publish(articles)
        except PublishFailed as exc:
            log.warning("push from %s not published: %s", request.remote, exc)
            response = _error(
                503, f"{exc}; retry the whole request (article ids are deterministic, so a retry never duplicates)"
            )
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
            return response
        self._metrics.articles.inc(len(ids))
        log.info("push from %s: %d articles published", request.remote, len(ids))
        return web.json_response({"accepted": len(ids), "ids": ids}, status=202)


def kafka_publish(publisher: ArticlePublisher, executor: Executor) -> PublishFn:
    """A PublishFn over `publisher` whose blocking sends and flush run on `executor`, never on the event loop.

    `executor` must have exactly one thread: ArticlePublisher keeps one list of pending sends, and
    two requests flushing at once would each collect the other's results.
    """

    def publish_batch(articles: list[Article]) -> list[str]:
        # Delivery protocol for one request, run whole on the publisher's thread:
        #   1. queue every article, keyed by its id;
        #   2. flush: wait until the broker has acknowledged (acks=all) or refused each send —
        #      also after a failed send, so no stale send leaks into the next request's flush;
        #   3. answer with the ids only if every article was acknowledged; otherwise raise, and the
        #      client retries the whole request. Ids are deterministic and storage upserts by id,
        #      so the copies a retry sends overwrite themselves instead of duplicating articles.
        report = IngestReport()
        try:
            try:
                for article in articles:
                    publisher.publish(article)
            finally:
                publisher.flush(report)
        except KafkaError as exc:
            raise PublishFailed(f"Kafka refused the articles: {exc}") from exc
        acknowledged = set(report.published)
        missing = [article.id for article in articles if article.id not in acknowledged]
        if missing:
            reasons = "; ".join(sorted({reason for _, reason in report.failed})) or "no acknowledgement"
            raise PublishFailed(f"{len(missing)} of {len(articles)} articles were not acknowledged by Kafka: {reasons}")
        return [article.id for article in articles]

    async def publish(articles: list[Article]) -> list[str]:
        return await asyncio.get_running_loop().run_in_executor(executor, publish_batch, articles)

    return publish


def build_app(
    settings: Settings,
    publish: PublishFn | None = None,
    metrics: PushMetrics | None = None,
) -> web.Application:
    """The push app: POST /articles, GET /healthz, GET /metrics.

    Without `publish`, the app opens an ArticlePublisher on start-up (so an unreachable Kafka stops
    it before it binds, with a ConfigError saying how to start Kafka) and closes it on shutdown.
    Raises ConfigError when NEWSSTREAM_PUSH_TOKEN is unset.
    """
    endpoint = ArticlePushEndpoint(settings, publish, metrics or PushMetrics.create())
    app = web.Application(client_max_size=settings.push_max_bytes)
    app.router.add_post("/articles", endpoint.post_articles)
    app.router.add_get("/healthz", endpoint.healthz)
    app.router.add_get("/metrics", endpoint.metrics)
    if publish is None:

        async def kafka_publisher(_: web.Application) -> AsyncIterator[None]:
            executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="push-publisher")
            loop = asyncio.get_running_loop()
            try:
                # ArticlePublisher checks the broker and creates topics: blocking, so off the loop too
                publisher = await loop.run_in_executor(executor, ArticlePublisher, settings)
                endpoint.publish = kafka_publish(publisher, executor)
                yield
                endpoint.publish = None
                await loop.run_in_executor(executor, publisher.close)
            finally:
                executor.shutdown(wait=True)

        app.cleanup_ctx.append(kafka_publisher)
    return app


def serve(settings: Settings) -> None:
    """Run the push app on push_host:push_port until interrupted; blocks. Needs NEWSSTREAM_PUSH_TOKEN."""
    _require_token(settings)  # before touching Kafka: a missing token is the likelier mistake
    app = build_app(settings)
    log.info("serving POST /articles on http://%s:%d", settings.push_host, settings.push_port)
    web.run_app(app, host=settings.push_host, port=settings.push_port, print=None)
