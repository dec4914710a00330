"""The enrichment pipeline: a batch of articles in, enriched articles out. Pure, no Kafka.

CPU-bound (spaCy): the Faust agent calls `enrich_batch` from an executor thread, never on the
event loop. Deterministic for a given PIPELINE_VERSION.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime

from spacy.language import Language
from spacy.tokens import Doc, Span

from streams.core.models import Article, EnrichedArticle, Event, now_millis
from streams.enrich.classifier import EventClassifier, committed_version, event_classifier
from streams.enrich.dates import parse_published
from streams.enrich.embedding import SentenceEmbedder, sentence_embedder
from streams.enrich.entities import EntityGroup, EntityGrouper, EntityIndex
from streams.enrich.events import EventCoder
from streams.enrich.learned import (
    LEAD_CHARACTERS,
    NEW_EVENT_AT,
    SENTENCES_PER_ARTICLE,
    lead_may_hold_a_missed_event,
    lead_sentences,
    retype,
)
from streams.enrich.nlp import english_words, load_nlp
from streams.enrich.salience import order_events, primary_event, rank_countries, story_id
from streams.reference.gazetteer import Gazetteer, gazetteer

PIPELINE_VERSION = f"0.2.0+{committed_version()}"  # changes with the committed classifier
_WORD = re.compile(r"[A-Za-z][\w'’-]*")


def is_shouting(text: str) -> bool:
    """An all-caps headline ("SUICIDE BOMBER KILLS 11"), which spaCy's NER reads badly."""
    letters = [ch for ch in text if ch.isalpha()]
    return len(letters) >= 8 and sum(ch.isupper() for ch in letters) / len(letters) > 0.8


def normalise_title_case(title: str, known_names: dict[str, str]) -> str:
    """Same-length rewrite of a headline for the NER: all-caps to title case, and lower-case words
    that are names in the body ("Atta tarar" -> "Atta Tarar"). Offsets stay valid."""
    if is_shouting(title):
        title = _WORD.sub(lambda m: m.group(0).capitalize(), title.lower())
    fixed = _WORD.sub(lambda m: known_names.get(m.group(0).casefold(), m.group(0)), title)
    return fixed if len(fixed) == len(title) else title


@dataclass
class _Draft:
    """One article between the rule coder and the learned classifier."""

    article: Article
    title: Doc
    body: Doc
    index: EntityIndex
    reference: date | None
    fallback: EntityGroup | None
    events: list[Event]


