"""Stall detection: lag plus no commit for longer than the timeout, and nothing else."""

from streams.runtime.liveness import CommitWatch


def test_a_partition_with_lag_and_no_commit_past_the_timeout_is_stalled():
    watch = CommitWatch(timeout=60)
    assert watch.observe(0, {"a-0": 10}, {"a-0": 20}) == []
    assert watch.observe(59, {"a-0": 10}, {"a-0": 25}) == []
    assert watch.observe(61, {"a-0": 10}, {"a-0": 25}) == ["a-0: no commit for 61 s with 15 message(s) waiting"]


def test_one_message_waiting_is_enough_to_stall():
    """Committed 10 (the next to process) and the log ends at 11: one message is stuck."""
    watch = CommitWatch(timeout=60)
    watch.observe(0, {"a-0": 10}, {"a-0": 11})
    assert watch.observe(61, {"a-0": 10}, {"a-0": 11}) == ["a-0: no commit for 61 s with 1 message(s) waiting"]


def test_progress_or_an_empty_backlog_is_healthy():
    watch = CommitWatch(timeout=60)
    watch.observe(0, {"a-0": 9, "b-0": 5}, {"a-0": 20, "b-0": 5})
    # a-0 moves on slowly; b-0 is caught up and idle (no traffic is not a stall)
    assert watch.observe(100, {"a-0": 10, "b-0": 5}, {"a-0": 30, "b-0": 5}) == []
    assert watch.observe(150, {"a-0": 11, "b-0": 5}, {"a-0": 30, "b-0": 5}) == []
    # the caught-up partition gets new messages: its clock runs from when it was last seen caught
    # up (150), not from its last commit long before
    assert watch.observe(200, {"a-0": 12, "b-0": 5}, {"a-0": 30, "b-0": 9}) == []
    assert watch.observe(209, {"a-0": 13, "b-0": 5}, {"a-0": 30, "b-0": 9}) == []
    assert watch.observe(211, {"a-0": 14, "b-0": 5}, {"a-0": 30, "b-0": 9}) == [
        "b-0: no commit for 61 s with 4 message(s) waiting"
    ]


def test_a_partition_never_committed_counts_its_whole_log_as_waiting():
    watch = CommitWatch(timeout=10)
    watch.observe(0, {}, {"a-0": 3})
    assert watch.observe(11, {}, {"a-0": 3}) == ["a-0: no commit for 11 s with 3 message(s) waiting"]
    assert watch.observe(11, {}, {"a-0": 0, "b-0": 0}) == []


def test_revoked_partitions_are_forgotten():
    watch = CommitWatch(timeout=10)
    watch.observe(0, {"a-0": 1}, {"a-0": 5})
    watch.observe(5, {}, {})
    assert watch.observe(12, {"a-0": 1}, {"a-0": 5}) == []


def test_a_consumer_that_cannot_report_its_offsets_counts_as_stalled_after_the_timeout():
    watch = CommitWatch(timeout=30)
    assert watch.unanswered(0, "TimeoutError") == []
    assert watch.unanswered(31, "TimeoutError") == ["the consumer has not reported its offsets for 31 s (TimeoutError)"]
    watch.observe(40, {"a-0": 1}, {"a-0": 2})  # it answered again: the silence is over
    assert watch.unanswered(41, "TimeoutError") == []


def test_an_agent_holding_one_batch_past_the_timeout_is_stalled():
    """A sink waiting out an outage holds its batch: after the timeout that is a stall."""
    from streams.runtime.liveness import AgentWatch

    watch = AgentWatch(timeout=60)
    watch.took_batch("newsstream-store.store-articles", 100.0)
    assert watch.stalled(150.0) == []
    assert watch.stalled(161.0) == ["agent newsstream-store.store-articles has held one batch for 61 s"]
    watch.finished_batch("newsstream-store.store-articles")
    assert watch.stalled(500.0) == []


def test_a_crashed_agent_is_stalled_at_once():
    """A dead agent is a dead worker, whatever the other agents commit."""
    from streams.runtime.liveness import AgentWatch

    watch = AgentWatch(timeout=60)
    watch.crashed("newsstream-alert.raise-alerts", "KeyError: 'x'")
    assert watch.stalled(0.0) == ["agent newsstream-alert.raise-alerts crashed: KeyError: 'x'"]
