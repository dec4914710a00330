"""The offset-gap correction is installed with the app and never counts skipped offsets as done."""

import asyncio

from faust.transport.consumer import Consumer
from faust.types import TP

from streams.faust_fixes import _hold_at_gap, hold_commits_at_offset_gaps


class _Bookkeeping:
    def __init__(self) -> None:
        self._gap: dict[TP, list[tuple[int, int]]] = {}
        self._committed_offset: dict[TP, int | None] = {}


def test_skipped_offsets_are_not_recorded_as_processed():
    hold_commits_at_offset_gaps()
    assert Consumer._add_gap is _hold_at_gap
    books = _Bookkeeping()
    asyncio.run(Consumer._add_gap(books, TP("news.articles", 1), 260, 285))  # type: ignore[arg-type]
    assert books._gap == {}
