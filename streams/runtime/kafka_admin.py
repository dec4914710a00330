"""Topic creation and broker reachability, with kafka-python (used by the CLI, not the agents)."""

from __future__ import annotations

import logging
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from kafka import KafkaAdminClient
from kafka.admin import NewTopic
from kafka.errors import KafkaConnectionError, KafkaError, TopicAlreadyExistsError

from streams.config import Settings
from streams.core.errors import ConfigError
from streams.core.kafka_security import tls_problem
from streams.runtime.groups import alert_app_id, worker_groups

log = logging.getLogger(__name__)


def unreachable(settings: Settings) -> ConfigError:
    return ConfigError(
        f"Kafka at {','.join(settings.bootstrap_servers)} is not reachable: start it with "
        "`make kafka` or point NEWSSTREAM_BROKER at your cluster"
    )


def require_reachable(settings: Settings, timeout: float = 5.0) -> None:
    """Fail in seconds, not after the clients' 30 s bootstrap timeout, when no broker listens, or
    when the first that does refuses the TLS handshake the clients would make (said in words)."""
    for server in settings.bootstrap_servers:
        host, _, port = server.rpartition(":")
        try:
            with socket.create_connection((host, int(port)), timeout=timeout):
                pass
        except OSError:
            continue
        problem = tls_problem(host, int(port), settings.kafka_security, timeout=timeout)
        if problem:
            raise ConfigError(f"Kafka at {server}: {problem}")
        return
    raise unreachable(settings)


def client_options(settings: Settings) -> dict[str, Any]:
    """Security options every kafka-python client of newsstream is built with."""
    return settings.kafka_security.kafka_python_options()


class _BootstrapFailures(logging.Handler):
    """Collects the reasons kafka-python logs for failed bootstrap connections."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.reasons: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if "Authentication" in message or "SASL" in message:
            self.reasons.append(message)


@contextmanager
def explained_bootstrap_failure(settings: Settings) -> Iterator[None]:
    """Turn a kafka-python bootstrap failure into a ConfigError that says why: a refused SASL
    login reaches the caller only as "Unable to bootstrap", and its reason only as a log line."""
    failures = _BootstrapFailures()
    kafka_log = logging.getLogger("kafka")
    kafka_log.addHandler(failures)
    try:
        yield
    except KafkaError:
        if failures.reasons:
            reason = failures.reasons[-1].rsplit(": ", 1)[-1]
            raise ConfigError(
                f"Kafka at {','.join(settings.bootstrap_servers)} refused the login "
                f"({settings.kafka_security.describe()}): {reason}; check NEWSSTREAM_KAFKA_SASL_USERNAME, "
                "NEWSSTREAM_KAFKA_SASL_PASSWORD(_FILE) and NEWSSTREAM_KAFKA_SASL_MECHANISM"
            ) from None
        raise unreachable(settings) from None
    finally:
        kafka_log.removeHandler(failures)


def admin_client(settings: Settings, *, timeout_ms: int = 10_000) -> KafkaAdminClient:
    """An admin client, or a ConfigError that says how to start Kafka or what to fix in the login."""
    require_reachable(settings)
    with explained_bootstrap_failure(settings):
        return KafkaAdminClient(
            bootstrap_servers=settings.bootstrap_servers,
            client_id=f"{settings.app_id}-admin",
            request_timeout_ms=timeout_ms,
            bootstrap_timeout_ms=max(timeout_ms, 15_000),
            **client_options(settings),
        )


def pipeline_topics(settings: Settings) -> list[str]:
    """The contract topics, by their configured names."""
    return [
        settings.topic_articles,
        settings.topic_enriched,
        settings.topic_alerts,
        settings.topic_deadletter,
        settings.topic_other_languages,
    ]


STORY_STATE_TABLE = "story-state"


def story_blocks_topic(settings: Settings) -> str:
    """The alert app's internal re-key topic (news.enriched keyed by story block)."""
    return f"{alert_app_id(settings)}-story-blocks"


def story_state_changelog(settings: Settings) -> str:
    """The changelog Faust keeps for the `story-state` table (its naming: <app id>-<table>-changelog)."""
    return f"{alert_app_id(settings)}-{STORY_STATE_TABLE}-changelog"


@dataclass(frozen=True)
class TopicSpec:
    partitions: int | None = None  # None: the configured topic_partitions
    configs: dict[str, str] = field(default_factory=dict)


def internal_topics(settings: Settings) -> dict[str, TopicSpec]:
    """The worker's own topics. Faust would create them itself, but only while its consumer is
    already subscribing: on a busy machine the group's first assignment can then miss them, and the
    alert agent sits idle until the next metadata refresh. Created up front, they are there first."""
    groups = worker_groups(settings)
    specs = {f"{group.app_id}-__assignor-__leader": TopicSpec(partitions=1) for group in groups}
    if any(group.role == "alert" for group in groups):
        specs[story_blocks_topic(settings)] = TopicSpec()
        specs[story_state_changelog(settings)] = TopicSpec(configs={"cleanup.policy": "compact"})
    return specs


