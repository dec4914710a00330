"""The store stage: enriched articles and alerts into the database, waiting out outages.

For each batch:
  1. decode (undecodable -> dead letter);
  2. write the batch in one transaction on the storage thread; a transient failure is retried with
     backoff, the batch held (streams/stages/sinks.py), until it is written;
  3. records the database refused become dead letters (`rejected_by_database`);
  4. the caller sends the dead letters and only then lets the batch be acknowledged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from streams.core.models import Alert, EnrichedArticle
from streams.stages.decode import RawMessage, StageResult, dead_letter, decode_alerts, decode_enriched
from streams.stages.sinks import Backoff, SinkHealth, until_written
from streams.wire.codec import Codecs

Record = TypeVar("Record", EnrichedArticle, Alert)
#: runs a blocking call on the storage thread and awaits it
RunBlocking = Callable[..., Awaitable[Any]]
Refusals = list[tuple[Any, BaseException]]


@dataclass(slots=True)
class StoreStage:
    codecs: Codecs
    write_articles: Callable[[list[EnrichedArticle]], Refusals]
    write_alerts: Callable[[list[Alert]], Refusals]
    run_blocking: RunBlocking
    health: SinkHealth
    backoff: Backoff
    on_retry: Callable[[BaseException], None] = lambda error: None

    async def store_articles(self, messages: Sequence[RawMessage]) -> tuple[StageResult, list[EnrichedArticle]]:
        """(dead letters, articles stored) for one batch of news.enriched."""
        good, dead = decode_enriched(messages, self.codecs, "store")
        stored, refused = await self._write(self.write_articles, good)
        return StageResult(dead_letters=dead + refused), stored

    async def store_alerts(self, messages: Sequence[RawMessage]) -> StageResult:
        """Dead letters for one batch of news.alerts."""
        good, dead = decode_alerts(messages, self.codecs, "store")
        _, refused = await self._write(self.write_alerts, good)
        return StageResult(dead_letters=dead + refused)

    async def _write(
        self, write: Callable[[list[Record]], Refusals], good: list[tuple[RawMessage, Record]]
    ) -> tuple[list[Record], list[Any]]:
        items = [record for _, record in good]
        refusals: Refusals = await until_written(
            "storage",
            lambda: self.run_blocking(write, items),
            health=self.health,
            backoff=self.backoff,
            on_failure=self.on_retry,
        )
        by_id = {record.id: message for message, record in good}
        refused_ids = {record.id for record, _ in refusals}
        letters = [dead_letter(by_id[record.id], "store", "rejected_by_database", exc) for record, exc in refusals]
        return [record for record in items if record.id not in refused_ids], letters
