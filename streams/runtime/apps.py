"""The Faust apps of a worker: topics and agents, wiring only. The work itself is in stages.py,
sinks.py and below.

A worker runs one Faust app per role (enrich, alert, store) and one per notifier, each in a
consumer group of its own (streams/groups.py says why that means no agent can commit past a
message another agent has not processed). They share one process, one event loop, one web server
(/metrics, /healthz) and one liveness check; the first app holds the others as dependencies, so
`faust -A streams.runtime.apps worker` and `newsstream worker` start the same thing.

Every agent:
  1. takes a batch of raw events (stream.take_events: acked only after the loop body returns);
  2. runs its stage in an executor thread (NLP and database calls never block the event loop);
     a sink waits out transient failures with backoff, holding the batch (streams/sinks.py);
  3. sends outputs and dead letters and awaits their delivery;
  4. returns, so Faust acks the batch and commits its offsets on the next commit interval.
A crash between 3 and 4 redelivers the batch: sinks upsert by id, so nothing is duplicated. An
agent whose body raises is a dead agent, and a dead agent is a dead worker (exit status 70).
"""

from __future__ import annotations

import asyncio
import logging
import os
import sys
import time
from collections.abc import Awaitable, Callable, Iterator, Sequence
from concurrent.futures import BrokenExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from functools import cached_property, partial
from typing import Any, NoReturn, cast

import faust
from faust.sensors.prometheus import FaustMetrics, PrometheusMonitor
from faust.transport.consumer import Consumer
from faust.types import EventT
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest

from streams.alerting.notifiers import (
    ConsoleNotifier,
    Notifier,
    WebhookNotifier,
    alert_json,
    alertmanager_notifier,
    slack_message,
)
from streams.alerting.rules import RuleSet
from streams.alerting.rules_file import load_rules
from streams.config import Settings
from streams.core.kafka_security import KafkaSecurity
from streams.core.models import DeadLetter, now_millis
from streams.reference.gazetteer import gazetteer
from streams.runtime.faust_fixes import (
    HoleWatch,
    acknowledged_only_when_done,
    hold_commits_at_offset_gaps,
    rewind_to_holes,
)
from streams.runtime.groups import Group, worker_groups
from streams.runtime.kafka_admin import STORY_STATE_TABLE, story_blocks_topic
from streams.runtime.liveness import AgentWatch, CommitWatch
from streams.runtime.log_redaction import install_secret_redaction
from streams.runtime.metrics import PipelineMetrics
from streams.runtime.nlp_process import NlpRunner
from streams.stages.alert import AlertStage
from streams.stages.decode import RawMessage, StageResult
from streams.stages.notify import NotifyStage
from streams.stages.sinks import Backoff, SinkHealth
from streams.stages.store import StoreStage
from streams.storage.connection import StorageConnection
from streams.wire.codec import Codecs

log = logging.getLogger(__name__)

STALLED_EXIT_CODE = 70  # EX_SOFTWARE: the supervisor restarts the worker; uncommitted work is redelivered
SINK_BACKOFF = Backoff(initial=0.5, cap=30.0)


