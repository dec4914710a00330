"""The benchmark corpus: the seed articles, repeated under fresh ids to reach the wanted size."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from streams.core.models import Article
from streams.ingest.sources import read_articles

ROOT = Path(__file__).resolve().parent.parent


def seed_corpus(size: int) -> list[Article]:
    """`size` articles cycling through seeds/ (ids made unique so every copy is stored)."""
    seeds = [a for a in read_articles([ROOT / "seeds"]) if isinstance(a, Article)]
    return [replace(seeds[i % len(seeds)], id=f"bench-{i:06d}-{seeds[i % len(seeds)].id[:12]}") for i in range(size)]
