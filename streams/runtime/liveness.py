"""Is this worker still making progress? A partition that has messages waiting (lag) and whose
committed offset has not moved for `timeout` seconds is stalled: an agent died while the worker
stayed up (faust-streaming #175, #523, #640), a sink hangs, a thread is stuck. Pure bookkeeping;
the app feeds it offsets on a timer and turns a stall into a failing /healthz or an exit."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass(slots=True)
class CommitWatch:
    timeout: float
    #: partition -> (committed offset last seen, when it last moved or was caught up)
    _last: dict[str, tuple[int | None, float]] = field(default_factory=dict)
    #: since when the consumer has not told us its offsets (its thread is stuck, or the broker gone)
    _silent_since: float | None = None

    def unanswered(self, now: float, why: str) -> list[str]:
        """The consumer could not give its offsets this time; after `timeout` that is a stall too:
        a consumer thread that cannot answer cannot fetch either."""
        if self._silent_since is None:
            self._silent_since = now
        silent = now - self._silent_since
        if silent > self.timeout:
            return [f"the consumer has not reported its offsets for {silent:.0f} s ({why})"]
        return []

    def observe(self, now: float, committed: Mapping[str, int | None], ends: Mapping[str, int]) -> list[str]:
        """Descriptions of the stalled partitions, given each partition's committed offset (Faust's
        and Kafka's: the next message to process) and its log end offset (the next to be written)."""
        self._silent_since = None
        stalled = []
        for partition, end in ends.items():
            offset = committed.get(partition)
            waiting = end - (offset or 0)
            previous = self._last.get(partition)
            if previous is None or previous[0] != offset or waiting <= 0:
                self._last[partition] = (offset, now)  # moved, or nothing to do: healthy
                continue
            idle = now - previous[1]
            if idle > self.timeout:
                stalled.append(f"{partition}: no commit for {idle:.0f} s with {waiting} message(s) waiting")
        for gone in set(self._last) - set(ends):
            del self._last[gone]  # revoked in a rebalance
        return stalled


@dataclass(slots=True)
class AgentWatch:
    """Each agent's own progress, whichever consumer group it is in: an agent that crashed, or has
    held one batch for longer than `timeout` (a sink waiting out an outage, a hung call), is
    stalled even while other agents keep committing."""

    timeout: float
    #: agent -> when it took the batch it is working on
    _busy_since: dict[str, float] = field(default_factory=dict)
    #: agent -> why it died
    _crashed: dict[str, str] = field(default_factory=dict)

    def took_batch(self, agent: str, now: float) -> None:
        self._busy_since[agent] = now

    def finished_batch(self, agent: str) -> None:
        self._busy_since.pop(agent, None)

    def crashed(self, agent: str, why: str) -> None:
        self._crashed[agent] = why

    def stalled(self, now: float) -> list[str]:
        """Descriptions of the agents that are dead or stuck."""
        found = [f"agent {agent} crashed: {why}" for agent, why in sorted(self._crashed.items())]
        for agent, since in sorted(self._busy_since.items()):
            if self.timeout > 0 and now - since > self.timeout:
                found.append(f"agent {agent} has held one batch for {now - since:.0f} s")
        return found
