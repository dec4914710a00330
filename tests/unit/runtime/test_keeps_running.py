"""A periodic check that raises must not end its Faust timer: liveness that silently stops is no liveness."""

import asyncio
import logging

import pytest

from streams.runtime.apps import keeps_running


def test_a_check_that_raises_is_logged_and_can_run_again(caplog: pytest.LogCaptureFixture) -> None:
    calls: list[int] = []

    @keeps_running
    async def check_progress() -> None:
        calls.append(1)
        if len(calls) == 1:
            raise RuntimeError("consumer gone")

    with caplog.at_level(logging.ERROR):
        asyncio.run(check_progress())
        asyncio.run(check_progress())
    assert len(calls) == 2
    assert "check_progress failed" in caplog.text and "consumer gone" in caplog.text


def test_cancellation_and_exit_still_end_the_check() -> None:
    @keeps_running
    async def cancelled() -> None:
        raise asyncio.CancelledError

    @keeps_running
    async def exits() -> None:
        raise SystemExit(70)

    with pytest.raises(asyncio.CancelledError):
        asyncio.run(cancelled())
    with pytest.raises(SystemExit):
        asyncio.run(exits())
