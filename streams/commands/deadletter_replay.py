"""Re-drive dead letters once their cause is fixed: pick letters by reason, stage, origin topic and
time, and publish each one's original bytes, under its original key, onto the topic it came from.

Replaying is as idempotent as every other path: the key is the article (or alert) id, every sink
upserts and alert ids are deterministic, so a letter replayed twice, or one whose message had
meanwhile gone through, stores nothing twice. A letter that fails again becomes a new letter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

from streams.core.errors import ConfigError


def iso_to_millis(value: str) -> int:
    """ISO-8601 date or time (UTC when no offset is given) as epoch milliseconds."""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(f"{value!r} is not an ISO-8601 date or time (e.g. 2026-11-30 or 2026-11-30T12:00)") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp() * 1000)


@dataclass(frozen=True, slots=True)
class LetterSelection:
    """Which dead letters to replay; an empty criterion accepts every value."""

    reasons: frozenset[str] = frozenset()
    stages: frozenset[str] = frozenset()
    topics: frozenset[str] = frozenset()
    since_ms: int | None = None
    until_ms: int | None = None

    def matches(self, letter: Mapping[str, Any]) -> bool:
        failed_at = int(letter["failed_at"])
        return (
            (not self.reasons or letter["reason"] in self.reasons)
            and (not self.stages or letter["stage"] in self.stages)
            and (not self.topics or letter["topic"] in self.topics)
            and (self.since_ms is None or failed_at >= self.since_ms)
            and (self.until_ms is None or failed_at < self.until_ms)
        )


class Sender(Protocol):
    """What replay needs of a producer (kafka-python's KafkaProducer has it)."""

    def send(self, topic: str, *, key: bytes | None, value: bytes) -> Any: ...


@dataclass(slots=True)
class ReplayReport:
    seen: int = 0
    #: origin topic -> letters replayed onto it
    replayed: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.replayed.values())


def replay_letters(
    letters: Iterable[Mapping[str, Any]], selection: LetterSelection, sender: Sender | None
) -> ReplayReport:
    """Send the selected letters back where they came from (sender None: count only, a dry run)."""
    report = ReplayReport()
    for letter in letters:
        report.seen += 1
        if not selection.matches(letter):
            continue
        if sender is not None:
            sender.send(letter["topic"], key=letter.get("key"), value=letter["payload"])
        report.replayed[letter["topic"]] = report.replayed.get(letter["topic"], 0) + 1
    return report