class Pipeline:
    """Everything one worker process holds: settings, codecs, metrics, executors, sinks."""

    def __init__(self, config: Settings) -> None:
        self.config = config
        self.codecs = Codecs.for_settings(config)
        # ids known before the stream starts: a registry outage later does not reach the agents
        self.codecs.register_all()
        self.metrics = PipelineMetrics.create()
        # bad rules fail here, at start-up, not on the first article
        self.rules: RuleSet = load_rules(config.alert_rules)
        # built now, not on the event loop when the alert agent meets its first story
        gazetteer()
        self.io_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="storage")
        self.agents = AgentWatch(config.liveness_timeout)
        self.sinks = SinkHealth()
        self.notifiers: dict[str, Notifier] = {"console": ConsoleNotifier(sys.stdout)}
        # one attempt per send: the notify agent retries with backoff, and logs once, not per retry
        if config.webhook_url:
            token = config.webhook_token.get_secret_value() if config.webhook_token else None
            body = slack_message if config.webhook_format == "slack" else alert_json
            self.notifiers["webhook"] = WebhookNotifier(config.webhook_url, token=token, body=body, attempts=1)
        if config.alertmanager_url:
            self.notifiers["alertmanager"] = alertmanager_notifier(config.alertmanager_url, attempts=1)
        # one thread per notifier: a receiver that hangs holds up only its own deliveries
        self.notify_executors = {
            name: ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"notify-{name}") for name in self.notifiers
        }
        #: the worker's Faust apps, for the commit before an exit
        self.apps: list[faust.App] = []
        #: sinks that have failed at least once (their failing-seconds gauge goes back to 0)
        self.sinks_seen: set[str] = set()

    @cached_property
    def nlp(self) -> NlpRunner:
        # starts the NLP process (or thread), which loads spaCy there: seconds, never on the loop
        return NlpRunner(self.config)

    @cached_property
    def alert_stage(self) -> AlertStage:
        return AlertStage(self.rules, self.codecs, horizon_seconds=self.config.story_horizon_hours * 3600)

    @cached_property
    def store_stage(self) -> StoreStage:
        database = StorageConnection(self.config.database_url)
        metrics = self.metrics

        def count_retry(error: BaseException) -> None:
            metrics.sink_retries.labels("storage").inc()

        return StoreStage(
            codecs=self.codecs,
            write_articles=database.write_articles,
            write_alerts=database.write_alerts,
            run_blocking=partial(self.run_blocking, self.io_executor),
            health=self.sinks,
            backoff=SINK_BACKOFF,
            on_retry=count_retry,
        )

    @property
    def storage_backend(self) -> str:
        return "postgresql" if self.config.database_url.startswith("postgres") else "sqlite"

    def notify_stage(self, name: str) -> NotifyStage:
        metrics = self.metrics

        def count_failure(error: BaseException) -> None:
            metrics.alerts_delivered.labels(name, "failed").inc()
            metrics.sink_retries.labels(f"notify-{name}").inc()

        return NotifyStage(
            name=name,
            notifier=self.notifiers[name],
            codecs=self.codecs,
            run_blocking=partial(self.run_blocking, self.notify_executors[name]),
            health=self.sinks,
            backoff=SINK_BACKOFF,
            on_retry=count_failure,
        )

    @staticmethod
    async def run_blocking(executor: ThreadPoolExecutor, work: Callable[..., Any], *args: Any) -> Any:
        """Run a blocking call (database, HTTP) on its own thread, never on the event loop."""
        return await asyncio.get_running_loop().run_in_executor(executor, work, *args)

    async def die(self, why: str) -> NoReturn:
        """Leave with the liveness status. What was processed is committed first (at most a few
        seconds), so the restarted worker does not deliver it again; what was not is read again."""
        log.critical("%s; exiting with status %d so a supervisor restarts the worker", why, STALLED_EXIT_CODE)
        commits = [asyncio.ensure_future(app.consumer.commit()) for app in self.apps]
        if commits:
            await asyncio.wait(commits, timeout=5.0)  # a consumer stuck in its thread must not keep us here
        logging.shutdown()
        os._exit(STALLED_EXIT_CODE)


def raw_messages(events: Sequence[EventT[Any]]) -> list[RawMessage]:
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


class RoleApp:
    """One Faust app of the worker (one consumer group) and the helpers its agents share."""

    def __init__(self, group: Group, config: Settings, pipeline: Pipeline, *, web: bool) -> None:
        self.group = group
        self.pipeline = pipeline
        self.app = faust.App(
            group.app_id,
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
            web_enabled=web,
            logging_config=None,
        )
        self.app.pipeline = pipeline  # type: ignore[attr-defined]
        self.deadletter = self.topic(config.topic_deadletter)

    def topic(self, name: str, **options: Any) -> faust.TopicT:
        return self.app.topic(
            name, key_type=bytes, value_type=bytes, key_serializer="raw", value_serializer="raw", **options
        )

    async def send_all(
        self, topic: faust.TopicT | None, result: StageResult, other: faust.TopicT | None = None
    ) -> None:
        """Send outputs and dead letters; wait until the broker has them (acks=all)."""
        pending = [await topic.send(key=key, value=value) for key, value in result.outputs] if topic else []
        if other is not None:
            pending += [await other.send(key=key, value=value) for key, value in result.other_languages]
        pending += [await self._send_dead_letter(letter) for letter in result.dead_letters]
        await asyncio.gather(*pending)

    async def _send_dead_letter(self, letter: DeadLetter) -> Any:
        self.pipeline.metrics.dead_letters.labels(letter.stage, letter.reason).inc()
        log.warning(
            "dead letter from %s[%d]@%d at %s: %s (%s)",
            letter.topic,
            letter.partition,
            letter.offset,
            letter.stage,
            letter.reason,
            letter.error_message[:200],
        )
        value = self.pipeline.codecs.dead_letter.encode(letter.to_record())
        return await self.deadletter.send(key=letter.key, value=value)

    def agent(self, topic: faust.TopicT, name: str) -> Callable[[Callable[..., Awaitable[None]]], Any]:
        """Register an agent whose death is the worker's: if its body raises, liveness reports it
        and (NEWSSTREAM_LIVENESS_ACTION=exit) the worker leaves with status 70 at once."""
        pipeline = self.pipeline
        qualified = f"{self.group.app_id}.{name}"

        def register(body: Callable[[faust.StreamT[Any]], Awaitable[None]]) -> Any:
            async def guarded(stream: faust.StreamT[Any]) -> None:
                try:
                    await body(stream)
                except Exception as exc:
                    why = f"{type(exc).__name__}: {exc}"
                    pipeline.agents.crashed(qualified, why)
                    log.exception("agent %s crashed", qualified)
                    if pipeline.config.liveness_action == "exit":
                        await pipeline.die(f"agent {qualified} crashed ({why})")
                    raise

            return self.app.agent(topic, name=qualified, concurrency=1)(guarded)

        return register

    @contextmanager
    def batch(self, name: str, events: Sequence[EventT[Any]]) -> Iterator[None]:
        """Hold one batch: liveness watches how long, and a failed batch stays owed."""
        watch = self.pipeline.agents
        qualified = f"{self.group.app_id}.{name}"
        watch.took_batch(qualified, time.monotonic())
        try:
            with acknowledged_only_when_done(events):
                yield
        finally:
            watch.finished_batch(qualified)


