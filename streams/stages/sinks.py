"""How a sink waits out an outage instead of crashing, as plain asyncio (no Faust, no Kafka client).

A sink's batch is written by `until_written`:
  1. try the write;
  2. a failure the sink's own rules call permanent for one record (a value the database rejects, a
     webhook answering 400) is not retried: the caller turns that record into a dead letter;
  3. any other failure (database gone, connection reset, lock timeout, disk full, receiver down)
     is transient: wait with capped exponential backoff and try again, for as long as it takes.
The batch is not acknowledged while this runs, so its offsets are not committed: the partition is
held, Faust's buffers fill and fetching stops (backpressure), and a worker that dies meanwhile
re-reads the batch. If the outage outlasts NEWSSTREAM_LIVENESS_TIMEOUT, liveness sees an agent
holding one batch too long and the worker exits for its supervisor (streams/liveness.py).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import TypeVar

log = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential backoff: initial, 2×initial, 4×initial, … never more than `cap`."""

    initial: float = 0.5
    cap: float = 30.0

    def delay(self, failures: int) -> float:
        """Seconds to wait after the `failures`-th failure in a row (1-based)."""
        return min(self.cap, self.initial * 2.0 ** max(0, failures - 1))


@dataclass(slots=True)
class _Failing:
    since: float
    error: str
    failures: int = 0
    logged_at: float = float("-inf")


@dataclass(slots=True)
class SinkHealth:
    """Which sinks are failing, since when and why: for the log (once, then every `log_interval`
    seconds, never once per retry), the metrics and /healthz."""

    log_interval: float = 60.0
    clock: Callable[[], float] = time.monotonic
    _failing: dict[str, _Failing] = field(default_factory=dict)

    def failed(self, sink: str, error: BaseException) -> None:
        now = self.clock()
        text = f"{type(error).__name__}: {error}".strip().splitlines()[0][:300]
        state = self._failing.setdefault(sink, _Failing(since=now, error=text))
        state.failures += 1
        state.error = text
        if now - state.logged_at >= self.log_interval:
            state.logged_at = now
            log.error(
                "%s is failing (%s); retrying with backoff, nothing is acknowledged meanwhile "
                "(%d attempt(s) over %.0f s)",
                sink,
                text,
                state.failures,
                now - state.since,
            )

    def recovered(self, sink: str) -> None:
        state = self._failing.pop(sink, None)
        if state is not None:
            log.warning(
                "%s works again after %.0f s and %d failed attempt(s)", sink, self.clock() - state.since, state.failures
            )

    def failing(self) -> dict[str, tuple[float, str]]:
        """sink -> (seconds it has been failing, last error)."""
        now = self.clock()
        return {sink: (now - state.since, state.error) for sink, state in self._failing.items()}


async def until_written(
    sink: str,
    attempt: Callable[[], Awaitable[T]],
    *,
    health: SinkHealth,
    backoff: Backoff,
    permanent: Callable[[BaseException], bool] = lambda error: False,
    on_failure: Callable[[BaseException], None] = lambda error: None,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Run `attempt` until it succeeds; a failure `permanent` accepts is raised to the caller,
    every other one is waited out (steps in the module docstring)."""
    failures = 0
    while True:
        try:
            result = await attempt()
        except Exception as exc:
            if permanent(exc):
                raise
            failures += 1
            health.failed(sink, exc)
            on_failure(exc)
            await sleep(backoff.delay(failures))
            continue
        if failures:
            health.recovered(sink)
        return result
