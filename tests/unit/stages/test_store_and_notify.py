"""The store and notify stages over raw messages, without a broker: they wait out transient
failures holding the batch, and turn only what the sink refuses into dead letters."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import Any

from streams.alerting.notifiers import DeliveryFailed
from streams.core.models import Alert
from streams.stages.decode import RawMessage
from streams.stages.notify import NotifyStage
from streams.stages.sinks import Backoff, SinkHealth
from streams.stages.store import StoreStage
from streams.wire.codec import Codecs

CODECS = Codecs.for_settings()
NO_WAIT = Backoff(initial=0.0, cap=0.0)


async def call(work: Any, *args: Any) -> Any:
    return work(*args)


def message(value: bytes, offset: int, topic: str = "news.enriched") -> RawMessage:
    return RawMessage(key=b"k", value=value, topic=topic, partition=0, offset=offset)


def alert(n: int) -> Alert:
    return Alert(
        id=f"alert-{n}",
        rule="mass-casualty-violence",
        severity="warning",
        kind="match",
        title=f"title {n}",
        summary="summary",
        article_ids=[f"a{n}"],
        story_id=f"s{n}",
        event_types=["ASSAULT"],
        countries=["NG"],
        created_at=1,
    )


def test_storage_down_twice_then_back_stores_the_whole_batch_once_written(enriched_seed):
    """Two connection failures, then success: every article is reported stored, no dead letter."""
    articles = [replace(enriched_seed, id=f"seed-{n}") for n in range(3)]
    messages = [message(CODECS.enriched.encode(a.to_record()), n) for n, a in enumerate(articles)]
    attempts: list[list[str]] = []

    def write(items):
        attempts.append([a.id for a in items])
        if len(attempts) <= 2:
            raise ConnectionError("server closed the connection")
        return []

    retries: list[BaseException] = []
    stage = StoreStage(CODECS, write, lambda items: [], call, SinkHealth(), NO_WAIT, retries.append)
    result, stored = asyncio.run(stage.store_articles(messages))
    assert [a.id for a in stored] == ["seed-0", "seed-1", "seed-2"]
    assert result.dead_letters == [] and len(attempts) == 3 and len(retries) == 2


def test_a_record_the_database_refuses_is_a_dead_letter_and_the_rest_is_stored(enriched_seed):
    """The writer reports one refusal: that article becomes `rejected_by_database` with its bytes."""
    articles = [replace(enriched_seed, id=f"seed-{n}") for n in range(3)]
    messages = [message(CODECS.enriched.encode(a.to_record()), n) for n, a in enumerate(articles)]

    def write(items):
        return [(a, ValueError("text fields cannot contain NUL")) for a in items if a.id == "seed-1"]

    stage = StoreStage(CODECS, write, lambda items: [], call, SinkHealth(), NO_WAIT)
    result, stored = asyncio.run(stage.store_articles([*messages, message(b"garbage", 9)]))
    assert [a.id for a in stored] == ["seed-0", "seed-2"]
    reasons = sorted((d.reason, d.offset) for d in result.dead_letters)
    assert reasons == [("rejected_by_database", 1), ("undecodable", 9)]
    refused = next(d for d in result.dead_letters if d.reason == "rejected_by_database")
    assert refused.payload == messages[1].value


class Receiver:
    def __init__(self, outage: int = 0, refuse: set[str] | None = None) -> None:
        self.outage = outage
        self.refuse = refuse or set()
        self.received: list[str] = []

    def send(self, alert: Alert) -> None:
        if alert.id in self.refuse:
            raise DeliveryFailed("HTTP 400", permanent=True)
        if self.outage > 0:
            self.outage -= 1
            raise DeliveryFailed("connection refused")
        self.received.append(alert.id)


def test_a_receiver_that_is_down_is_waited_for_and_gets_each_alert_once():
    """Five refused connections, then up: both alerts arrive once each, nothing dead-lettered."""
    receiver = Receiver(outage=5)
    stage = NotifyStage("webhook", receiver, CODECS, call, SinkHealth(), NO_WAIT)
    messages = [message(CODECS.alert.encode(alert(n).to_record()), n, "news.alerts") for n in range(2)]
    outcome = asyncio.run(stage.deliver(messages))
    assert receiver.received == ["alert-0", "alert-1"]
    assert outcome.delivered == 2 and outcome.result.dead_letters == []


def test_an_alert_the_receiver_refuses_is_dead_lettered_by_notifier():
    """A 4xx for one alert: a `webhook_refused` dead letter for it, the next alert still delivered."""
    receiver = Receiver(refuse={"alert-0"})
    stage = NotifyStage("webhook", receiver, CODECS, call, SinkHealth(), NO_WAIT)
    messages = [message(CODECS.alert.encode(alert(n).to_record()), n, "news.alerts") for n in range(2)]
    outcome = asyncio.run(stage.deliver(messages))
    assert receiver.received == ["alert-1"]
    assert [(d.reason, d.offset) for d in outcome.result.dead_letters] == [("webhook_refused", 0)]