def ensure_topics(settings: Settings, specs: dict[str, TopicSpec] | None = None, *, attempts: int = 10) -> list[str]:
    """Create any missing topic (the contract topics by default) and wait until the broker
    shows every partition of it with a leader; returns the ones it created. A broker of the
    cluster that is down costs a retry through another one, not the command."""
    for attempt in range(1, attempts + 1):
        try:
            return _ensure_topics_once(settings, specs)
        except KafkaConnectionError as exc:
            if attempt == attempts:
                raise ConfigError(f"Kafka did not answer for topic metadata ({exc}); is the cluster up?") from None
            log.warning("topic metadata from Kafka failed (%s); retrying through another broker", exc)
            time.sleep(1.5)  # a dead broker leaves the metadata once the controller fences it (~9 s)
    raise AssertionError("unreachable")


def _ensure_topics_once(settings: Settings, specs: dict[str, TopicSpec] | None) -> list[str]:
    specs = specs or {name: TopicSpec() for name in pipeline_topics(settings)}
    wanted = list(specs)
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
                            num_partitions=specs[name].partitions or settings.topic_partitions,
                            replication_factor=settings.topic_replication,
                            topic_configs=specs[name].configs,
                        )
                        for name in missing
                    ]
                )
            except TopicAlreadyExistsError:
                pass  # another process created it between list and create
            except KafkaConnectionError:
                raise
            except KafkaError as exc:
                raise ConfigError(f"cannot create topics {missing}: {exc}") from None
            _wait_until_listed(admin, missing)
        return missing
    finally:
        admin.close()


def _wait_until_listed(admin: KafkaAdminClient, names: list[str], timeout: float = 30.0) -> None:
    """Block until the metadata shows each topic with partitions that have leaders."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            described = admin.describe_topics(names)
        except KafkaError:
            described = []
        ready = {
            topic["name"]
            for topic in described
            if topic.get("error_code", 0) == 0
            and topic.get("partitions")
            and all(part.get("leader_id", -1) >= 0 for part in topic["partitions"])
        }
        if ready >= set(names):
            return
        if time.monotonic() > deadline:
            missing = sorted(set(names) - ready)
            raise ConfigError(f"topics {missing} were created but have no partition leaders after {timeout:.0f} s")
        time.sleep(0.2)


def topics_read_by(settings: Settings, role: str) -> list[str]:
    """The contract topics a role's consumer group reads."""
    return {
        "enrich": [settings.topic_articles],
        "alert": [settings.topic_enriched],
        "store": [settings.topic_enriched, settings.topic_alerts],
        "notify": [settings.topic_alerts],
    }[role]


def carry_over_shared_group_offsets(settings: Settings) -> dict[str, int]:
    """Upgrading from one shared consumer group (`<app id>`) to a group per role: a role group that
    has committed nothing yet starts where the shared group was on the topics it reads, instead of
    at the log start (which would enrich all of retention again and re-send every alert in it).
    Returns group -> partitions carried over. The shared group's offsets are those that lost
    messages before; this keeps an upgrade from making it worse, not better."""
    from kafka.structs import OffsetAndMetadata

    admin = admin_client(settings)
    try:
        groups = worker_groups(settings)
        fetched = _group_offsets(admin, [settings.app_id, *(group.app_id for group in groups)])
        shared = {tp: meta.offset for tp, meta in fetched.get(settings.app_id, {}).items() if meta.offset >= 0}
        carried: dict[str, int] = {}
        if not shared:
            return carried
        for group in groups:
            if any(meta.offset >= 0 for meta in fetched.get(group.app_id, {}).values()):
                continue  # this group has its own place already
            topics = set(topics_read_by(settings, group.role))
            offsets = {tp: OffsetAndMetadata(offset, "", -1) for tp, offset in shared.items() if tp.topic in topics}
            if offsets:
                admin.alter_group_offsets(group.app_id, offsets)
                carried[group.app_id] = len(offsets)
                log.warning(
                    "consumer group %s starts where the shared group %s was (%d partitions)",
                    group.app_id,
                    settings.app_id,
                    len(offsets),
                )
        return carried
    finally:
        admin.close()


def _group_offsets(admin: KafkaAdminClient, groups: list[str], attempts: int = 30) -> dict[str, Any]:
    """Committed offsets per group. A new cluster has no group coordinator for its first seconds
    (until __consumer_offsets exists): wait for it rather than guess that nothing was committed."""
    for attempt in range(1, attempts + 1):
        try:
            return dict(admin.list_group_offsets({group: None for group in groups}))
        except KafkaError as exc:
            if attempt == attempts:
                raise ConfigError(
                    f"Kafka did not say what the consumer groups {', '.join(groups)} have committed ({exc}); "
                    "the group coordinator is not available: check the brokers' logs"
                ) from None
            time.sleep(1.0)
    return {}
