"""Sentence-level event coding: trigger phrases matched over spaCy's parse, then who, whom, where,
when and how many read off the dependency tree and the article's grouped entities.

Steps for one doc (title or body):
  1. match every trigger of lexicon.TRIGGERS; keep one match per (sentence, PLOVER type),
     the most specific trigger winning (TRIGGERS lists specific before generic);
  2. refine the ACLED sub-type and mode from the sentence's words (an "attack" on villagers is
     Violence against civilians, on soldiers an Armed clash);
  3. flag negation ("no agreement was reached") and hypotheticals ("threatened to strike");
  4. read actor, target, location, date and casualties for each event.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from spacy.tokens import Doc, Span, Token

from streams.core.models import Event
from streams.enrich.clauses import (
    MATERIAL_CONFLICT,
    MATERIAL_COOPERATION,
    governors,
    hypothetical_reason,
    is_negated,
    prominence,
)
from streams.enrich.dates import resolve_date
from streams.enrich.entities import ACTOR_LABELS, PLACE_LABELS, PLACE_NOUNS, EntityGroup, EntityIndex
from streams.enrich.lexicon import TRIGGERS, Trigger
from streams.enrich.matcher import TriggerMatcher
from streams.enrich.numbers import Casualties, casualties
from streams.enrich.parties import party_code, phrase_tokens
from streams.reference.gazetteer import Gazetteer
from streams.reference.taxonomy import ACLED_TO_PLOVER, DEFAULT_CAMEO, acled_event_type

_PRIORITY = {trigger.name: index for index, trigger in enumerate(TRIGGERS)}
_PROPERTY_DESTRUCTION = next(t for t in TRIGGERS if t.name == "looting")
_INTENT_TO_COOPERATE = Trigger("intent-to-cooperate", "AGREE", (), cameo="03", confidence=0.6)
_INTENT_TO_CONFLICT = Trigger("intent-to-conflict", "THREATEN", (), cameo="13", confidence=0.6)

LOCATIVE_PREPOSITIONS = frozenset({"in", "at", "near", "across", "outside", "inside", "around", "into", "from", "on"})
TARGET_PREPOSITIONS = frozenset({"on", "against", "at", "with", "targeting", "toward", "towards"})

_WORDS = {
    "suicide": re.compile(r"\bsuicide\b", re.I),
    "chemical": re.compile(
        r"\b(chemical|chlorine|sarin|mustard gas|toxic (gas|smoke|substance)|poison(ous)? gas|nerve agent|gas (grenades?|munitions?|canisters? dropped))\b",
        re.I,
    ),
    "non_state": re.compile(
        r"\b(rebels?|militants?|insurgents?|jihadists?|fighters|militia\w*|group|gangs?|al-shabaab|m23|rsf|jnim|iswap|taliban|houthis?|arakan army|kachin|knla|resistance|dissidents?|separatists?)\b",
        re.I,
    ),
    "state": re.compile(
        r"\b(army|troops|government|military|armed forces|soldiers|security forces|police|junta|forces of|national guard|sna|saf|fardc|idf)\b",
        re.I,
    ),
    "protest_words": re.compile(r"\b(protest\w*|demonstrat\w*|rall(y|ies)|marchers|sit-in|vigil|strikers)\b", re.I),
    "air": re.compile(
        r"\b(air ?strikes?|air raids?|drones?|warplanes?|jets?|aircraft|helicopters?|aerial|bombers?)\b", re.I
    ),
    "shelling": re.compile(r"\b(shell(s|ed|ing)?|artillery|mortars?|rockets?|missiles?|barrages?|howitzers?)\b", re.I),
    "ied": re.compile(
        r"\b(roadside|landmines?|ieds?|improvised explosive|car bomb|bomb(s|ed|ing)?|explosive device|blast|explosion)\b",
        re.I,
    ),
    "grenade": re.compile(r"\bgrenades?\b", re.I),
    "civilians": re.compile(
        r"\b(civilians?|villagers?|residents?|worshippers?|passengers?|students?|pupils?|children|women|farmers?|shoppers?|market|mourners|families|pilgrims|patients|aid workers?|journalists?|displaced)\b",
        re.I,
    ),
    "combatants": re.compile(
        r"\b(soldiers?|troops?|militants?|fighters?|rebels?|insurgents?|army|forces|police(men)?|officers?|militia(s|men)?|guards?|military|gunmen|jihadists?|terrorists?)\b",
        re.I,
    ),
    "intervention": re.compile(
        r"\b(tear ?gas|water cannons?|dispers(e|ed|ing)|rubber bullets?|batons?|baton-charged|arrested|detained|broke up)\b",
        re.I,
    ),
    "excessive": re.compile(
        r"\b(live (ammunition|rounds|fire)|opened fire on|shot dead|fired on|killing|killed)\b", re.I
    ),
    "crowd": re.compile(
        r"\b(riot\w*|protest\w*|demonstrat\w*|crowds?|mobs?|youths|supporters|marchers|students)\b", re.I
    ),
    "lethal": re.compile(
        r"\b(killed|killing|shot dead|died|dead|fatalit\w+|live (ammunition|rounds|fire|bullets)|opened fire|fired (live|on|at) \w*|shot)\b",
        re.I,
    ),
    "riot": re.compile(
        r"\b(riot(s|ers|ing)?|torched|set fire|pelted|stones|looted|vandali[sz]ed|clashed with police|ransacked)\b",
        re.I,
    ),
}


@dataclass(slots=True)
class _Candidate:
    trigger: Trigger
    span: Span


def _sentence_candidates(doc: Doc, matcher: TriggerMatcher) -> dict[int, list[_Candidate]]:
    """Per sentence start: the best match for each PLOVER type."""
    best: dict[tuple[int, str], _Candidate] = {}
    for trigger, start, end in matcher(doc):
        span = doc[start:end]
        if doc[start].ent_type_ == "DATE":
            continue  # "14 March 2024" is no march
        key = (span.sent.start, trigger.type)
        current = best.get(key)
        if current is None or _better(trigger, span, current):
            best[key] = _Candidate(trigger, span)
    by_sentence: dict[int, list[_Candidate]] = {}
    for (sentence_start, _), candidate in sorted(best.items(), key=lambda item: item[1].span.start):
        by_sentence.setdefault(sentence_start, []).append(candidate)
    for sentence_start, candidates in by_sentence.items():
        by_sentence[sentence_start] = _resolve_conflicts(candidates)
    return by_sentence


def _refers_back(span: Span) -> bool:
    """ "during the fighting", "in the attack": the event already told, not a new one."""
    before = span.doc[span.start - 1].lower_ if span.start > 0 else ""
    return before in {"the", "that", "this"} and span.root.head.lower_ in {"during", "in", "amid"}


def _casualty_note(sentence: Span, candidates: list[_Candidate]) -> bool:
    """A sentence whose only trigger is a bare "killed" and that counts the dead of the report
    before it: short ("2 killed.", "1 soldier killed.") or opening with the count ("12 militants
    were killed during the fighting.", "At least 5 died.")."""
    bare = all(
        (c.trigger.name == "clash" and c.span[-1].lower_ in {"killed", "kill", "killing", "kills", "died", "dead"})
        or _refers_back(c.span)
        for c in candidates
    )
    if not bare:
        return False
    # a place of its own ("… in an ambush near Arbinda") makes it another event
    names_a_place = any(ent.label_ in {"GPE", "LOC", "FAC"} for ent in sentence.ents) or any(
        token.lower_ in LOCATIVE_PREPOSITIONS and token.i + 1 < sentence.end and token.nbor().pos_ == "PROPN"
        for token in sentence
    )
    opening = sentence[:3].text.lower()
    counted_first = sentence[0].like_num or opening.startswith(("at least", "more than", "some "))
    return (len(sentence) <= 10 or counted_first) and not names_a_place


def _better(trigger: Trigger, span: Span, current: _Candidate) -> bool:
    if _PRIORITY[trigger.name] != _PRIORITY[current.trigger.name]:
        return _PRIORITY[trigger.name] < _PRIORITY[current.trigger.name]
    return len(span) > len(current.span)


def _resolve_conflicts(candidates: list[_Candidate]) -> list[_Candidate]:
    """One sentence, competing readings. A labour strike is a protest, not an assault; police
    shooting at a protest is the protest's sub-type (excessive force), not an armed clash; an
    attempt that was foiled is not also the attack; 'agreed … but failed' keeps both."""
    names = {c.trigger.name for c in candidates}
    types = {c.trigger.type for c in candidates}
    if "PROTEST" in types:
        candidates = [c for c in candidates if c.trigger.name != "clash"]
    if "disrupted-weapons" in names:
        candidates = [c for c in candidates if c.trigger.type != "ASSAULT" or c.trigger.name == "disrupted-weapons"]
    if "territory-handover" in names:
        candidates = [c for c in candidates if c.trigger.name not in {"territory-taken", "clash"}]
    return candidates


def _groups_in(
    tokens: Iterable[Token], field_name: str, index: EntityIndex, labels: frozenset[str]
) -> list[EntityGroup]:
    found: list[EntityGroup] = []
    for token in tokens:
        group = index.group_at(field_name, token.idx, token.idx + len(token.text))
        if group is not None and group.label in labels and group not in found:
            found.append(group)
    return found


def _subject_text(span: Span) -> str:
    """The words of the grammatical subject governing a trigger ("Myanmar junta troops" in
    "Myanmar junta troops recaptured the town")."""
    verb = _governing_verb(span)
    for child in verb.children:
        if child.dep_ in {"nsubj", "nsubjpass", "agent"}:
            return " ".join(t.text for t in child.subtree)
    return ""


def _object_text(span: Span) -> str:
    """The words of what the trigger's verb acts on (direct object, "on"/"against" phrases, or
    the subject of a passive: "a leader was shot dead by gunmen")."""
    verb = _governing_verb(span)
    parts = [" ".join(t.text for t in c.subtree) for c in verb.children if c.dep_ == "nsubjpass"]
    for head in (verb, span.root):
        for child in head.children:
            if child.dep_ in {"dobj", "pobj"} or (child.dep_ == "prep" and child.lower_ in TARGET_PREPOSITIONS):
                parts.append(" ".join(t.text for t in child.subtree))
    return " ".join(parts)


#: "al-Rai town northeast of Aleppo": at most this many words from a town to the place it lies in
_CONTAINMENT_WORDS = 8
_DISTANCES = frozenset("km kilometres kilometers miles".split())  # "30 km of Kabul"
_COMPASS_ADJECTIVES = frozenset("northern southern eastern western central".split())


def _joins_containment(token: Token) -> bool:
    """Words that may stand between a town and the place it lies in: "town", "in", "northeast
    of", "30 km from", "eastern", commas and brackets; no verbs, names or "and"."""
    if token.pos_ in {"PUNCT", "ADP", "DET", "NUM"}:
        return token.lower_ not in {"and", "or", "&"}
    lower = token.lower_
    return lower in PLACE_NOUNS or lower in _DISTANCES or lower in _COMPASS_ADJECTIVES


def _place_phrases(sentence: Span, field_name: str, index: EntityIndex) -> list[tuple[int, EntityGroup]]:
    """(preposition position, place) for "in Kabul", "near Djibo", "control of Avdiivka"…"""
    phrases = []
    for token in sentence:
        if token.dep_ != "prep":
            continue
        if token.lower_ in LOCATIVE_PREPOSITIONS or (
            token.lower_ == "of" and token.head.lower_ in PLACE_NOUNS | _DISTANCES
        ):
            for group in _groups_in(token.subtree, field_name, index, PLACE_LABELS):
                if group.country is not None:
                    phrases.append((token.i, group))
    return phrases


def _locative_tokens(sentence: Span) -> set[int]:
    """Indices of the tokens inside "in …", "near …", "at …" phrases of a sentence."""
    inside: set[int] = set()
    for token in sentence:
        if token.dep_ == "prep" and token.lower_ in LOCATIVE_PREPOSITIONS - {"on", "from"}:
            inside.update(t.i for t in token.subtree)
    return inside


_REPORTING_VERBS = frozenset("say tell report announce claim state add confirm quote accuse allege".split())


_SOURCE_WORDS = frozenset(
    "spokesman spokeswoman spokesperson spokespeople media wing ministry official officials witnesses witness "
    "residents sources source agency statement monitor monitors observatory correspondent reporters".split()
)


def _reporter_tokens(span: Span, sentence: Span) -> set[int]:
    """Tokens naming who reports the trigger's event: the subject of a reporting verb above the
    trigger or hanging off its verb ("…, police said"), and "according to …"."""
    inside: set[int] = set()
    verb = _governing_verb(span)
    if any(c.dep_ in {"nsubj", "nsubjpass"} and c.pos_ == "PRON" for c in verb.children):
        return inside  # "the army said it killed 20 rebels": the reporter did it
    reporting = [g for g in span.root.ancestors if g.lemma_ in _REPORTING_VERBS and g is not verb]
    reporting += [
        c for c in verb.children if c.lemma_ in _REPORTING_VERBS and c.dep_ in {"parataxis", "ccomp", "advcl"}
    ]
    for governor in reporting:
        for child in governor.children:
            # only a speaker who is plainly a source: a spokesman, a media wing, a ministry,
            # officials, witnesses ("the army said" may well be the side that fought)
            if child.dep_ in {"nsubj", "nsubjpass"} and any(t.lower_ in _SOURCE_WORDS for t in child.subtree):
                inside.update(t.i for t in child.subtree)
    for token in sentence:
        if token.lower_ == "according":
            inside.update(t.i for t in token.subtree)
    return inside


def _where_and_who(
    actor: EntityGroup | None, target: EntityGroup | None, location: EntityGroup | None
) -> dict[str, Any]:
    """An event's party and place fields; with no place found, the target's country stands in."""
    return {
        "actor": actor.canonical if actor else None,
        "target": target.canonical if target else None,
        "location": location.canonical if location else None,
        "country": location.country if location else (target.country if target else None),
        "lat": location.lat if location else None,
        "lon": location.lon if location else None,
    }


def _governing_verb(span: Span) -> Token:
    root = span.root
    if root.pos_ in {"VERB", "AUX"}:
        return root
    for governor in governors(root):
        if governor.pos_ in {"VERB", "AUX"}:
            return governor
    return root


class EventCoder:
    """Codes PLOVER events (with ACLED and CAMEO equivalents) in spaCy docs."""

    def __init__(self, gazetteer: Gazetteer) -> None:
        self._matcher = TriggerMatcher()
        self._gazetteer = gazetteer
        #: (field, sentence start) -> its place phrases, for the doc being coded
        self._place_phrases: dict[tuple[str, int], list[tuple[int, EntityGroup]]] = {}
        self._sentence_casualties: dict[int, Casualties] = {}

    def code(
        self,
        doc: Doc,
        field_name: str,
        index: EntityIndex,
        reference: date | None,
        fallback_place: EntityGroup | None,
        original_text: str | None = None,
    ) -> list[Event]:
        """Every event in one doc, in text order. `original_text` is the field as published when the
        doc was parsed from a case-normalised copy of it (headlines); sentences are cut from it."""
        events: list[Event] = []
        # per doc: a sentence is read once however many events it holds
        self._place_phrases.clear()
        self._sentence_casualties.clear()
        recent_dates: dict[str, tuple[int, str]] = {}  # type -> (sentence number, ISO date)
        sentences = list(doc.sents)
        sentence_number = {s.start: n for n, s in enumerate(sentences)}
        for sentence_start, candidates in sorted(_sentence_candidates(doc, self._matcher).items()):
            number = sentence_number[sentence_start]
            sentence = doc[sentence_start].sent
            if events and _casualty_note(sentence, candidates):
                continue  # "2 killed." closes the report before it; its count goes to that event
            best: dict[str, Event] = {}
            for candidate in candidates:
                if candidate.trigger.refine == "riot" and not _WORDS["crowd"].search(sentence.text):
                    # arson with no crowd in sight is property destruction, not a riot
                    candidate = _Candidate(_PROPERTY_DESTRUCTION, candidate.span)
                event = self._event(candidate, sentence, field_name, index, reference, fallback_place)
                # an intent recoded as AGREE/THREATEN may meet the sentence's own AGREE/THREATEN
                if event.type not in best or event.confidence > best[event.type].confidence:
                    best[event.type] = event
            for event in best.values():
                if original_text is not None:
                    event.sentence = original_text[event.start : event.end].strip()
                if event.date is None:
                    carried = recent_dates.get(event.type)
                    if carried and number - carried[0] <= 2:
                        event.date = carried[1]  # the narrative goes on about the same day
                elif self._explicit_date(sentence, reference):
                    recent_dates[event.type] = (number, event.date)
                if event.date is None and reference is not None:
                    event.date = reference.isoformat()
                events.append(event)
        self._complete_casualties(events, sentences)
        return events

    def sentence_event(
        self,
        sentence: Span,
        field_name: str,
        index: EntityIndex,
        reference: date | None,
        fallback_place: EntityGroup | None,
        sub_type: str,
        confidence: float,
    ) -> Event:
        """An event the learned classifier found in a sentence where no trigger matched: its type
        from the ACLED sub-type, its parties, place, date and toll read around the sentence's main verb."""
        # the per-doc memos belong to whatever doc was coded last
        self._place_phrases.clear()
        self._sentence_casualties.clear()
        plover_type, mode = ACLED_TO_PLOVER[sub_type]
        root = sentence.root
        span = sentence.doc[root.i : root.i + 1]
        actor, target = self._participants(span, sentence, field_name, index, done=plover_type in MATERIAL_CONFLICT)
        location = self._location(span, sentence, field_name, index, actor, target, fallback_place)
        explicit = self._explicit_date(sentence, reference)
        counts = self._casualties(sentence)
        date_text = explicit.isoformat() if explicit else (reference.isoformat() if reference else None)
        return Event(
            type=plover_type,
            mode=mode,
            cameo=DEFAULT_CAMEO[plover_type],
            acled_event_type=acled_event_type(sub_type),
            acled_sub_event_type=sub_type,
            sentence=sentence.text.strip(),
            field=field_name,
            start=sentence.start_char,
            end=sentence.end_char,
            **_where_and_who(actor, target, location),
            **self._party_codes(span, sentence, actor, target),
            date=date_text,
            fatalities=counts.fatalities if counts.fatalities is not None else 0,
            injured=counts.injured,
            confidence=round(confidence, 2),
        )

    @staticmethod
    def _complete_casualties(events: list[Event], sentences: list[Span]) -> None:
        """Counts stated in the next sentence ("… near Djibo. 4 soldiers were killed.") belong to
        the event before them unless that sentence reports violence of its own. ACLED records a
        number for every event, so an ACLED-coded event with no stated deaths has 0."""
        violent_sentences = {e.start for e in events if e.type == "ASSAULT"}
        starts = [s.start_char for s in sentences]
        for event in events:
            if event.fatalities is None and event.acled_sub_event_type and event.start in starts:
                following = starts.index(event.start) + 1
                if following < len(sentences) and sentences[following].start_char not in violent_sentences:
                    counts = casualties(sentences[following].text)
                    event.fatalities, event.injured = counts.fatalities, event.injured or counts.injured
            if event.fatalities is None and event.acled_sub_event_type:
                event.fatalities = 0

    def _explicit_date(self, sentence: Span, reference: date | None) -> date | None:
        for ent in sentence.ents:
            if ent.label_ == "DATE":
                resolved = resolve_date(ent.text, reference)
                if resolved is not None:
                    return resolved
        return None

    def _event(
        self,
        candidate: _Candidate,
        sentence: Span,
        field_name: str,
        index: EntityIndex,
        reference: date | None,
        fallback_place: EntityGroup | None,
    ) -> Event:
        trigger, span = candidate.trigger, candidate.span
        sub_type, mode = self._refine(trigger, sentence.text, _subject_text(span), _object_text(span))
        negated = trigger.type != "REJECT" and is_negated(span)
        reason = None if negated else hypothetical_reason(span, trigger)
        # PLOVER codes a stated intent as its own event: "X will provide aid" is AGREE (a promise),
        # "X will strike unless" is THREATEN; the promised or threatened act has not happened.
        if reason == "intent" and trigger.type in MATERIAL_COOPERATION:
            trigger = _INTENT_TO_COOPERATE
            sub_type, mode, reason = None, None, None
        elif reason in {"threat", "intent"} and trigger.type in MATERIAL_CONFLICT:
            trigger = _INTENT_TO_CONFLICT
            sub_type, mode, reason = None, "violence" if candidate.trigger.type == "ASSAULT" else None, None
        hypothetical = reason is not None
        actor, target = self._participants(span, sentence, field_name, index, done=trigger.type in MATERIAL_CONFLICT)
        location = self._location(span, sentence, field_name, index, actor, target, fallback_place)
        explicit = self._explicit_date(sentence, reference)
        counts = self._casualties(sentence) if trigger.type in {"ASSAULT", "PROTEST"} or sub_type else None
        confidence = trigger.confidence + (0.1 if actor else 0.0) + (0.05 if target else 0.0) + prominence(span)
        if negated or hypothetical:
            confidence -= 0.2
        start, end = sentence.start_char, sentence.end_char
        return Event(
            type=trigger.type,
            mode=mode,
            cameo=trigger.cameo or DEFAULT_CAMEO[trigger.type],
            acled_event_type=acled_event_type(sub_type),
            acled_sub_event_type=sub_type,
            sentence=sentence.text.strip(),
            field=field_name,
            start=start,
            end=end,
            **_where_and_who(actor, target, location),
            **self._party_codes(span, sentence, actor, target),
            date=explicit.isoformat() if explicit else None,
            fatalities=counts.fatalities if counts else None,
            injured=counts.injured if counts else None,
            negated=negated,
            hypothetical=hypothetical,
            confidence=round(max(0.05, min(confidence, 0.99)), 2),
        )

    @staticmethod
    def _refine(trigger: Trigger, text: str, subject: str, objects: str) -> tuple[str | None, str | None]:
        """ACLED sub-type and PLOVER mode from the sentence's words, for generic triggers."""
        sub_type, mode = trigger.acled, trigger.mode
        has = {name: bool(pattern.search(text)) for name, pattern in _WORDS.items()}
        if trigger.type == "ASSAULT" and has["chemical"] and trigger.name != "disrupted-weapons":
            return "Chemical weapon", "unconventional"
        if trigger.name == "arrest" and has["protest_words"]:
            return None, mode  # ACLED codes arrests at a protest as the protest's intervention
        if (
            trigger.refine == "assault"
            and trigger.name == "clash"
            and _WORDS["civilians"].search(objects)
            and not (
                _WORDS["combatants"].search(objects)
                or re.search(r"\b(clash\w*|fight\w*|battle\w*|exchange of fire|firefight|gunfight)\b", text, re.I)
            )
        ):
            return "Attack", "firearms"
        if trigger.refine == "assault":
            if has["suicide"] and has["ied"]:
                return "Suicide bomb", "suicide-attack"
            if has["air"] and trigger.name != "ied":
                return "Air/drone strike", "aerial"
            if has["grenade"]:
                return "Grenade", "explosives"
            if has["shelling"] and trigger.name != "ied":
                return "Shelling/artillery/missile attack", "heavy-weapons"
            if has["ied"] and trigger.name == "clash":
                return "Remote explosive/landmine/IED", "explosives"
            if trigger.name == "clash" and has["civilians"] and not has["combatants"]:
                return "Attack", "firearms"
            if (
                trigger.name == "clash"
                and has["civilians"]
                and re.search(
                    r"\b(gunmen|militants|attackers|assailants|jihadists|bandits|fighters)\b[^.]*\b(kill|attack|shot|stormed|abduct)",
                    text,
                    re.I,
                )
                and re.search(
                    r"\b(kill\w*|attack\w*|shot|storm\w*)\b[^.]*\b(civilians?|villagers?|residents?|worshippers?|passengers?)",
                    text,
                    re.I,
                )
            ):
                return "Attack", "firearms"
        elif trigger.refine in {"protest", "riot"}:
            # ACLED: violent protesters make it a riot, lethal or armed repression excessive force,
            # dispersal or arrests an intervention
            if has["riot"]:
                return "Violent demonstration", "riot"
            if has["lethal"]:
                return "Excessive force against protesters", "demo"
            if has["intervention"]:
                return "Protest with intervention", "demo"
        elif trigger.refine == "territory":
            # who took it decides: the subject of "retook"/"seized", else the sentence's first party
            who = subject or text
            state, non_state = _WORDS["state"].search(who), _WORDS["non_state"].search(who)
            if state and not non_state:
                return "Government regains territory", mode
            if non_state and not state:
                return "Non-state actor overtakes territory", mode
            return trigger.acled, mode
        return sub_type, mode

    def _participants(
        self, span: Span, sentence: Span, field_name: str, index: EntityIndex, *, done: bool = False
    ) -> tuple[EntityGroup | None, EntityGroup | None]:
        """Actor and target. `done`: a material act (an attack, an arrest, a protest), whose
        reporter is the source of the news, not a party to it ("ISPR said 23 soldiers were
        killed", "according to the ministry"); in a verbal event the speaker is the actor."""
        verb = _governing_verb(span)
        reporters = _reporter_tokens(span, sentence) if done else set()

        def groups(tokens: Iterable[Token]) -> list[EntityGroup]:
            return _groups_in((t for t in tokens if t.i not in reporters), field_name, index, ACTOR_LABELS)

        actors: list[EntityGroup] = []
        targets: list[EntityGroup] = []
        for child in verb.children:
            if child.dep_ in {"nsubj", "csubj"} or child.dep_ == "agent":
                actors += groups(child.subtree)
            elif child.dep_ in {"dobj", "nsubjpass", "dative"}:
                targets += groups(child.subtree)
        for head in (span.root, verb):
            for child in head.children:
                if child.dep_ == "prep" and child.lower_ in TARGET_PREPOSITIONS:
                    targets += groups(child.subtree)
        # "Pakistan–Afghan Taliban talks": the compound modifiers are the parties
        modifiers = groups(
            t for t in span.root.lefts if t.dep_ in {"compound", "amod", "nmod", "poss"} for t in t.subtree
        )
        actors += modifiers[:1]
        targets += modifiers[1:]
        # a town or province does nothing itself; countries (their states) do
        actors = [g for g in actors if not self._mere_place(g)]
        actor = actors[0] if actors else None
        target = next((t for t in targets if t is not actor), None)
        if actor is None or target is None:
            # nearest parties before and after the trigger, leaving out places named as locations
            locative = _locative_tokens(sentence)
            free = [t for t in sentence if t.i not in locative]
            before = groups(t for t in free if t.i < span.start)
            after = groups(t for t in free if t.i >= span.end)
            before = [g for g in before if not self._mere_place(g)]
            if actor is None and before:
                actor = before[-1] if before[-1] is not target else (before[-2] if len(before) > 1 else None)
            if target is None:
                target = next((g for g in after if g is not actor and g.label in ACTOR_LABELS), None)
        if (
            actor is not None
            and target is not None
            and target.country is not None
            and target.country == actor.country
            and {actor.label, target.label} <= PLACE_LABELS
        ):
            target = None  # "Pakistan → Islamabad": one state named twice, not two sides
        return actor, target

    def _mere_place(self, group: EntityGroup) -> bool:
        """A town or province, not a country or a capital standing for its government."""
        if group.label not in PLACE_LABELS or self._gazetteer.is_capital(group.canonical):
            return False
        place = self._gazetteer.place(group.canonical, towns=True)
        return place is not None and place.kind != "country"

    def _casualties(self, sentence: Span) -> Casualties:
        counts = self._sentence_casualties.get(sentence.start)
        if counts is None:
            counts = self._sentence_casualties[sentence.start] = casualties(sentence.text)
        return counts

    def _location(
        self,
        span: Span,
        sentence: Span,
        field_name: str,
        index: EntityIndex,
        actor: EntityGroup | None,
        target: EntityGroup | None,
        fallback: EntityGroup | None,
    ) -> EntityGroup | None:
        key = (field_name, sentence.start)
        phrases = self._place_phrases.get(key)
        if phrases is None:
            phrases = self._place_phrases[key] = _place_phrases(sentence, field_name, index)
        places = [(abs(position - span.root.i), group) for position, group in phrases]
        if places:
            # the nearest place phrase to the trigger; a city beats the country it is in
            places.sort(key=lambda item: item[0])
            position, nearest = places[0]
            container = self._container_abroad(
                nearest, [g for p, g in phrases if p >= position], sentence, field_name, index
            )
            if container is not None:
                return container
            finer = [
                g for _, g in places if g.country == nearest.country and g is not nearest and self._is_finer(g, nearest)
            ]
            return finer[0] if finer else nearest
        for candidate in (target, actor):
            if candidate is not None and candidate.label in PLACE_LABELS and candidate.country is not None:
                return candidate
        in_sentence = _groups_in(sentence, field_name, index, PLACE_LABELS)
        with_point = [g for g in in_sentence if g.country is not None]
        if with_point:
            return with_point[0]
        return fallback

    def _party_codes(
        self, span: Span, sentence: Span, actor: EntityGroup | None, target: EntityGroup | None
    ) -> dict[str, Any]:
        """Country and sector of the actor and the target (PLOVER-style actor codes)."""
        verb = _governing_verb(span)
        # no subject parsed ("Hundreds of students protested" comes out as a noun phrase): the
        # words before the trigger stand for it
        actor_words = phrase_tokens(verb, "actor") or list(sentence.doc[sentence.start : span.start])
        actor_country, actor_sector = party_code(actor, actor_words, self._gazetteer)
        target_country, target_sector = party_code(target, phrase_tokens(verb, "target"), self._gazetteer)
        return {
            "actor_country": actor_country,
            "actor_sector": actor_sector,
            "target_country": target_country,
            "target_sector": target_sector,
        }

    def _container_abroad(
        self, town: EntityGroup, phrase: list[EntityGroup], sentence: Span, field_name: str, index: EntityIndex
    ) -> EntityGroup | None:
        """The place a town is said to lie in, when that is in another country: "the village of
        al-Sabha in eastern Deir ez-Zor", "al-Rai town northeast of Aleppo", "Madaya town in Afrin".
        One phrase naming both means the town was resolved to a namesake abroad; the larger place
        is the surer reading. Places joined by "and" are a list, not a containment."""
        if self._kind(town) != "city" or self._gazetteer.is_major_city(town.canonical):
            return None  # "Kinshasa (Gombe)": Kinshasa's commune, not Nigeria's state
        starts: dict[str, int] = {}  # group key -> its first token in the sentence
        for token in sentence:
            group = index.group_at(field_name, token.idx, token.idx + len(token.text))
            if group is not None and group.key not in starts:
                starts[group.key] = token.i
        if town.key not in starts:
            return None
        for group in phrase:
            if group.country == town.country or self._kind(group) not in {"city", "region"}:
                continue
            if self._gazetteer.is_ambiguous(group.canonical):
                continue
            between = sentence.doc[starts[town.key] : starts.get(group.key, -1)]
            if 0 < len(between) <= _CONTAINMENT_WORDS and all(
                _joins_containment(token) or index.group_at(field_name, token.idx, token.idx + len(token.text)) is town
                for token in between
            ):
                return group
        return None

    def _kind(self, group: EntityGroup) -> str | None:
        place = self._gazetteer.place(group.canonical, towns=True)
        return place.kind if place else None

    def _is_finer(self, group: EntityGroup, than: EntityGroup) -> bool:
        rank = {"city": 0, "region": 1, "country": 2}
        kind, other = self._kind(group), self._kind(than)
        return bool(kind and other and rank[kind] < rank[other])
