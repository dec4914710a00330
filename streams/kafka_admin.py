"""Topic creation and broker reachability, with kafka-python (used by the CLI, not the agents)."""

from __future__ import annotations

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, NoBrokersAvailable, TopicAlreadyExistsError

from streams.config import Settings
from streams.errors import ConfigError


def admin_client(settings: Settings, *, timeout_ms: int = 10_000) -> KafkaAdminClient:
    """An admin client, or a ConfigError that says how to start Kafka."""
    try:
        return KafkaAdminClient(
            bootstrap_servers=settings.bootstrap_servers,
            client_id=f"{settings.app_id}-admin",
            request_timeout_ms=timeout_ms,
        )
    except NoBrokersAvailable:
        raise ConfigError(
            f"Kafka at {','.join(settings.bootstrap_servers)} is not reachable: start it with "
            "`make kafka` or point NEWSSTREAM_BROKER at your cluster"
        ) from None


def pipeline_topics(settings: Settings) -> list[str]:
    """The four contract topics, by their configured names."""
    return [settings.topic_articles, settings.topic_enriched, settings.topic_alerts, settings.topic_deadletter]


def ensure_topics(settings: Settings, names: list[str] | None = None) -> list[str]:
    """Create any missing topic with the configured partitions; returns the ones it created."""
    wanted = names or pipeline_topics(settings)
    admin = admin_client(settings)
    try:
        existing = set(admin.list_topics())
        missing = [name for name in wanted if name not in existing]
        if missing:
            try:
                admin.create_topics(
                    [
                        NewTopic(name, num_partitions=settings.topic_partitions,
                                 replication_factor=settings.topic_replication)
                        for name in missing
                    ]
                )
            except TopicAlreadyExistsError:
                pass  # another process created it between list and create
            except KafkaError as exc:
                raise ConfigError(f"cannot create topics {missing}: {exc}") from None
        return missing
    finally:
        admin.close()
