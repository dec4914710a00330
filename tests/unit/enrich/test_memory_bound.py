"""A long-running enricher does not grow with every new word it meets."""

from streams.core.models import Article


def test_new_words_of_a_batch_are_forgotten_after_it(enricher):
    """Names never seen before (as news brings every hour) leave spaCy's string store as it was."""
    enricher.enrich(Article(id="warm", title="Warm-up", body="Officials met in Geneva on Monday.", ingested_at=1))
    strings = enricher.nlp.vocab.strings
    before = len(strings)
    invented = [f"Zorvanyx{n}quel" for n in range(50)]
    body = " ".join(f"{name} Brakovitch met officials in Kintarro{n}." for n, name in enumerate(invented))
    enriched = enricher.enrich_batch([Article(id="novel", title="Talks in Kintarro", body=body, ingested_at=1)])
    assert any(entity.text.startswith("Zorvanyx") for entity in enriched[0].entities), "the names were read"
    assert len(strings) == before
    assert invented[0] not in strings
