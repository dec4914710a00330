"""Which language an article is in (ISO 639-1), with py3langid's bundled model: the English
pipeline must not code what it cannot read."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

MIN_CHARS = 40  # below this the guess is a coin toss; leave the language unknown


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, *, min_confidence: float = 0.8) -> str | None:
    """ISO 639-1 code, or None when the text is too short or the guess too unsure."""
    sample = text.strip()[:2000]
    if len(sample) < MIN_CHARS:
        return None
    language, confidence = _identifier().classify(sample)
    return str(language) if confidence >= min_confidence else None


def is_english(language: str | None) -> bool:
    """Unknown counts as English: the pipeline's own language is the default."""
    return language is None or language.lower().split("-")[0] == "en"
