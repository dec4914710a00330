"""The Faust app: topics and agents, wiring only. The work itself is in stages.py and below.

`faust -A streams.app worker` and `newsstream worker` start the same app. Every agent:
  1. takes a batch of raw events (stream.take_events: acked only after the loop body returns);
  2. runs its stage in an executor thread (NLP and database calls never block the event loop);
  3. sends outputs and dead letters and awaits their delivery;
  4. returns, so Faust acks the batch and commits its offsets on the next commit interval.
A crash between 3 and 4 redelivers the batch: sinks upsert by id, so nothing is duplicated.
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Sequence
from concurrent.futures import BrokenExecutor, ThreadPoolExecutor
from functools import cached_property
from typing import Any, cast

import faust
from faust.sensors.prometheus import setup_prometheus_sensors
from faust.transport.consumer import Consumer
from faust.types import EventT

from streams.alerting.notifiers import (
    ConsoleNotifier,
    DeliveryFailed,
    Notifier,
    WebhookNotifier,
    alert_json,
    alertmanager_notifier,
    slack_message,
)
from streams.alerting.rules import RuleSet, load_rules
from streams.codec import Codecs
from streams.config import Settings, settings
from streams.enrich.gazetteer import gazetteer
from streams.faust_fixes import HoleWatch, acknowledged_only_when_done, hold_commits_at_offset_gaps, rewind_to_holes
from streams.kafka_admin import STORY_STATE_TABLE, story_blocks_topic
from streams.kafka_security import KafkaSecurity
from streams.liveness import CommitWatch
from streams.log_redaction import install_secret_redaction
from streams.metrics import PipelineMetrics
from streams.models import Alert, DeadLetter, EnrichedArticle, now_millis
from streams.nlp_process import NlpRunner
from streams.stages import (
    AlertStage,
    RawMessage,
    StageResult,
    dead_letter,
    decode_alerts,
    decode_enriched,
)
from streams.storage import Storage, open_storage

log = logging.getLogger(__name__)


class Pipeline:
    """Everything one worker process holds: settings, codecs, metrics, executors, sinks."""

    def __init__(self, config: Settings) -> None:
        self.config = config
        self.codecs = Codecs.for_settings(config)
        self.metrics = PipelineMetrics.create()
        # bad rules fail here, at start-up, not on the first article
        self.rules: RuleSet = load_rules(config.alert_rules)
        # built now, not on the event loop when the alert agent meets its first story
        gazetteer()
        self.io_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storage")
        self.notify_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="notify")
        self.notifiers: list[tuple[str, Notifier]] = [("console", ConsoleNotifier(sys.stdout))]
        if config.webhook_url:
            token = config.webhook_token.get_secret_value() if config.webhook_token else None
            body = slack_message if config.webhook_format == "slack" else alert_json
            self.notifiers.append(("webhook", WebhookNotifier(config.webhook_url, token=token, body=body)))
        if config.alertmanager_url:
            self.notifiers.append(("alertmanager", alertmanager_notifier(config.alertmanager_url)))

    @cached_property
    def nlp(self) -> NlpRunner:
        # starts the NLP process (or thread), which loads spaCy there: seconds, never on the loop
        return NlpRunner(self.config)

    @cached_property
    def alert_stage(self) -> AlertStage:
        return AlertStage(self.rules, self.codecs, horizon_seconds=self.config.story_horizon_hours * 3600)

    @cached_property
    def storage(self) -> Storage:
        return open_storage(self.config.database_url)

    def write_articles(self, articles: list[EnrichedArticle]) -> int:
        return self.storage.write_articles(articles)

    def write_alerts(self, alerts: list[Alert]) -> int:
        return self.storage.write_alerts(alerts)

    @property
    def storage_backend(self) -> str:
        return "postgresql" if self.config.database_url.startswith("postgres") else "sqlite"


def raw_messages(events: Sequence[EventT]) -> list[RawMessage]:
    """Faust events -> plain records for the stages."""
    return [
        RawMessage(
            key=event.message.key,
            value=event.message.value,
            topic=event.message.topic,
            partition=event.message.partition,
            offset=event.message.offset,
        )
        for event in events
    ]


def broker_credentials(security: KafkaSecurity) -> faust.types.auth.CredentialsT | None:
    """Faust's form of the Kafka security settings (it hands them to aiokafka)."""
    context = security.ssl_context()
    if security.uses_sasl:
        return faust.SASLCredentials(
            username=security.sasl_username,
            password=security.sasl_password.get_secret_value() if security.sasl_password else None,
            mechanism=security.sasl_mechanism,
            ssl_context=context,
        )
    if context is not None:
        return faust.SSLCredentials(context)
    return None


