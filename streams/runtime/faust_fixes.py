"""Corrections to faust-streaming 0.15.3's offset bookkeeping, found by the fault drills.

Faust commits, per partition, the end of the first run of consecutive acknowledged offsets. Four
paths let that commit pass a message no agent ever processed, and each lost articles in the
drills (tests/integration/test_fault_drills.py; upstream: faust-streaming #606 and PR #707, #596):

1. Gaps. When the fetcher hands over an offset more than one past the last it read, Faust records
   the offsets between as a "gap" and counts them as acknowledged. Right for compacted or
   transactional topics; on our topics a jump means messages fetched before a rebalance's seek
   or dropped when the channel queues are cleared on resume. (Lost 26 of 600 articles.)
2. The head check is one short. `_new_offset` holds the commit only when the first acknowledged
   offset is *more than one* past the committed offset (the next one owed), so a hole of exactly
   one message is committed over; with no committed offset yet it does not check at all.
3. Revocation forgets first. `on_partitions_revoked` drops the partition's committed offset and
   acknowledgements *before* the app waits for the agents and commits, so that commit has no
   committed offset to hold against and goes past any hole.
4. Stale messages count as done. A message fetched before a rebalance reaches the stream after
   it, is skipped unprocessed, and is acknowledged anyway. And an agent whose batch fails (a sink
   error) or is cancelled (the worker stopping) has the batch acknowledged when Faust closes its
   `take_events` generator.

The correction: acknowledgements of another generation's copies are ignored, an agent's failed
batch is never acknowledged (`acknowledged_only_when_done`), and a commit covers only offsets
acknowledged one after another from the next offset owed (the broker's committed offset, or where
reading began: the log start, for a partition never committed or whose committed offset retention
has deleted). Anything else holds, and
`rewind_to_holes` sends the fetcher back to the hole, so the skipped messages are read again:
at-least-once, which the sinks absorb (upserts by id, deterministic alert ids). The liveness check
(streams/liveness.py) remains the last resort for a partition that stays held.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from faust.transport.consumer import CONSUMER_PARTITIONS_REVOKED, Consumer, ensure_TP
from faust.types import TP, EventT
from mode import Service

log = logging.getLogger(__name__)


async def _hold_at_gap(self: Consumer, tp: TP, offset_from: int, offset_to: int) -> None:
    log.warning(
        "offsets %d-%d of %s were skipped by the fetcher; not counting them as processed, so commits "
        "hold at the gap until it is read again",
        offset_from,
        offset_to,
        tp,
    )


def _start_offsets(consumer: Consumer) -> MutableMapping[TP, int]:
    """Per partition, where reading (re)started after the last seek: the first offset owed."""
    starts: MutableMapping[TP, int] = consumer.__dict__.setdefault("_newsstream_start_offsets", {})
    return starts


def next_owed(consumer: Consumer, tp: TP) -> int | None:
    """The first offset of `tp` no commit covers yet, if known."""
    committed = consumer._committed_offset[tp]
    start = _start_offsets(consumer).get(tp)
    known = [offset for offset in (committed, start) if offset is not None]
    return max(known) if known else None


def _commit_only_consecutive_from_owed(self: Consumer, tp: TP) -> int | None:
    """Replacement of Consumer._new_offset: the offset to commit for `tp`, or None to hold."""
    acked = self._acked[tp]
    if not acked:
        return None
    owed = next_owed(self, tp)
    if owed is None:
        return None  # where reading began is unknown: keep the acknowledgements, commit nothing
    acked.sort()
    stale = 0
    while stale < len(acked) and acked[stale] < owed:
        stale += 1
    if stale:  # re-deliveries of offsets already committed
        self._acked_index[tp].difference_update(acked[:stale])
        del acked[:stale]
    if not acked or acked[0] != owed:
        return None  # the message owed has not been acknowledged (in flight, or skipped): hold
    end = 1
    while end < len(acked) and acked[end] == acked[end - 1] + 1:
        end += 1
    run = acked[:end]
    del acked[:end]
    self._acked_index[tp].difference_update(run)
    return run[-1] + 1


async def _seek_and_note_start(self: Consumer) -> None:
    """Replacement of Consumer.perform_seek: the stock seek to committed offsets, then the log start
    of each partition, so partitions never committed (or committed below what retention kept)
    have a known first offset owed."""
    committed = await self.seek_to_committed()
    self._read_offset.update({tp: o if o is not None and o >= 0 else None for tp, o in committed.items()})
    self._committed_offset.update({ensure_TP(tp): o if o else None for tp, o in committed.items() if o is not None})
    starts = _start_offsets(self)
    try:
        log_starts = await self.earliest_offsets(*committed) if committed else {}
    except Exception as exc:  # unknown starts only mean commits of those partitions hold until the next seek
        log.warning("could not read the log start offsets (%s); commits of new partitions hold", exc)
        log_starts = {}
    for tp, offset in committed.items():
        log_start = log_starts.get(tp)
        if offset is not None and offset >= 0 and log_start is not None and log_start > offset:
            log.warning(
                "retention deleted offsets %d-%d of %s before they were processed; reading on from %d",
                offset,
                log_start - 1,
                tp,
                log_start,
            )
        known = [o for o in (offset if offset is not None and offset >= 0 else None, log_start) if o is not None]
        if known:
            starts[ensure_TP(tp)] = max(known)
        else:
            starts.pop(ensure_TP(tp), None)


@Service.transitions_to(CONSUMER_PARTITIONS_REVOKED)
async def _revoke_then_forget(self: Consumer, revoked: set[TP]) -> None:
    """Replacement of Consumer.on_partitions_revoked: the app's revocation work (wait for the agents,
    commit) runs while the partitions' bookkeeping is still there to hold the commit against."""
    with self.app._start_span_from_rebalancing("on_partitions_revoked"):
        if self._active_partitions is not None:
            self._active_partitions.difference_update(revoked)
        self._paused_partitions.difference_update(revoked)
        try:
            await self._on_partitions_revoked(revoked)
        finally:
            starts = _start_offsets(self)
            for tp in revoked:
                self._gap.pop(tp, None)
                self._acked.pop(tp, None)
                self._acked_index.pop(tp, None)
                self._read_offset.pop(tp, None)
                self._committed_offset.pop(tp, None)
                starts.pop(tp, None)


