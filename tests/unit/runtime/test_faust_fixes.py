"""The offset-bookkeeping corrections (streams/faust_fixes.py), on Faust's own Consumer methods
with the consumer's state in plain containers: a commit never passes a message no agent
acknowledged, whatever the rebalance does, and a held partition is sent back to its hole."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from types import SimpleNamespace
from typing import Any

import intervaltree
from faust.transport.consumer import Consumer
from faust.types import TP
from faust.utils.tracing import noop_span

from streams.runtime.faust_fixes import HoleWatch, _hold_at_gap, hold_commits_at_offset_gaps, next_owed, rewind_to_holes

hold_commits_at_offset_gaps()
P0, P1, P2 = TP("news.articles", 0), TP("news.articles", 1), TP("news.articles", 2)


class FakeConsumer:
    """The attributes Faust's Consumer methods read and write, and a broker's answers."""

    def __init__(self, committed: dict[TP, int | None], log_starts: dict[TP, int]) -> None:
        self._acked: defaultdict[TP, list[int]] = defaultdict(list)
        self._acked_index: defaultdict[TP, set[int]] = defaultdict(set)
        self._committed_offset: defaultdict[TP, int | None] = defaultdict(lambda: None)
        self._read_offset: defaultdict[TP, int | None] = defaultdict(lambda: None)
        self._gap: defaultdict[TP, Any] = defaultdict(intervaltree.IntervalTree)
        self._active_partitions = set(committed)
        self._paused_partitions: set[TP] = set()
        self.diag = SimpleNamespace(set_flag=lambda flag: None, unset_flag=lambda flag: None)
        self.app = SimpleNamespace(_start_span_from_rebalancing=lambda name: noop_span())
        self.broker_committed = committed
        self.log_starts = log_starts
        self.seeks: list[tuple[TP, int]] = []

    async def seek_to_committed(self) -> dict[TP, int | None]:
        return dict(self.broker_committed)

    async def earliest_offsets(self, *partitions: TP) -> dict[TP, int]:
        return {tp: self.log_starts[tp] for tp in partitions}

    async def seek_wait(self, partitions: dict[TP, int]) -> None:
        for tp, offset in partitions.items():
            self.seeks.append((tp, offset))
            self._read_offset[tp] = offset

    def ack(self, tp: TP, *offsets: int) -> None:
        for offset in offsets:
            if offset not in self._acked_index[tp]:
                self._acked[tp].append(offset)
                self._acked_index[tp].add(offset)

    def commit_offset(self, tp: TP) -> int | None:
        """What Faust would commit now; recorded as committed, as Faust does after a commit."""
        offset = Consumer._new_offset(self, tp)  # type: ignore[arg-type]
        if offset is not None:
            self._committed_offset[tp] = offset
        return offset


def seeked(committed: dict[TP, int | None], log_starts: dict[TP, int]) -> FakeConsumer:
    consumer = FakeConsumer(committed, log_starts)
    asyncio.run(Consumer.perform_seek(consumer))  # type: ignore[arg-type]
    return consumer


def test_skipped_offsets_are_not_recorded_as_processed():
    assert Consumer._add_gap is _hold_at_gap
    consumer = FakeConsumer({P1: 250}, {P1: 0})
    asyncio.run(Consumer._add_gap(consumer, P1, 260, 285))  # type: ignore[arg-type]
    assert not consumer._gap[P1]


def test_a_hole_of_one_message_holds_the_commit():
    # stock faust-streaming commits 18 here: offset 15 was never processed (upstream #606)
    consumer = seeked({P1: 15}, {P1: 0})
    consumer.ack(P1, 16, 17)
    assert consumer.commit_offset(P1) is None
    consumer.ack(P1, 15)
    assert consumer.commit_offset(P1) == 18


def test_a_partition_never_committed_commits_from_its_log_start():
    consumer = seeked({P0: None, P2: None}, {P0: 0, P2: 40})
    consumer.ack(P0, 2, 3)
    assert consumer.commit_offset(P0) is None  # 0 and 1 not processed yet
    consumer.ack(P0, 0, 1)
    assert consumer.commit_offset(P0) == 4
    consumer.ack(P2, 40, 41)
    assert consumer.commit_offset(P2) == 42


def test_a_committed_offset_that_retention_deleted_is_read_on_from_the_log_start():
    consumer = seeked({P1: 5}, {P1: 120})
    assert next_owed(consumer, P1) == 120
    consumer.ack(P1, 120, 121)
    assert consumer.commit_offset(P1) == 122


def test_redelivered_offsets_already_committed_are_dropped_not_committed_again():
    consumer = seeked({P1: 10}, {P1: 0})
    consumer.ack(P1, 8, 9, 10, 11)
    assert consumer.commit_offset(P1) == 12
    assert consumer._acked[P1] == []


def test_the_commit_during_revocation_still_holds_at_a_hole():
    consumer = seeked({P1: 18}, {P1: 0})
    seen: dict[str, Any] = {}

    async def app_revocation(revoked: set[TP]) -> None:
        consumer.ack(P1, 19, 20)  # the in-flight batch finishes while the app waits; 18 never arrived
        seen["owed"] = next_owed(consumer, P1)
        seen["commit"] = consumer.commit_offset(P1)

    consumer._on_partitions_revoked = app_revocation  # type: ignore[attr-defined]
    asyncio.run(Consumer.on_partitions_revoked(consumer, {P1}))  # type: ignore[arg-type]
    assert seen == {"owed": 18, "commit": None}
    assert P1 not in consumer._acked and consumer._committed_offset[P1] is None  # forgotten afterwards
    assert next_owed(consumer, P1) is None


def test_a_held_partition_is_sent_back_to_its_hole_on_the_second_check():
    consumer = seeked({P0: 30, P1: 7}, {P0: 0, P1: 0})
    consumer.ack(P0, 33, 34)  # 30-32 skipped
    consumer._read_offset[P0] = 34
    consumer.ack(P1, 7, 8)  # healthy
    watch = HoleWatch()
    assert asyncio.run(rewind_to_holes(consumer, watch, [P0, P1], now=100.0)) == {}  # could be mid-ack
    assert asyncio.run(rewind_to_holes(consumer, watch, [P0, P1], now=105.0)) == {P0: 30}
    assert consumer.seeks == [(P0, 30)]
    consumer.ack(P0, 30, 31, 32, 33, 34)  # read again
    assert consumer.commit_offset(P0) == 35
    assert asyncio.run(rewind_to_holes(consumer, watch, [P0, P1], now=110.0)) == {}


def test_a_partition_being_refilled_is_not_sent_back_again_and_rewinds_back_off():
    consumer = seeked({P0: 30}, {P0: 0})
    consumer.ack(P0, 33, 34)
    consumer._read_offset[P0] = 34
    watch = HoleWatch(backoff=30.0)
    asyncio.run(rewind_to_holes(consumer, watch, [P0], now=100.0))
    assert asyncio.run(rewind_to_holes(consumer, watch, [P0], now=105.0)) == {P0: 30}
    # the re-read is on its way (read offset 30, below the first acknowledged, 33): leave it
    for now in (110.0, 115.0, 120.0):
        assert asyncio.run(rewind_to_holes(consumer, watch, [P0], now=now)) == {}
    consumer._read_offset[P0] = 40  # read past the hole, and 30 is still not done: dropped again
    assert asyncio.run(rewind_to_holes(consumer, watch, [P0], now=125.0)) == {}  # within the backoff
    assert asyncio.run(rewind_to_holes(consumer, watch, [P0], now=140.0)) == {P0: 30}
    assert consumer.seeks == [(P0, 30), (P0, 30)]


def test_a_hole_retention_deleted_moves_the_start_instead_of_seeking():
    consumer = seeked({P0: 30}, {P0: 0})
    consumer.ack(P0, 50, 51)
    consumer._read_offset[P0] = 51
    consumer.log_starts[P0] = 50  # segments up to 49 deleted meanwhile
    watch = HoleWatch()
    asyncio.run(rewind_to_holes(consumer, watch, [P0], now=100.0))
    assert asyncio.run(rewind_to_holes(consumer, watch, [P0], now=105.0)) == {}
    assert consumer.seeks == [] and next_owed(consumer, P0) == 50
    assert consumer.commit_offset(P0) == 52


def test_a_hole_that_fills_between_checks_is_not_rewound():
    consumer = seeked({P0: 30}, {P0: 0})
    consumer.ack(P0, 31)
    watch = HoleWatch()
    assert watch.holes(consumer, [P0], now=100.0) == {}  # type: ignore[arg-type]
    consumer.ack(P0, 30)
    consumer.commit_offset(P0)
    assert watch.holes(consumer, [P0], now=105.0) == {}  # type: ignore[arg-type]


def test_a_batch_whose_work_failed_stays_owed_when_faust_acknowledges_it():
    """take_events acknowledges the batch when its generator closes, done or not; after a failure
    inside `acknowledged_only_when_done` that acknowledgement must not reach the consumer."""
    from faust.types.tuples import Message

    from streams.runtime.faust_fixes import acknowledged_only_when_done

    def message(offset: int) -> Message:
        return Message("news.enriched", 0, offset, 0.0, 0, None, b"k", b"v", None)

    done, failed = [SimpleNamespace(message=message(1))], [SimpleNamespace(message=message(2))]
    with acknowledged_only_when_done(done):
        pass
    try:
        with acknowledged_only_when_done(failed):
            raise OSError("the database went away")
    except OSError:
        pass
    consumer = SimpleNamespace()
    assert done[0].message.ack(consumer) is True  # a finished batch is acknowledged as usual
    assert failed[0].message.ack(consumer) is False  # the failed one never reaches the consumer


def test_an_acknowledgement_from_before_the_last_rebalance_does_not_count():
    consumer = seeked({P1: 10}, {P1: 0})
    consumer.app.consumer_generation_id = 7  # type: ignore[attr-defined]

    def message(offset: int, generation: int) -> SimpleNamespace:
        return SimpleNamespace(
            acked=False, generation_id=generation, tp=P1, offset=offset, topic=P1.topic, tracked=False
        )

    stale = message(10, 6)
    assert Consumer.ack(consumer, stale) is False  # type: ignore[arg-type]
    assert stale.acked and consumer._acked[P1] == []
    assert consumer.commit_offset(P1) is None