class Enricher:
    """Owns the spaCy pipeline, gazetteer, entity grouper, event coder and event classifier for
    one process. `classify=False` runs the rules alone (how the classifier's training features are made)."""

    def __init__(
        self,
        nlp: Language | None = None,
        places: Gazetteer | None = None,
        *,
        classify: bool = True,
        classifier: EventClassifier | None = None,
        embedder: SentenceEmbedder | None = None,
    ) -> None:
        self.nlp = nlp or load_nlp()
        self.gazetteer = places or gazetteer()
        self.grouper = EntityGrouper(self.gazetteer, common_words=english_words(self.nlp))
        self.coder = EventCoder(self.gazetteer)
        self.classifier = (classifier or event_classifier()) if classify else None
        self.embedder = (embedder or sentence_embedder()) if classify else None

    def enrich(self, article: Article) -> EnrichedArticle:
        return self.enrich_batch([article])[0]

    def enrich_batch(self, articles: Sequence[Article], batch_size: int = 32) -> list[EnrichedArticle]:
        """Enrich many articles with two nlp.pipe passes (bodies, then headlines)."""
        # Every new word a Doc meets is added to the vocabulary for good: news brings new names every
        # hour, so a long-running worker would grow without end. The memory zone forgets what this
        # batch added when it closes; nothing of spaCy's (Doc, Token, Span) may outlive it, and
        # nothing does: the enriched articles are plain data.
        with self.nlp.memory_zone():
            bodies = list(self.nlp.pipe((a.body for a in articles), batch_size=batch_size))
            titles_for_ner = [
                normalise_title_case(a.title, self._name_forms(body)) for a, body in zip(articles, bodies, strict=True)
            ]
            titles = list(self.nlp.pipe(titles_for_ner, batch_size=batch_size))
            drafts = [
                self._code(article, title, body) for article, title, body in zip(articles, titles, bodies, strict=True)
            ]
            self._classify(drafts, batch_size)
            return [self._finish(draft) for draft in drafts]

    def _classify(self, drafts: list[_Draft], batch_size: int) -> None:
        """The learned classifier reads the sentences of an article's most salient ACLED-coded facts
        and, in an article where the rules coded none, its lead; one embedding batch for all."""
        if self.classifier is None or self.embedder is None:
            return
        units: dict[tuple[int, str, int, str], list[Event]] = {}  # (article, field, start, rules' type)
        leads: list[tuple[_Draft, Span, str]] = []
        for number, draft in enumerate(drafts):
            facts = [e for e in draft.events if e.is_fact and e.acled_sub_event_type]
            own: set[tuple[int, str, int, str]] = set()
            # the most salient first: past the budget, an article's minor events keep the rules' type
            for event in order_events(facts, len(draft.article.body)):
                key = (number, event.field, event.start, event.acled_sub_event_type or "")
                if key in own or len(own) < SENTENCES_PER_ARTICLE:
                    own.add(key)
                    units.setdefault(key, []).append(event)
            if not facts:
                lead = lead_sentences(draft.title, draft.body, LEAD_CHARACTERS)
                field_name = "title" if lead is not None and lead.doc is draft.title else "body"
                if lead is not None and lead_may_hold_a_missed_event(draft.events, lead, field_name):
                    leads.append((draft, lead, lead.text.strip()))
        coded = list(units.values())
        texts = [events[0].sentence for events in coded] + [text for _, _, text in leads]
        if not texts:
            return
        vectors = self.embedder.embed(texts, batch_size=batch_size)
        rule_labels = [events[0].acled_sub_event_type for events in coded] + [None] * len(leads)
        guesses = self.classifier.classify(vectors, rule_labels, texts)
        for events, guess in zip(coded, guesses[: len(coded)], strict=True):
            for event in events:
                retype(event, guess)
        for (draft, lead, _), guess in zip(leads, guesses[len(coded) :], strict=True):
            if guess.sub_type is not None and guess.probability >= NEW_EVENT_AT:
                field_name = "title" if lead.doc is draft.title else "body"
                event = self.coder.sentence_event(
                    lead, field_name, draft.index, draft.reference, draft.fallback, guess.sub_type, guess.probability
                )
                if field_name == "title":
                    event.sentence = draft.article.title[event.start : event.end].strip()
                draft.events.append(event)

    def _default_event_country(self, events: list[Event], countries: list[str]) -> None:
        """An event whose sentence names no place happened, as far as the text says, in the
        article's main country."""
        if not countries:
            return
        place = self.gazetteer.country_place(countries[0])
        for event in events:
            if event.country is None:
                event.country = countries[0]
                if place is not None and event.lat is None:
                    event.lat, event.lon = place.lat, place.lon

    @staticmethod
    def _name_forms(body: Doc) -> dict[str, str]:
        """casefolded -> cased form of every word of a proper name in the body."""
        forms: dict[str, str] = {}
        for ent in body.ents:
            if ent.label_ in {"PERSON", "ORG", "GPE", "NORP", "LOC"}:
                for token in ent:
                    if token.text[:1].isupper() and token.is_alpha:
                        forms.setdefault(token.text.casefold(), token.text)
        return forms

    def _code(self, article: Article, title: Doc, body: Doc) -> _Draft:
        index = self.grouper.group([("title", title), ("body", body)])
        reference = parse_published(article.published)
        if reference is None and article.ingested_at:
            reference = parse_published(_iso_day(article.ingested_at))
        fallback = _main_place(index)
        events = self.coder.code(title, "title", index, reference, fallback, article.title) + self.coder.code(
            body, "body", index, reference, fallback
        )
        return _Draft(article, title, body, index, reference, fallback, events)

    def _finish(self, draft: _Draft) -> EnrichedArticle:
        article, index = draft.article, draft.index
        events = order_events(draft.events, len(article.body))
        countries = rank_countries(index, events)
        self._default_event_country(events, countries)
        return EnrichedArticle(
            id=article.id,
            title=article.title,
            body=article.body,
            url=article.url,
            source=article.source,
            published=article.published,
            language=article.language or "en",
            author=article.author,
            ingested_at=article.ingested_at or now_millis(),
            entities=index.to_entities(),
            events=events,
            countries=countries,
            primary_event=primary_event(events),
            story_id=story_id(article.id, events, countries),
            pipeline_version=PIPELINE_VERSION,
        )


def _main_place(index: EntityIndex) -> EntityGroup | None:
    """The most mentioned place with coordinates, headline mentions counting triple."""
    best, best_weight = None, 0
    for group in index.groups:
        if group.lat is None or group.label not in {"GPE", "LOC", "FAC"}:
            continue
        weight = sum(3 if m.field == "title" else 1 for m in group.mentions)
        if weight > best_weight:
            best, best_weight = group, weight
    return best


def _iso_day(millis: int) -> str:
    return datetime.fromtimestamp(millis / 1000, tz=UTC).date().isoformat()