def build_enrich(role: RoleApp, config: Settings) -> None:
    pipeline, metrics = role.pipeline, role.pipeline.metrics
    enriched = role.topic(config.topic_enriched)
    other_languages = role.topic(config.topic_other_languages)

    @role.agent(role.topic(config.topic_articles), "enrich")
    async def enrich(stream: faust.StreamT[Any]) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]  # faust's StreamT protocol lacks it
            config.batch_size, within=config.batch_seconds
        ):
            with role.batch("enrich", events):
                messages = raw_messages(events)
                metrics.articles_ingested.inc(len(messages))
                started = time.perf_counter()
                try:
                    outcome = await pipeline.nlp.enrich(messages)
                except BrokenExecutor as exc:
                    # the NLP process died (out of memory, killed): nothing of this batch is committed;
                    # leave so the supervisor restarts the worker and the batch is read again
                    await pipeline.die(f"the NLP process died ({exc})")
                await role.send_all(enriched, outcome.result, other_languages)
                metrics.stage_seconds.labels("enrich").observe(time.perf_counter() - started)
                metrics.batch_size.labels("enrich").observe(len(messages))
                metrics.articles_enriched.inc(len(outcome.event_types))
                for event_types in outcome.event_types:
                    for event_type in event_types:
                        metrics.events_coded.labels(event_type).inc()

    @role.app.task  # type: ignore[untyped-decorator]  # faust's decorators are untyped
    async def start_nlp() -> None:
        pipeline.nlp  # noqa: B018 - the NLP process loads spaCy while the consumer joins its group


def build_alert(role: RoleApp, config: Settings) -> None:
    # Alerting is stateful: reports of one story must meet the same story index. Step 1 re-keys
    # each enriched article by its story block (the headline event's country) onto an internal
    # topic; step 2 reads it with a table keyed the same way, so a block's state lives on the
    # partition that updates it and its changelog restores it after a restart or rebalance.
    pipeline, metrics = role.pipeline, role.pipeline.metrics
    story_blocks = role.topic(story_blocks_topic(config), internal=True, partitions=config.topic_partitions)
    alerts = role.topic(config.topic_alerts)
    story_state = role.app.Table(STORY_STATE_TABLE, default=dict, partitions=config.topic_partitions)

    @role.agent(role.topic(config.topic_enriched), "route-to-stories")
    async def route_to_stories(stream: faust.StreamT[Any]) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]  # faust's StreamT protocol lacks it
            config.batch_size, within=config.batch_seconds
        ):
            with role.batch("route-to-stories", events):
                await role.send_all(story_blocks, pipeline.alert_stage.route(raw_messages(events)))

    @role.agent(story_blocks, "raise-alerts")
    async def raise_alerts(stream: faust.StreamT[Any]) -> None:
        # one event at a time: the table write must belong to the event's own partition
        async for event in stream.events():
            with role.batch("raise-alerts", [event]):
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
                await role.send_all(alerts, result)
                if article is not None:
                    metrics.stories.labels("new" if is_new else "joined").inc()
                    for alert in raised:
                        metrics.alerts.labels(alert.rule, alert.severity).inc()
                        metrics.produce_to_alert_seconds.observe(max(0, now - article.ingested_at) / 1000)
                metrics.stage_seconds.labels("alert").observe(time.perf_counter() - started)


