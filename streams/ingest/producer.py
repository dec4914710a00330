"""Publishes articles to news.articles, keyed by article id, Avro-encoded."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from kafka import KafkaProducer
from kafka.errors import KafkaError

from streams.config import Settings
from streams.core.models import Article, now_millis
from streams.ingest.sources import Rejected
from streams.runtime.kafka_admin import client_options, ensure_topics, explained_bootstrap_failure, require_reachable
from streams.wire.codec import Codecs

log = logging.getLogger(__name__)


@dataclass(slots=True)
class IngestReport:
    """What one ingest run did."""

    published: list[str] = field(default_factory=list)
    rejected: list[Rejected] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)


def make_producer(settings: Settings) -> KafkaProducer:
    """An idempotent acks=all producer (kafka-python 3 defaults), or a ConfigError naming the fix."""
    require_reachable(settings)
    with explained_bootstrap_failure(settings):
        return KafkaProducer(
            bootstrap_servers=settings.bootstrap_servers,
            client_id=f"{settings.app_id}-ingest",
            acks="all",
            linger_ms=5,
            compression_type=None,
            max_request_size=4 * 1024 * 1024,
            **client_options(settings),
        )


class ArticlePublisher:
    """Sends articles to the articles topic; delivery is confirmed before `flush` returns."""

    def __init__(self, settings: Settings, producer: KafkaProducer | None = None) -> None:
        self._settings = settings
        ensure_topics(settings)
        self._producer = producer or make_producer(settings)
        self._serializer = Codecs.for_settings(settings).article
        self._pending: list[tuple[str, object]] = []

    def publish(self, article: Article) -> None:
        """Queue one article; stamps ingested_at now so produce→stored latency can be measured."""
        stamped = replace(article, ingested_at=now_millis())
        future = self._producer.send(
            self._settings.topic_articles,
            key=stamped.id.encode("utf-8"),
            value=self._serializer.encode(stamped.to_record()),
        )
        self._pending.append((stamped.id, future))

    def flush(self, report: IngestReport, timeout: float = 60.0) -> None:
        """Wait for every queued send; record each as published or failed."""
        self._producer.flush(timeout=timeout)
        for article_id, future in self._pending:
            try:
                future.get(timeout=timeout)  # type: ignore[attr-defined]
                report.published.append(article_id)
            except KafkaError as exc:
                report.failed.append((article_id, str(exc)))
        self._pending.clear()

    def close(self) -> None:
        self._producer.close(timeout=10)


def publish_all(items: Iterable[Article | Rejected], publisher: ArticlePublisher, *, batch: int = 200) -> IngestReport:
    """Publish every Article, collect every Rejected; flushes every `batch` articles."""
    report = IngestReport()
    queued = 0
    for item in items:
        if isinstance(item, Rejected):
            report.rejected.append(item)
            continue
        publisher.publish(item)
        queued += 1
        if queued % batch == 0:
            publisher.flush(report)
    publisher.flush(report)
    return report
