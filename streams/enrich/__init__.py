"""Pure NLP enrichment: entities, places, dates, casualty counts and PLOVER/ACLED events."""

from streams.enrich.pipeline import PIPELINE_VERSION, Enricher

__all__ = ["PIPELINE_VERSION", "Enricher"]
