"""Topic creation and broker reachability, with kafka-python (used by the CLI, not the agents)."""

from __future__ import annotations

import socket

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaError, TopicAlreadyExistsError

from streams.config import Settings
from streams.errors import ConfigError


def unreachable(settings: Settings) -> ConfigError:
    return ConfigError(
        f"Kafka at {','.join(settings.bootstrap_servers)} is not reachable: start it with "
        "`make kafka` or point NEWSSTREAM_BROKER at your cluster"
    )


def require_reachable(settings: Settings, timeout: float = 5.0) -> None:
    """Fail in seconds, not after the clients' 30 s bootstrap timeout, when no broker listens."""
    for server in settings.bootstrap_servers:
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout):
                return
        except OSError:
            continue
    raise unreachable(settings)


def admin_client(settings: Settings, *, timeout_ms: int = 10_000) -> KafkaAdminClient:
    """An admin client, or a ConfigError that says how to start Kafka."""
    require_reachable(settings)
    try:
        return KafkaAdminClient(
            bootstrap_servers=settings.bootstrap_servers,
            client_id=f"{settings.app_id}-admin",
            request_timeout_ms=timeout_ms,
        )
    except KafkaError:
        raise unreachable(settings) from None


def pipeline_topics(settings: Settings) -> list[str]:
    """The four contract topics, by their configured names."""
    return [
        settings.topic_articles,
        settings.topic_enriched,
        settings.topic_alerts,
        settings.topic_deadletter,
    ]


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
                        NewTopic(
                            name,
                            num_partitions=settings.topic_partitions,
                            replication_factor=settings.topic_replication,
                        )
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