def create_app(config: Settings) -> faust.App:
    """Build the app and its agents for one configuration."""
    hold_commits_at_offset_gaps()
    install_secret_redaction(config.secret_values())
    pipeline = Pipeline(config)
    app = faust.App(
        config.app_id,
        broker=[f"kafka://{server}" for server in config.bootstrap_servers],
        broker_credentials=broker_credentials(config.kafka_security),
        autodiscover=False,
        store="memory://",
        datadir=str(config.data_dir),
        topic_partitions=config.topic_partitions,
        topic_replication_factor=config.topic_replication,
        broker_session_timeout=config.session_timeout,
        broker_heartbeat_interval=min(3.0, config.session_timeout / 3),
        broker_commit_interval=1.0,
        # new topics and partitions (added when scaling out) are seen within 30 s, not aiokafka's 5 min
        consumer_metadata_max_age_ms=30_000,
        table_standby_replicas=0,
        consumer_auto_offset_reset="earliest",
        producer_acks=-1,
        web_bind=config.web_host,
        web_host=config.web_host,
        web_port=config.web_port,
        web_enabled=True,
        logging_config=None,
    )
    app.pipeline = pipeline  # type: ignore[attr-defined]
    setup_prometheus_sensors(app, registry=pipeline.metrics.registry, name_prefix="newsstream_faust")

    def raw_topic(name: str) -> faust.TopicT:
        return app.topic(name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw")

    articles = raw_topic(config.topic_articles)
    enriched = raw_topic(config.topic_enriched)
    alerts = raw_topic(config.topic_alerts)
    deadletter = raw_topic(config.topic_deadletter)
    other_languages = raw_topic(config.topic_other_languages)
    metrics = pipeline.metrics
    loop_executor = asyncio.get_event_loop

    async def send_all(topic: faust.TopicT, result: StageResult) -> None:
        """Send outputs and dead letters; wait until the broker has them (acks=all)."""
        pending = [await topic.send(key=key, value=value) for key, value in result.outputs]
        pending += [await other_languages.send(key=key, value=value) for key, value in result.other_languages]
        pending += [await _send_dead_letter(letter) for letter in result.dead_letters]
        await asyncio.gather(*pending)

    async def _send_dead_letter(letter: DeadLetter) -> Any:
        metrics.dead_letters.labels(letter.stage, letter.reason).inc()
        log.warning(
            "dead letter from %s[%d]@%d at %s: %s (%s)",
            letter.topic,
            letter.partition,
            letter.offset,
            letter.stage,
            letter.reason,
            letter.error_message[:200],
        )
        return await deadletter.send(key=letter.key, value=pipeline.codecs.dead_letter.encode(letter.to_record()))

    @app.agent(articles, concurrency=1)
    async def enrich(stream: faust.StreamT) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]  # faust's StreamT protocol lacks it
            config.batch_size, within=config.batch_seconds
        ):
            with acknowledged_only_when_done(events):
                messages = raw_messages(events)
                metrics.articles_ingested.inc(len(messages))
                started = time.perf_counter()
                try:
                    outcome = await pipeline.nlp.enrich(messages)
                except BrokenExecutor as exc:
                    # the NLP process died (out of memory, killed): nothing of this batch is committed;
                    # leave so the supervisor restarts the worker and the batch is read again
                    log.critical("the NLP process died (%s); exiting with status %d", exc, STALLED_EXIT_CODE)
                    logging.shutdown()
                    os._exit(STALLED_EXIT_CODE)
                await send_all(enriched, outcome.result)
                metrics.stage_seconds.labels("enrich").observe(time.perf_counter() - started)
                metrics.batch_size.labels("enrich").observe(len(messages))
                metrics.articles_enriched.inc(len(outcome.event_types))
                for event_types in outcome.event_types:
                    for event_type in event_types:
                        metrics.events_coded.labels(event_type).inc()

    @app.task
    async def start_nlp() -> None:
        pipeline.nlp  # noqa: B018 - the NLP process loads spaCy while the consumer joins its group

    # Alerting is stateful: reports of one story must meet the same story index. Step 1 re-keys
    # each enriched article by its story block (the headline event's country) onto an internal
    # topic; step 2 reads it with a table keyed the same way, so a block's state lives on the
    # partition that updates it and its changelog restores it after a restart or rebalance.
    story_blocks = app.topic(
        story_blocks_topic(config),
        key_type=bytes,
        value_type=bytes,
        key_serializer="raw",
        value_serializer="raw",
        internal=True,
        partitions=config.topic_partitions,
    )
    story_state = app.Table(STORY_STATE_TABLE, default=dict, partitions=config.topic_partitions)

    @app.agent(enriched, concurrency=1)
    async def route_to_stories(stream: faust.StreamT) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]  # faust's StreamT protocol lacks it
            config.batch_size, within=config.batch_seconds
        ):
            with acknowledged_only_when_done(events):
                await send_all(story_blocks, pipeline.alert_stage.route(raw_messages(events)))

    @app.agent(story_blocks, concurrency=1)
    async def raise_alerts(stream: faust.StreamT) -> None:
        # one event at a time: the table write must belong to the event's own partition
        async for event in stream.events():
            with acknowledged_only_when_done([event]):
                started = time.perf_counter()
                message = raw_messages([event])[0]
                block = (message.key or b"--").decode("utf-8", "replace")
                now = now_millis()
                raised, state, article, letter, is_new = pipeline.alert_stage.raise_alerts(
                    message, story_state[block], now
                )
                story_state[block] = state
                result = StageResult(
                    outputs=[(a.id.encode("utf-8"), pipeline.codecs.alert.encode(a.to_record())) for a in raised],
                    dead_letters=[letter] if letter else [],
                )
                await send_all(alerts, result)
                if article is not None:
                    metrics.stories.labels("new" if is_new else "joined").inc()
                    for alert in raised:
                        metrics.alerts.labels(alert.rule, alert.severity).inc()
                        metrics.produce_to_alert_seconds.observe(max(0, now - article.ingested_at) / 1000)
                metrics.stage_seconds.labels("alert").observe(time.perf_counter() - started)

    @app.agent(enriched, concurrency=1)
    async def store_articles(stream: faust.StreamT) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]  # faust's StreamT protocol lacks it
            config.batch_size * 4, within=config.batch_seconds
        ):
            with acknowledged_only_when_done(events):
                started = time.perf_counter()
                good, dead = decode_enriched(raw_messages(events), pipeline.codecs, "store")
                items = [article for _, article in good]
                await loop_executor().run_in_executor(pipeline.io_executor, pipeline.write_articles, items)
                await send_all(deadletter, StageResult(dead_letters=dead))
                now = now_millis()
                for article in items:
                    metrics.produce_to_stored_seconds.observe(max(0, now - article.ingested_at) / 1000)
                metrics.articles_stored.labels(pipeline.storage_backend).inc(len(items))
                metrics.stage_seconds.labels("store").observe(time.perf_counter() - started)

    @app.agent(alerts, concurrency=1)
    async def deliver_alerts(stream: faust.StreamT) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]  # faust's StreamT protocol lacks it
            config.batch_size, within=config.batch_seconds
        ):
            with acknowledged_only_when_done(events):
                good, dead = decode_alerts(raw_messages(events), pipeline.codecs, "notify")
                to_store = [alert for _, alert in good]
                await loop_executor().run_in_executor(pipeline.io_executor, pipeline.write_alerts, to_store)
                failed: list[DeadLetter] = []
                for message, alert in good:
                    for name, notifier in pipeline.notifiers:
                        try:
                            await loop_executor().run_in_executor(pipeline.notify_executor, notifier.send, alert)
                            metrics.alerts_delivered.labels(name, "ok").inc()
                        except DeliveryFailed as exc:
                            metrics.alerts_delivered.labels(name, "failed").inc()
                            failed.append(dead_letter(message, "notify", f"{name}_failed", exc))
                await send_all(deadletter, StageResult(dead_letters=dead + failed))

    agent_topics = {config.topic_articles, config.topic_enriched, config.topic_alerts, story_blocks_topic(config)}
    watch_liveness(app, config, metrics, agent_topics)
    watch_holes(app, metrics, agent_topics)
    return app