_stock_ack = Consumer.ack


def _ack_current_generation_only(self: Consumer, message: Any) -> bool:
    """Replacement of Consumer.ack: an acknowledgement of a message fetched before the last
    rebalance does not count. Faust skips such messages unprocessed and acknowledges them all the
    same; the rebalance sought the partition back to its committed offset, so the copy read since
    (processed, and acknowledged in the current generation) is the one that counts."""
    generation = getattr(message, "generation_id", None)
    if generation is not None and generation != self.app.consumer_generation_id:
        message.acked = True  # final: later acknowledgements of this copy are no-ops too
        return False
    return _stock_ack(self, message)


def hold_commits_at_offset_gaps() -> None:
    """Install the corrections (idempotent)."""
    Consumer.ack = _ack_current_generation_only  # type: ignore[method-assign]
    Consumer._add_gap = _hold_at_gap  # type: ignore[method-assign]
    Consumer._new_offset = _commit_only_consecutive_from_owed  # type: ignore[method-assign]
    Consumer.perform_seek = _seek_and_note_start  # type: ignore[method-assign]
    Consumer.on_partitions_revoked = _revoke_then_forget  # type: ignore[method-assign]


REWIND_BACKOFF_SECONDS = 30.0


@dataclass(slots=True)
class HoleWatch:
    """Finds partitions whose commit is held at a hole: the message owed was never acknowledged
    while later ones were, on two checks in a row (acks arrive in offset order per partition, so
    one check could catch a batch mid-acknowledgement; two `interval`s apart cannot). A partition
    that was just sent back is left alone while its re-read has not reached the hole's end yet,
    and for `backoff` seconds at least: its messages may still be queued behind others."""

    backoff: float = REWIND_BACKOFF_SECONDS
    #: partition -> (offset owed, first acknowledged offset) seen at the last check
    _held: dict[TP, tuple[int, int]] = field(default_factory=dict)
    #: partition -> when it was last sent back
    _rewound_at: dict[TP, float] = field(default_factory=dict)

    def holes(self, consumer: Consumer, partitions: Iterable[TP], now: float) -> dict[TP, int]:
        """Partitions to read again from the offset given."""
        found = {}
        now_held = {}
        for tp in partitions:
            owed = next_owed(consumer, tp)
            acked = consumer._acked.get(tp) or []
            if owed is None or not acked or min(acked) <= owed:
                continue
            now_held[tp] = (owed, min(acked))
            read = consumer._read_offset.get(tp)
            refilling = read is not None and read < min(acked)
            recently = now - self._rewound_at.get(tp, float("-inf")) < self.backoff
            if self._held.get(tp, (None, None))[0] == owed and not refilling and not recently:
                found[tp] = owed
        self._held = {tp: held for tp, held in now_held.items() if tp not in found}
        self._rewound_at.update(dict.fromkeys(found, now))
        return found


async def rewind_to_holes(consumer: Consumer, watch: HoleWatch, partitions: Iterable[TP], now: float) -> dict[TP, int]:
    """Seek each partition held at a hole back to the offset owed, so the messages skipped are
    fetched and processed again (those after it are processed twice; the sinks absorb that). A
    hole that retention has deleted is not sought: reading goes on from the log start."""
    holes = watch.holes(consumer, partitions, now)
    if not holes:
        return {}
    try:
        log_starts = await consumer.earliest_offsets(*holes)
    except Exception as exc:  # unknown: seek anyway; an out-of-range seek resets to the log start
        log.warning("could not read the log start offsets (%s)", exc)
        log_starts = {}
    rewound = {}
    for tp, owed in holes.items():
        log_start = log_starts.get(tp)
        if log_start is not None and log_start > owed:
            log.warning("retention deleted offsets %d-%d of %s before they were processed", owed, log_start - 1, tp)
            _start_offsets(consumer)[tp] = log_start
            continue
        first_acked = min(consumer._acked.get(tp) or [owed])
        log.warning(
            "offsets %d-%d of %s were never processed although later ones were; reading again from %d",
            owed,
            first_acked - 1,
            tp,
            owed,
        )
        try:
            # through the consumer's own thread: aiokafka's consumer lives on that thread's loop
            await consumer.seek_wait({tp: owed})
        except Exception as exc:  # revoked meanwhile: the new owner reads from the committed offset
            log.warning("could not seek %s back to %d: %s", tp, owed, exc)
            continue
        rewound[tp] = owed
    return rewound


@contextmanager
def acknowledged_only_when_done(events: Sequence[EventT[Any]]) -> Iterator[None]:
    """Wrap an agent's work on a batch: if it fails or is cancelled (a sink error, the worker
    stopping), the batch must stay owed. Faust's `take_events` acknowledges the whole batch when its
    generator is closed, finished or not, and the commit on stop would then carry the batch away;
    marking the messages as already acknowledged makes that acknowledgement a no-op, so their
    offsets are never committed and the batch is read again (by a rewind, or after a restart)."""
    try:
        yield
    except BaseException:
        for event in events:
            event.message.acked = True
        raise
