"""Stories: the same real-world event reported by many outlets gets one story id.

Two articles are one story when their text is near-duplicate (MinHash estimate of word-shingle
Jaccard), or when their headline events agree — same PLOVER type, same country, dates within a few
days — and they share named actors or some wording. Pure and bounded: a StoryIndex keeps only
stories seen within its horizon (and at most `max_stories`), and serialises to a plain dict so a
Faust table (with its changelog) can hold it and restore it after a restart.
"""

from __future__ import annotations

import hashlib
import re
import struct
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from streams.core.identity import normalise_text
from streams.core.models import EnrichedArticle
from streams.reference.gazetteer import gazetteer

NUM_HASHES = 64
_PRIME = (1 << 61) - 1
_SEEDS = [
    struct.unpack("<QQ", hashlib.blake2b(f"minhash-{i}".encode(), digest_size=16).digest()) for i in range(NUM_HASHES)
]
_WORD = re.compile(r"[a-z0-9]+")
_NAMED_LABELS = {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC"}


_STOPWORDS = frozenset(
    "the a an of in on at to and or for by with from as is was were be been has have had that this it its "
    "their they he she his her said says after over into about more than not but which who when where while "
    "also would will could can may are after before during since under".split()
)


def _shingles(text: str, size: int = 1) -> set[int]:
    words = [w for w in _WORD.findall(normalise_text(text)) if w not in _STOPWORDS and len(w) > 2]
    grams = {" ".join(words[i : i + size]) for i in range(max(1, len(words) - size + 1))}
    return {int.from_bytes(hashlib.blake2b(g.encode(), digest_size=8).digest(), "little") for g in grams if g}


def minhash(text: str) -> list[int]:
    """A 64-value MinHash signature of the text's content words (deterministic across processes)."""
    shingles = _shingles(text)
    if not shingles:
        return [0] * NUM_HASHES
    return [min(((a | 1) * s + b) % _PRIME for s in shingles) for a, b in _SEEDS]


def similarity(one: list[int], two: list[int]) -> float:
    """Estimated Jaccard similarity of two signatures."""
    return sum(1 for x, y in zip(one, two, strict=True) if x == y) / NUM_HASHES


@dataclass
class StoryCard:
    """What the index remembers about one story."""

    story_id: str
    signature: list[int]
    event_type: str | None
    country: str | None
    event_date: str | None
    actors: list[str]
    first_seen: float
    last_seen: float
    article_ids: list[str] = field(default_factory=list)
    max_fatalities: int = 0


def article_card(article: EnrichedArticle, seen_at: float) -> StoryCard:
    """The story-relevant summary of one article (its headline event, place, actors, wording)."""
    facts = [e for e in article.events if e.is_fact]
    top = next((e for e in facts if e.field == "title"), facts[0] if facts else None)
    lead = " ".join(article.body.split()[:80])
    # names that tell events apart: people, groups, towns; not the countries and nationalities that
    # every report from the same country shares
    places = gazetteer()
    actors = [
        e.canonical
        for e in article.entities
        if e.label in _NAMED_LABELS
        and e.label != "NORP"
        and not ((place := places.place(e.canonical)) is not None and place.kind == "country")
    ][:20]
    return StoryCard(
        # a new story is named after its first report's own story key, so a story with a single
        # report has the same id on the article as on its alerts
        story_id=article.story_id,
        signature=minhash(f"{article.title} {lead}"),
        event_type=article.primary_event,
        country=article.countries[0] if article.countries else None,
        event_date=top.date if top else None,
        actors=actors,
        first_seen=seen_at,
        last_seen=seen_at,
        article_ids=[article.id],
        max_fatalities=max((e.fatalities or 0 for e in facts), default=0),
    )


def _days_apart(one: str | None, two: str | None) -> int | None:
    if not one or not two:
        return None
    try:
        return abs((date.fromisoformat(one) - date.fromisoformat(two)).days)
    except ValueError:
        return None


def same_story(card: StoryCard, story: StoryCard, *, text_threshold: float = 0.5, max_days: int = 3) -> float:
    """A score ≥ 1.0 when `card` reports the same event as `story` (higher is more certain).

    Near-identical wording is enough. Otherwise, within one story block (same country), the
    reports must be at most `max_days` apart and share names: outlets word one event very
    differently and even code it differently, but they name the same people, groups and towns.
    The names of an ongoing conflict recur in all of its stories, though, so they must also agree
    on the kind of headline event (a strike and the sanctions it prompts are two stories) or share
    a fair part of their vocabulary. On bench/data/dev_stories.jsonl: pairwise precision 1.00,
    recall 0.71."""
    text = similarity(card.signature, story.signature)
    if text >= text_threshold:
        return 1.0 + text
    if card.country is None or card.country != story.country:
        return 0.0
    apart = _days_apart(card.event_date, story.event_date)
    if apart is not None and apart > max_days:
        return 0.0
    shared = set(card.actors) & set(story.actors)
    overlap = len(shared) / max(1, min(len(card.actors), len(story.actors)))
    # names of an ongoing conflict recur in all its stories: the headline events must also be of
    # one kind (a strike and the sanctions it prompts are two stories)
    same_kind = _family(card.event_type) == _family(story.event_type)
    if overlap >= 0.25 and shared and (same_kind or text >= 0.15):
        return 1.0 + overlap + text
    return 0.0


#: kinds of headline event; outlets often code one event as different types of the same kind
EVENT_FAMILIES = {
    "ASSAULT": "violence",
    "COERCE": "violence",
    "MOBILIZE": "violence",
    "THREATEN": "violence",
    "PROTEST": "protest",
    "CONSULT": "diplomacy",
    "AGREE": "diplomacy",
    "REJECT": "diplomacy",
    "REQUEST": "diplomacy",
    "ACCUSE": "diplomacy",
    "SUPPORT": "diplomacy",
    "CONCEDE": "diplomacy",
    "AID": "cooperation",
    "COOPERATE": "cooperation",
    "RETREAT": "cooperation",
    "SANCTION": "sanction",
}


def _family(event_type: str | None) -> str:
    return EVENT_FAMILIES.get(event_type or "", "other")


@dataclass
class Assignment:
    story_id: str
    is_new: bool
    previous_max_fatalities: int
    max_fatalities: int


class StoryIndex:
    """Recent stories of one partition key (a country), bounded by horizon and size."""

    def __init__(self, *, horizon_seconds: float = 3 * 86400, max_stories: int = 500) -> None:
        self.horizon_seconds = horizon_seconds
        self.max_stories = max_stories
        self.stories: dict[str, StoryCard] = {}

    def assign(self, article: EnrichedArticle, now: float) -> Assignment:
        """The story of an article (a new one if it matches none); redelivery finds its own story."""
        self._expire(now)
        for story in self.stories.values():
            if article.id in story.article_ids:
                return Assignment(story.story_id, False, story.max_fatalities, story.max_fatalities)
        card = article_card(article, now)
        scored = [(same_story(card, story), story) for story in self.stories.values()]
        score, best = max(scored, key=lambda item: item[0], default=(0.0, None))
        if best is None or score < 1.0:
            self.stories[card.story_id] = card
            self._trim()
            return Assignment(card.story_id, True, 0, card.max_fatalities)
        previous = best.max_fatalities
        best.article_ids.append(article.id)
        best.last_seen = now
        best.max_fatalities = max(previous, card.max_fatalities)
        best.actors = list(dict.fromkeys(best.actors + card.actors))[:20]
        return Assignment(best.story_id, False, previous, best.max_fatalities)

    def _expire(self, now: float) -> None:
        cutoff = now - self.horizon_seconds
        for story_id in [s for s, card in self.stories.items() if card.last_seen < cutoff]:
            del self.stories[story_id]

    def _trim(self) -> None:
        while len(self.stories) > self.max_stories:
            oldest = min(self.stories.values(), key=lambda card: card.last_seen)
            del self.stories[oldest.story_id]

    def to_dict(self) -> dict[str, Any]:
        return {"stories": [vars(card) for card in self.stories.values()]}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None, **options: Any) -> StoryIndex:
        index = cls(**options)
        for raw in (data or {}).get("stories", []):
            card = StoryCard(**raw)
            index.stories[card.story_id] = card
        return index