HOLE_CHECK_SECONDS = 5.0


def watch_holes(app: faust.App, metrics: PipelineMetrics, topics: set[str]) -> None:
    """Every few seconds, send the fetcher back to any message a rebalance skipped (see
    streams/faust_fixes.py): commits hold there, and without this only a restart would re-read it."""
    watch = HoleWatch()

    @app.timer(interval=HOLE_CHECK_SECONDS)
    async def rewind_skipped_messages() -> None:
        consumer = cast(Consumer, app.consumer)
        partitions = [tp for tp in consumer.assignment() if tp.topic in topics]
        for tp in await rewind_to_holes(consumer, watch, partitions, time.monotonic()):
            metrics.rewinds.labels(tp.topic).inc()


STALLED_EXIT_CODE = 70  # EX_SOFTWARE: the supervisor restarts the worker; uncommitted work is redelivered


def watch_liveness(app: faust.App, config: Settings, metrics: PipelineMetrics, topics: set[str]) -> None:
    """/healthz, and a timer that checks the agents' partitions for lag without commits."""
    watch = CommitWatch(config.liveness_timeout)
    health: dict[str, Any] = {"status": "ok", "stalled": []}

    @app.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        return web.json(health, status=200 if health["status"] == "ok" else 503)

    if config.liveness_timeout <= 0:
        return

    @app.timer(interval=max(1.0, config.liveness_timeout / 4))
    async def check_progress() -> None:
        # not skipped while "rebalancing": a rebalance that never ends is a stall like any other
        consumer = app.consumer
        partitions = [tp for tp in consumer.assignment() if tp.topic in topics]
        now = time.monotonic()
        # asyncio.wait, not wait_for: wait_for waits for the cancelled call to finish, and a call into
        # a stuck consumer thread never does, which would stop this check too
        query = asyncio.ensure_future(consumer.highwaters(*partitions))
        done, _ = await asyncio.wait({query}, timeout=max(5.0, min(30.0, config.liveness_timeout / 2)))
        if not done:
            query.cancel()
            stalled = watch.unanswered(now, "the consumer did not answer for its offsets")
        elif query.exception() is not None:  # broker gone, consumer closed: no progress either
            exc = query.exception()
            stalled = watch.unanswered(now, f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
        else:
            ends = query.result()
            committed = consumer._committed_offset  # type: ignore[attr-defined]  # Faust: next offset to process
            stalled = watch.observe(
                now,
                {f"{tp.topic}-{tp.partition}": committed.get(tp) for tp in partitions},
                {f"{tp.topic}-{tp.partition}": end for tp, end in ends.items() if end is not None},
            )
        metrics.stalled_partitions.set(len(stalled))
        health.update(status="stalled" if stalled else "ok", stalled=stalled)
        if not stalled:
            return
        log.error("worker stalled: %s", "; ".join(stalled))
        if config.liveness_action == "exit":
            log.critical("exiting with status %d so a supervisor restarts the worker", STALLED_EXIT_CODE)
            logging.shutdown()
            os._exit(STALLED_EXIT_CODE)


app = create_app(settings())
