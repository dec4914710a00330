"""Prometheus metrics, on an injected registry (the worker's /metrics serves it)."""

from __future__ import annotations

from dataclasses import dataclass

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


@dataclass(frozen=True)
class PipelineMetrics:
    """Every newsstream metric; labels are bounded (stage, reason, type, rule, severity)."""

    registry: CollectorRegistry
    articles_ingested: Counter
    articles_enriched: Counter
    articles_stored: Counter
    events_coded: Counter
    alerts: Counter
    stories: Counter
    alerts_delivered: Counter
    dead_letters: Counter
    stage_seconds: Histogram
    batch_size: Histogram
    produce_to_stored_seconds: Histogram
    produce_to_alert_seconds: Histogram
    stalled_partitions: Gauge
    rewinds: Counter
    sink_retries: Counter
    sink_failing_seconds: Gauge

    @classmethod
    def create(cls, registry: CollectorRegistry | None = None) -> PipelineMetrics:
        registry = registry or CollectorRegistry()
        return cls(
            registry=registry,
            stalled_partitions=Gauge(
                "newsstream_stalled_partitions",
                "Assigned partitions with messages waiting and no commit for NEWSSTREAM_LIVENESS_TIMEOUT",
                registry=registry,
            ),
            rewinds=Counter(
                "newsstream_partition_rewinds_total",
                "Times a partition was read again from a message a rebalance had skipped",
                ["topic"],
                registry=registry,
            ),
            sink_retries=Counter(
                "newsstream_sink_retries_total",
                "Failed attempts of a sink (storage, notify-<name>) that are retried with backoff",
                ["sink"],
                registry=registry,
            ),
            sink_failing_seconds=Gauge(
                "newsstream_sink_failing_seconds",
                "How long a sink has been failing without a success (0: it works)",
                ["sink"],
                registry=registry,
            ),
            articles_ingested=Counter(
                "newsstream_articles_ingested_total",
                "Messages consumed from the articles topic (valid or not)",
                registry=registry,
            ),
            articles_enriched=Counter("newsstream_articles_enriched_total", "Articles enriched", registry=registry),
            articles_stored=Counter(
                "newsstream_articles_stored_total",
                "Articles written to storage",
                ["backend"],
                registry=registry,
            ),
            events_coded=Counter(
                "newsstream_events_coded_total",
                "Events coded, by PLOVER type",
                ["event_type"],
                registry=registry,
            ),
            alerts=Counter(
                "newsstream_alerts_total",
                "Alerts raised, by rule and severity",
                ["rule", "severity"],
                registry=registry,
            ),
            stories=Counter(
                "newsstream_story_reports_total",
                "Articles assigned to a story, new or joined",
                ["outcome"],
                registry=registry,
            ),
            alerts_delivered=Counter(
                "newsstream_alert_deliveries_total",
                "Alert deliveries by notifier and outcome",
                ["notifier", "outcome"],
                registry=registry,
            ),
            dead_letters=Counter(
                "newsstream_dead_letters_total",
                "Messages sent to the dead-letter topic",
                ["stage", "reason"],
                registry=registry,
            ),
            stage_seconds=Histogram(
                "newsstream_stage_seconds",
                "Time spent per batch in each stage",
                ["stage"],
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            batch_size=Histogram(
                "newsstream_batch_size",
                "Messages per processed batch",
                ["stage"],
                buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256, 512),
                registry=registry,
            ),
            produce_to_stored_seconds=Histogram(
                "newsstream_produce_to_stored_seconds",
                "From publication to articles topic until stored",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
            produce_to_alert_seconds=Histogram(
                "newsstream_produce_to_alert_seconds",
                "From publication to articles topic until alert sent",
                buckets=LATENCY_BUCKETS,
                registry=registry,
            ),
        )
