"""One correction to faust-streaming 0.15.3's offset bookkeeping, found by the fault drills.

When the consumer reads a message whose offset is more than one past the last it read on that
partition, Faust records the offsets in between as a "gap" and counts them as acknowledged, so
its next commit moves past them. That is right for compacted or transactional topics, where
offsets really are missing. Our stream topics are neither: a jump there means messages fetched
before a rebalance's seek, or dropped by it, and committing past them lost 26 of 600 articles in
the two-worker drill (tests/integration/test_fault_drills.py; compare faust-streaming #502, #606).

With gaps not counted as acknowledged, the commit stops at the first unprocessed message instead;
the partition then shows lag without commits, the liveness check (streams/liveness.py) sees it,
and the restarted worker reads on from the last real commit. Nothing is lost; at worst a stretch
is processed twice, which the sinks absorb (upserts by id, deterministic alert ids).
"""

from __future__ import annotations

import logging

from faust.transport.consumer import Consumer
from faust.types import TP

log = logging.getLogger(__name__)


async def _hold_at_gap(self: Consumer, tp: TP, offset_from: int, offset_to: int) -> None:
    log.warning(
        "offsets %d-%d of %s were skipped by the fetcher; not counting them as processed, so commits "
        "hold at the gap and a restart re-reads it",
        offset_from,
        offset_to,
        tp,
    )


def hold_commits_at_offset_gaps() -> None:
    """Install the correction (idempotent)."""
    Consumer._add_gap = _hold_at_gap  # type: ignore[method-assign]
