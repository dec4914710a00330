"""Pure NLP enrichment: entities, places, dates, casualty counts and PLOVER/ACLED events.

`Enricher` and `PIPELINE_VERSION` are loaded on first use: the worker's own process needs only the
place tables (for story grouping), not spaCy, which its NLP process loads."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from streams.enrich.pipeline import PIPELINE_VERSION, Enricher

__all__ = ["PIPELINE_VERSION", "Enricher"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from streams.enrich import pipeline

        return getattr(pipeline, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
