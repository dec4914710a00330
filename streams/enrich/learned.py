"""How the learned classifier's answer combines with the rule coder's events. Pure logic; the
thresholds were chosen on the dev split of the real training text (training/README.md), never on
the locked split."""

from __future__ import annotations

from spacy.tokens import Doc, Span

from streams.core.models import Event
from streams.enrich.classifier import Guess
from streams.reference.taxonomy import ACLED_TO_PLOVER, DEFAULT_CAMEO, acled_event_type

#: the classifier replaces the rules' sub-type when its own answer is at least this probable...
OVERRIDE_AT = 0.35
#: ...and this much more probable than the rules' answer
OVERRIDE_MARGIN = 0.05
#: "no ACLED event" this sure takes the ACLED type off a rule event (its PLOVER coding stays)
DROP_AT = 0.9
#: an article where the rules found no ACLED event gets one from its lead at this probability
NEW_EVENT_AT = 0.3
#: sentences per article the classifier reads (embedding is most of its cost): the most salient
#: ACLED-coded events' own; the rest keep the rules' sub-type
SENTENCES_PER_ARTICLE = 2
#: how much of a body counts as its lead when there is no headline
LEAD_CHARACTERS = 400


def retype(event: Event, guess: Guess) -> None:
    """Give a rule event the classifier's sub-type where it is clearly more likely, and the
    classifier's calibrated probability as its confidence either way."""
    current = event.acled_sub_event_type
    overrides = (
        guess.sub_type != current
        and guess.probability >= OVERRIDE_AT
        and guess.probability - guess.rule_probability >= OVERRIDE_MARGIN
    )
    if not overrides:
        event.confidence = round(guess.rule_probability, 2)
        return
    if guess.sub_type is None:
        if guess.probability >= DROP_AT:
            event.acled_sub_event_type = event.acled_event_type = None
        event.confidence = (
            round(1.0 - guess.probability, 2) if guess.probability >= DROP_AT else round(guess.rule_probability, 2)
        )
        return
    event.acled_sub_event_type = guess.sub_type
    event.acled_event_type = acled_event_type(guess.sub_type)
    plover_type, mode = ACLED_TO_PLOVER[guess.sub_type]
    if plover_type != event.type:
        event.type, event.mode, event.cameo = plover_type, mode, DEFAULT_CAMEO[plover_type]
    elif mode is not None:
        event.mode = mode
    event.confidence = round(guess.probability, 2)


#: PLOVER types that are said, not done: ACLED codes none of them, and a lead the rules read as
#: one of these is not a lead with an ACLED event the rules missed
SPOKEN_TYPES = frozenset({"ACCUSE", "REJECT", "REQUEST", "THREATEN", "CONSULT", "SUPPORT", "CONCEDE"})


def lead_may_hold_a_missed_event(events: list[Event], lead: Span, field_name: str) -> bool:
    """False where the rules read the lead and found only words, a denial or a hypothetical:
    "threatened to attack ships" must not become an attack."""
    for event in events:
        inside = event.field == field_name and event.start < lead.end_char and event.end > lead.start_char
        if inside and (not event.is_fact or event.type in SPOKEN_TYPES):
            return False
    return True


def lead_sentences(title: Doc, body: Doc, limit: int) -> Span | None:
    """The headline, or without one the body's first sentences up to `limit` characters."""
    if title.text.strip():
        return title[:]
    sentences = list(body.sents)
    if not sentences:
        return None
    first = last = sentences[0]
    for sentence in sentences[1:]:
        if sentence.end_char - first.start_char > limit:
            break
        last = sentence
    return body[first.start : last.end]
