"""The alert stage: enriched articles re-keyed by story block, then stories, rules once per
story and escalation, and spikes counted per new story."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from streams.alerting.firing_log import FiringLog
from streams.alerting.rules import RuleSet
from streams.alerting.spikes import SpikeCounter
from streams.alerting.stories import StoryIndex
from streams.core.models import Alert, DeadLetter, EnrichedArticle
from streams.stages.decode import RawMessage, StageResult, dead_letter, decode_enriched
from streams.wire.codec import Codecs


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
