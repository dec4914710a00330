"""`newsstream …`: the command-line tools, one module per command group, plus evaluation, the
storage report and dead-letter replay."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace

import click

from streams.config import Settings, load_settings
from streams.core.errors import ConfigError
from streams.core.models import Article, now_millis
from streams.ingest.sources import Rejected, read_articles
from streams.runtime.log_redaction import install_secret_redaction


def _settings() -> Settings:
    try:
        config = load_settings()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    install_secret_redaction(config.secret_values())
    logging.getLogger().setLevel(config.log_level.upper())
    if config.log_level.lower() != "debug":
        # the Kafka clients and Alembic narrate every connection and step at info: only their warnings
        for chatty in ("kafka", "alembic"):
            logging.getLogger(chatty).setLevel(logging.WARNING)
    return config


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="newsstream")
def main() -> None:
    """newsstream: news articles in, entities, PLOVER/ACLED events, alerts and rows out."""
    # the level is NEWSSTREAM_LOG_LEVEL, read with every other setting when a command loads them
    logging.basicConfig(format="%(asctime)s %(levelname)s %(name)s: %(message)s")


def _articles_or_fail(paths: tuple[str, ...]) -> Iterator[Article]:
    for item in read_articles(paths):
        if isinstance(item, Rejected):
            click.echo(f"skipped {item.origin}: {item.reason}", err=True)
            continue
        # stamp like the producer does, so dates without a publication time resolve against today
        yield replace(item, ingested_at=item.ingested_at or now_millis())


def _consume(topic: str, config: Settings, from_beginning: bool, timeout: float | None) -> Iterator[bytes]:
    from kafka import KafkaConsumer

    from streams.runtime.kafka_admin import client_options, explained_bootstrap_failure, require_reachable

    try:
        require_reachable(config)
        with explained_bootstrap_failure(config):
            consumer = KafkaConsumer(
                topic,
                bootstrap_servers=config.bootstrap_servers,
                auto_offset_reset="earliest" if from_beginning else "latest",
                enable_auto_commit=False,
                group_id=None,
                consumer_timeout_ms=int(timeout * 1000) if timeout else float("inf"),
                **client_options(config),
            )
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        for record in consumer:
            yield record.value
    finally:
        consumer.close()


# the command groups register themselves on `main`
from streams.commands import alerts, coding, database, deadletters, demo, ingesting, training, web, worker  # noqa: E402

__all__ = ["alerts", "coding", "database", "deadletters", "demo", "ingesting", "main", "training", "web", "worker"]
