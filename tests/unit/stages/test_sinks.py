"""Sinks wait out transient failures and leave out only the records the sink refuses."""

from __future__ import annotations

import asyncio
import logging

import pytest

from streams.stages.sinks import Backoff, SinkHealth, until_written
from streams.storage.connection import write_or_reject


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_backoff_doubles_up_to_its_cap():
    """Delays grow 0.5, 1, 2, 4 … and never pass the cap."""
    backoff = Backoff(initial=0.5, cap=5.0)
    assert [backoff.delay(n) for n in range(1, 7)] == [0.5, 1.0, 2.0, 4.0, 5.0, 5.0]


def test_a_transient_failure_is_retried_until_the_write_succeeds():
    """Three failures, then success: four attempts, the backoff slept between them, health clear."""
    attempts: list[int] = []
    slept: list[float] = []
    health = SinkHealth(clock=Clock())

    async def attempt() -> str:
        attempts.append(1)
        if len(attempts) <= 3:
            raise ConnectionError("database gone")
        return "written"

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    result = asyncio.run(until_written("storage", attempt, health=health, backoff=Backoff(1, 10), sleep=sleep))
    assert result == "written"
    assert len(attempts) == 4
    assert slept == [1, 2, 4]
    assert health.failing() == {}


def test_a_permanent_failure_is_raised_at_once():
    """What `permanent` accepts is not retried: the caller dead-letters it."""
    calls = 0

    async def attempt() -> None:
        nonlocal calls
        calls += 1
        raise ValueError("refused")

    async def never(seconds: float) -> None:
        raise AssertionError("must not wait")

    with pytest.raises(ValueError):
        asyncio.run(
            until_written(
                "notify-webhook",
                attempt,
                health=SinkHealth(),
                backoff=Backoff(),
                permanent=lambda e: isinstance(e, ValueError),
                sleep=never,
            )
        )
    assert calls == 1


def test_a_failing_sink_is_logged_once_then_at_intervals(caplog):
    """Ten failures within a minute log one error; one more after the interval logs again."""
    clock = Clock()
    health = SinkHealth(log_interval=60, clock=clock)
    with caplog.at_level(logging.ERROR, logger="streams.stages.sinks"):
        for second in range(10):
            clock.now = second
            health.failed("storage", ConnectionError("gone"))
        assert len(caplog.records) == 1
        clock.now = 61
        health.failed("storage", ConnectionError("gone"))
    assert len(caplog.records) == 2
    seconds, error = health.failing()["storage"]
    assert seconds == 61 and "ConnectionError: gone" in error


def test_only_refused_records_are_left_out_of_a_batch():
    """The batch fails on one bad record: the others are written one by one, the bad one returned."""
    written: list[int] = []

    def write(items):
        if 3 in items:
            raise ValueError("bad value")
        written.extend(items)

    refused = write_or_reject(write, [1, 2, 3, 4], rejects=lambda e: isinstance(e, ValueError))
    assert [item for item, _ in refused] == [3]
    assert written == [1, 2, 4]


def test_a_transient_failure_inside_a_batch_is_raised_for_a_retry():
    """A failure the sink does not call a refusal is raised, so the whole batch is tried again."""

    def write(items):
        raise ConnectionError("reset")

    with pytest.raises(ConnectionError):
        write_or_reject(write, [1, 2], rejects=lambda e: isinstance(e, ValueError))
