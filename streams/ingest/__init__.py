"""Producers: read articles from files and publish them to news.articles."""

from streams.ingest.sources import Rejected, read_articles

__all__ = ["Rejected", "read_articles"]
