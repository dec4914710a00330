"""What each agent does to a batch, as plain functions over raw messages: decode, validate, work,
encode, and turn every per-message failure into a DeadLetter. No Faust here, so every stage can be
driven by tests and benchmarks without a broker; app.py only moves bytes in and out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from streams.alerting.rules import FiringLog, RuleSet
from streams.alerting.spikes import SpikeCounter
from streams.alerting.stories import StoryIndex
from streams.codec import Codecs
from streams.errors import InvalidArticle, SchemaError
from streams.language import is_english
from streams.models import Alert, Article, DeadLetter, EnrichedArticle, now_millis

if TYPE_CHECKING:
    from streams.enrich.pipeline import Enricher

log = logging.getLogger(__name__)
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


class EnrichStage:
    """news.articles -> news.enriched."""

    def __init__(
        self, enricher: Enricher, codecs: Codecs, *, max_body_chars: int = 200_000, other_languages: str = "route"
    ) -> None:
        self.enricher = enricher
        self.codecs = codecs
        self.max_body_chars = max_body_chars
        #: route (to their own topic), deadletter, or enrich (code them with the English model anyway)
        self.other_languages = other_languages

    def process(self, messages: Sequence[RawMessage]) -> tuple[StageResult, list[EnrichedArticle]]:
        """Enrich a batch in one nlp.pipe pass; if the batch fails, retry one by one so a single
        poisonous article goes to the dead-letter topic instead of taking the batch with it."""
        decoded, dead = decode_articles(messages, self.codecs, self.max_body_chars)
        result = StageResult(dead_letters=dead)
        good = []
        for message, article in decoded:
            if self.other_languages == "enrich" or is_english(article.language):
                good.append((message, article))
            elif self.other_languages == "route":
                result.other_languages.append((article.id.encode("utf-8"), message.value or b""))
            else:
                error = InvalidArticle(f"language {article.language!r}: the pipeline codes English only")
                result.dead_letters.append(dead_letter(message, "enrich", "unsupported_language", error))
        enriched: list[EnrichedArticle] = []
        try:
            enriched = self.enricher.enrich_batch([article for _, article in good])
        except Exception:
            log.exception("batch enrichment failed; retrying %d articles one by one", len(good))
            for message, article in good:
                try:
                    enriched.append(self.enricher.enrich(article))
                except Exception as exc:
                    result.dead_letters.append(dead_letter(message, "enrich", "enrich_failed", exc))
        for item in enriched:
            result.outputs.append((item.id.encode("utf-8"), self.codecs.enriched.encode(item.to_record())))
        return result, enriched


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


def story_block(article: EnrichedArticle) -> str:
    """The key that brings reports of one story together: the article's main country (steadier
    across outlets than the headline event's place). Story state is partitioned by it, so every
    report of a story meets the same state."""
    return article.countries[0] if article.countries else "--"


class AlertStage:
    """news.enriched -> (re-keyed by story block) -> news.alerts, one alert per rule and story."""

    def __init__(self, rules: RuleSet, codecs: Codecs, *, horizon_seconds: float = 3 * 86400) -> None:
        self.rules = rules
        self.codecs = codecs
        self.horizon_seconds = horizon_seconds

    def route(self, messages: Sequence[RawMessage]) -> StageResult:
        """Re-key each enriched article by its story block (the value bytes pass through)."""
        good, dead = decode_enriched(messages, self.codecs, "alert")
        result = StageResult(dead_letters=dead)
        for message, article in good:
            result.outputs.append((story_block(article).encode("utf-8"), message.value or b""))
        return result

    def raise_alerts(
        self, message: RawMessage, state: dict[str, Any] | None, now_ms: int
    ) -> tuple[list[Alert], dict[str, Any], EnrichedArticle | None, DeadLetter | None, bool]:
        """(alerts, new block state, article, dead letter, new story?) for one re-keyed article."""
        good, dead = decode_enriched([message], self.codecs, "alert")
        if not good:
            return [], state or {}, None, dead[0], False
        article = good[0][1]
        try:
            alerts, new_state, is_new = self.alerts_for(article, state, now_ms)
        except Exception as exc:  # a rule bug must not stop the stream
            return [], state or {}, article, dead_letter(message, "alert", "rule_failed", exc), False
        return alerts, new_state, article, None, is_new

    def alerts_for(
        self, article: EnrichedArticle, state: dict[str, Any] | None, now_ms: int
    ) -> tuple[list[Alert], dict[str, Any], bool]:
        """(alerts, new block state, new story?) for one article of a story block: the story it
        joins, the rules once per story and escalation, spikes counted per new story. Pure; the
        alert agent and `newsstream alerts check` both run it."""
        index = StoryIndex.from_dict((state or {}).get("index"), horizon_seconds=self.horizon_seconds)
        log = FiringLog((state or {}).get("log"))
        assignment = index.assign(article, now_ms / 1000)
        alerts = self.rules.evaluate(
            article,
            created_at=now_ms,
            story_id=assignment.story_id,
            story_fatalities=assignment.max_fatalities,
            log=log,
        )
        counter = SpikeCounter.from_dict((state or {}).get("spikes"))
        if assignment.is_new:
            # spikes count stories, not reports: forty outlets on one event, or a replay, is no surge
            alerts += counter.observe(article, self.rules.spikes)
        log.expire(now_ms)
        new_state = {"index": index.to_dict(), "log": log.entries, "spikes": counter.to_dict()}
        return alerts, new_state, assignment.is_new


def decode_alerts(
    messages: Sequence[RawMessage], codecs: Codecs, stage: str
) -> tuple[list[tuple[RawMessage, Alert]], list[DeadLetter]]:
    return decode_records(messages, lambda data: Alert.from_record(codecs.alert.decode(data)), stage)
