"""The enrich stage: news.articles -> news.enriched, one nlp.pipe pass per batch."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from streams.core.errors import InvalidArticle
from streams.core.language import is_english
from streams.core.models import EnrichedArticle
from streams.stages.decode import RawMessage, StageResult, dead_letter, decode_articles
from streams.wire.codec import Codecs

if TYPE_CHECKING:
    from streams.enrich.pipeline import Enricher

log = logging.getLogger(__name__)


class EnrichStage:
    """news.articles -> news.enriched."""

    def __init__(
        self,
        enricher: Enricher,
        codecs: Codecs,
        *,
        max_body_chars: int = 200_000,
        other_languages: str = "route",
        batch_size: int = 32,
    ) -> None:
        self.enricher = enricher
        #: NEWSSTREAM_BATCH_SIZE: the agent's batches and spaCy's nlp.pipe batches alike
        self.batch_size = batch_size
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
            enriched = self.enricher.enrich_batch([article for _, article in good], batch_size=self.batch_size)
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