def build_store(role: RoleApp, config: Settings) -> None:
    pipeline, metrics = role.pipeline, role.pipeline.metrics
    stage = pipeline.store_stage

    @role.agent(role.topic(config.topic_enriched), "store-articles")
    async def store_articles(stream: faust.StreamT[Any]) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]  # faust's StreamT protocol lacks it
            config.batch_size * 4, within=config.batch_seconds
        ):
            with role.batch("store-articles", events):
                started = time.perf_counter()
                result, stored = await stage.store_articles(raw_messages(events))
                await role.send_all(None, result)
                now = now_millis()
                for article in stored:
                    metrics.produce_to_stored_seconds.observe(max(0, now - article.ingested_at) / 1000)
                metrics.articles_stored.labels(pipeline.storage_backend).inc(len(stored))
                metrics.stage_seconds.labels("store").observe(time.perf_counter() - started)

    @role.agent(role.topic(config.topic_alerts), "store-alerts")
    async def store_alerts(stream: faust.StreamT[Any]) -> None:
        async for events in stream.take_events(  # type: ignore[attr-defined]  # faust's StreamT protocol lacks it
            config.batch_size, within=config.batch_seconds
        ):
            with role.batch("store-alerts", events):
                await role.send_all(None, await stage.store_alerts(raw_messages(events)))


def build_notify(role: RoleApp, config: Settings) -> None:
    metrics = role.pipeline.metrics
    name = cast(str, role.group.notifier)
    stage = role.pipeline.notify_stage(name)

    @role.agent(role.topic(config.topic_alerts), f"notify-{name}")
    async def deliver_alerts(stream: faust.StreamT[Any]) -> None:
        # one alert at a time, each acknowledged once delivered: a restart re-sends none that was
        async for event in stream.events():
            with role.batch(f"notify-{name}", [event]):
                outcome = await stage.deliver(raw_messages([event]))
                metrics.alerts_delivered.labels(name, "ok").inc(outcome.delivered)
                metrics.alerts_delivered.labels(name, "refused").inc(outcome.refused)
                await role.send_all(None, outcome.result)


BUILDERS = {"enrich": build_enrich, "alert": build_alert, "store": build_store, "notify": build_notify}


def create_apps(config: Settings) -> list[faust.App]:
    """Build the worker's apps (one per role and notifier) for one configuration; the first holds
    the web server, the metrics page, the liveness and rewind timers, and the others."""
    hold_commits_at_offset_gaps()
    install_secret_redaction(config.secret_values())
    pipeline = Pipeline(config)
    roles = [RoleApp(group, config, pipeline, web=index == 0) for index, group in enumerate(worker_groups(config))]
    for role in roles:
        BUILDERS[role.group.role](role, config)
    primary = roles[0].app
    # Faust's own figures (messages, commits, rebalances) of every app, in the one registry
    faust_metrics = FaustMetrics.create(pipeline.metrics.registry, "newsstream_faust")
    for role in roles:
        role.app.monitor = PrometheusMonitor(metrics=faust_metrics)
    for role in roles[1:]:
        primary.add_dependency(role.app)
    pipeline.apps = [role.app for role in roles]

    @primary.page("/metrics")
    async def metrics_page(web: Any, request: Any) -> Any:
        return web.bytes(generate_latest(pipeline.metrics.registry), headers={"Content-Type": CONTENT_TYPE_LATEST})

    watch_liveness(primary, config, pipeline, [role.app for role in roles])
    watch_holes(primary, pipeline.metrics, [role.app for role in roles])
    return [role.app for role in roles]


def create_app(config: Settings) -> faust.App:
    """The worker's first app, which starts the others with it."""
    return create_apps(config)[0]


def _agent_topics(app: faust.App) -> set[str]:
    return {topic for agent in app.agents.values() for topic in agent.channel.get_topic_name().split(",")}


HOLE_CHECK_SECONDS = 5.0


def keeps_running(check: Callable[[], Awaitable[None]]) -> Callable[[], Awaitable[None]]:
    """A periodic check that raises is logged and runs again at its next tick: an exception out of
    a Faust timer ends that timer for good, and a liveness check that silently stops is no check."""

    async def guarded() -> None:
        try:
            await check()
        except asyncio.CancelledError:
            raise
        except Exception:
            log.exception("%s failed; trying again at its next interval", check.__name__)

    guarded.__name__ = check.__name__
    guarded.__qualname__ = check.__qualname__
    return guarded


