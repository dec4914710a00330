"""Raw messages in, records or dead letters out: every stage starts here. A message that cannot
be decoded or validated becomes a DeadLetter keeping its original bytes and where it came from."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TypeVar

from streams.core.errors import InvalidArticle, SchemaError
from streams.core.models import Alert, Article, DeadLetter, EnrichedArticle, now_millis
from streams.wire.codec import Codecs

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class RawMessage:
    """One Kafka record as the agent received it."""

    key: bytes | None
    value: bytes | None
    topic: str
    partition: int
    offset: int


@dataclass(slots=True)
class StageResult:
    """What a stage produced for a batch: outputs to send on, and dead letters with reasons."""

    outputs: list[tuple[bytes, bytes]] = field(default_factory=list)
    dead_letters: list[DeadLetter] = field(default_factory=list)
    #: articles in languages the English pipeline does not code, passed on unchanged
    other_languages: list[tuple[bytes, bytes]] = field(default_factory=list)


def dead_letter(message: RawMessage, stage: str, reason: str, error: BaseException) -> DeadLetter:
    """A DeadLetter keeping the original bytes and where they came from."""
    return DeadLetter(
        payload=message.value or b"",
        key=message.key,
        topic=message.topic,
        partition=message.partition,
        offset=message.offset,
        stage=stage,
        reason=reason,
        error_class=type(error).__name__,
        error_message=str(error)[:2000],
        failed_at=now_millis(),
    )


def decode_articles(
    messages: Sequence[RawMessage], codecs: Codecs, max_body_chars: int
) -> tuple[list[tuple[RawMessage, Article]], list[DeadLetter]]:
    """Split a batch into valid articles and dead letters (undecodable, invalid, too large)."""
    good: list[tuple[RawMessage, Article]] = []
    dead: list[DeadLetter] = []
    for message in messages:
        if not message.value:
            dead.append(dead_letter(message, "enrich", "empty", SchemaError("empty message value")))
            continue
        try:
            record = codecs.article.decode(message.value)
            article = Article.from_record(record, max_body_chars=max_body_chars)
        except SchemaError as exc:
            dead.append(dead_letter(message, "enrich", "undecodable", exc))
            continue
        except InvalidArticle as exc:
            reason = "too_large" if "exceeds" in str(exc) else "invalid"
            dead.append(dead_letter(message, "enrich", reason, exc))
            continue
        except (TypeError, ValueError) as exc:
            dead.append(dead_letter(message, "enrich", "invalid", exc))
            continue
        if message.key is not None and message.key != article.id.encode("utf-8"):
            # the contract keys every topic by article id: another key scatters one article's
            # copies over partitions, and its story state over workers
            error = InvalidArticle(f"message key {message.key[:60]!r} is not the article id {article.id!r}")
            dead.append(dead_letter(message, "enrich", "wrong_key", error))
            continue
        good.append((message, article))
    return good, dead


def decode_records(
    messages: Sequence[RawMessage], decode: Callable[[bytes], T], stage: str
) -> tuple[list[tuple[RawMessage, T]], list[DeadLetter]]:
    """Split a batch into decoded records and dead letters (undecodable bytes, invalid records)."""
    good: list[tuple[RawMessage, T]] = []
    dead: list[DeadLetter] = []
    for message in messages:
        try:
            good.append((message, decode(message.value or b"")))
        except SchemaError as exc:
            dead.append(dead_letter(message, stage, "undecodable", exc))
        except (TypeError, ValueError, KeyError) as exc:
            dead.append(dead_letter(message, stage, "invalid", exc))
    return good, dead


def decode_enriched(
    messages: Sequence[RawMessage], codecs: Codecs, stage: str
) -> tuple[list[tuple[RawMessage, EnrichedArticle]], list[DeadLetter]]:
    return decode_records(messages, lambda data: EnrichedArticle.from_record(codecs.enriched.decode(data)), stage)


def decode_alerts(
    messages: Sequence[RawMessage], codecs: Codecs, stage: str
) -> tuple[list[tuple[RawMessage, Alert]], list[DeadLetter]]:
    return decode_records(messages, lambda data: Alert.from_record(codecs.alert.decode(data)), stage)