def watch_holes(primary: faust.App, metrics: PipelineMetrics, apps: list[faust.App]) -> None:
    """Every few seconds, send each consumer back to any message a rebalance skipped (see
    streams/faust_fixes.py): commits hold there, and without this only a restart would re-read it."""
    watches = [(app, HoleWatch(), _agent_topics(app)) for app in apps]

    @primary.timer(interval=HOLE_CHECK_SECONDS)  # type: ignore[untyped-decorator]  # faust's decorators are untyped
    @keeps_running
    async def rewind_skipped_messages() -> None:
        now = time.monotonic()
        for app, watch, topics in watches:
            consumer = cast(Consumer, app.consumer)
            partitions = [tp for tp in consumer.assignment() if tp.topic in topics]
            for tp in await rewind_to_holes(consumer, watch, partitions, now):
                metrics.rewinds.labels(tp.topic).inc()


def watch_liveness(primary: faust.App, config: Settings, pipeline: Pipeline, apps: list[faust.App]) -> None:
    """/healthz, and a timer that checks each consumer group's partitions for lag without commits,
    each agent for a batch held too long or a crash, and reports the sinks that are failing."""
    metrics = pipeline.metrics
    health: dict[str, Any] = {"status": "ok", "stalled": [], "failing": {}}

    def failing_sinks() -> dict[str, dict[str, Any]]:
        failing = pipeline.sinks.failing()
        for sink in {*failing, *pipeline.sinks_seen}:
            metrics.sink_failing_seconds.labels(sink).set(failing[sink][0] if sink in failing else 0)
        pipeline.sinks_seen.update(failing)
        return {sink: {"seconds": round(seconds), "error": error} for sink, (seconds, error) in failing.items()}

    @primary.page("/healthz")
    async def healthz(web: Any, request: Any) -> Any:
        # an agent that crashed fails the check at once, whatever the timer last saw
        stalled = health["stalled"] or pipeline.agents.stalled(time.monotonic())
        body = {"status": "stalled" if stalled else "ok", "stalled": stalled, "failing": failing_sinks()}
        return web.json(body, status=503 if stalled else 200)

    if config.liveness_timeout <= 0:
        return
    watches = [(app, CommitWatch(config.liveness_timeout), _agent_topics(app)) for app in apps]
    answer_within = max(5.0, min(30.0, config.liveness_timeout / 2))

    @primary.timer(interval=max(1.0, config.liveness_timeout / 4))  # type: ignore[untyped-decorator]  # faust's decorators are untyped
    @keeps_running
    async def check_progress() -> None:
        # not skipped while "rebalancing": a rebalance that never ends is a stall like any other
        now = time.monotonic()
        checks = [_stalled_partitions(app, watch, topics, now, answer_within) for app, watch, topics in watches]
        stalled = [line for found in await asyncio.gather(*checks) for line in found]
        stalled += pipeline.agents.stalled(now)
        metrics.stalled_partitions.set(len(stalled))
        health.update(status="stalled" if stalled else "ok", stalled=stalled, failing=failing_sinks())
        if not stalled:
            return
        log.error("worker stalled: %s", "; ".join(stalled))
        if config.liveness_action == "exit":
            await pipeline.die("worker stalled")


async def _stalled_partitions(
    app: faust.App, watch: CommitWatch, topics: set[str], now: float, answer_within: float
) -> list[str]:
    """One consumer group's partitions with lag and no commit for the timeout."""
    consumer = app.consumer
    partitions = [tp for tp in consumer.assignment() if tp.topic in topics]
    # asyncio.wait, not wait_for: wait_for waits for the cancelled call to finish, and a call into
    # a stuck consumer thread never does, which would stop this check too
    query = asyncio.ensure_future(consumer.highwaters(*partitions))
    done, _ = await asyncio.wait({query}, timeout=answer_within)
    group = app.conf.id
    if not done:
        query.cancel()
        return watch.unanswered(now, f"the {group} consumer did not answer for its offsets")
    if query.exception() is not None:  # broker gone, consumer closed: no progress either
        exc = query.exception()
        return watch.unanswered(now, f"{group}: {type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__)
    ends = query.result()
    committed = consumer._committed_offset  # type: ignore[attr-defined]  # Faust: next offset to process
    return [
        f"{group} {line}"
        for line in watch.observe(
            now,
            {f"{tp.topic}-{tp.partition}": committed.get(tp) for tp in partitions},
            {f"{tp.topic}-{tp.partition}": end for tp, end in ends.items() if end is not None},
        )
    ]
