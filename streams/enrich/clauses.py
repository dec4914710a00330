"""What a clause says about the event a trigger names: negated ("no agreement was reached"),
not a fact yet ("threatened to strike", "urged X to stop"), or background ("after the attack").
Read off spaCy's dependency tree; pure functions over spans."""

from __future__ import annotations

from collections.abc import Iterable

from spacy.tokens import Span, Token

from streams.enrich.lexicon import Trigger

NEGATION_WORDS = frozenset({"no", "not", "n't", "never", "without", "neither", "nor"})
# verbs that make what they govern not (yet) a fact: "threatened to strike", "urged X to stop attacks"
HYPOTHETICAL_GOVERNORS = frozenset(
    [
        "threaten",
        "warn",
        "vow",
        "plan",
        "intend",
        "prepare",
        "consider",
        "propose",
        "seek",
        "want",
        "hope",
        "urge",
        "demand",
        "ask",
        "press",
        "aim",
        "pledge",
        "promise",
        "expect",
        "fear",
        "may",
        "might",
        "could",
        "would",
        "should",
    ]
)
NEGATING_GOVERNORS = frozenset({"deny", "fail", "refuse", "reject", "dismiss", "refusal", "failure", "unwilling"})
BACKGROUND_WORDS = frozenset({"after", "following", "amid", "since", "despite", "before", "during", "over"})
MODAL_AUX = frozenset({"will", "would", "could", "may", "might", "shall", "should", "can"})


def governors(token: Token) -> Iterable[Token]:
    """The token's ancestors within its sentence, nearest first."""
    current = token
    while current.head.i != current.i:  # spaCy makes a new Token object per access: compare indices
        current = current.head
        yield current


def complement_governors(token: Token) -> Iterable[Token]:
    """Governors whose complement (not whose subject) contains the token: in "talks failed",
    "failed" governs the talks' subject and says nothing about whether talks were held; in
    "failed to reach agreement" it governs the agreement."""
    current = token
    while current.head.i != current.i:
        if current.dep_ in {"nsubj", "nsubjpass", "csubj"}:
            return
        current = current.head
        yield current


def is_negated(span: Span) -> bool:
    """'no agreement was reached', 'did not attack', 'denied carrying out the attack'."""
    root = span.root
    words = [*span, *(child for token in span for child in token.children)]
    if any(t.dep_ == "neg" or t.lower_ in NEGATION_WORDS for t in words):
        return True
    governed = root.head.i != root.i and root.dep_ in {"dobj", "nsubjpass", "attr"}
    if governed and any(t.dep_ == "neg" for t in root.head.children):
        return True
    return any(g.lemma_.lower() in NEGATING_GOVERNORS for g in complement_governors(root))


INTENT_GOVERNORS = frozenset(
    "offer promise pledge agree ready willing prepared commit decide plan intend vow hope expect aim".split()
)
THREAT_GOVERNORS = frozenset("threaten warn vow swear".split())
MATERIAL_COOPERATION = frozenset({"AID", "RETREAT", "COOPERATE", "SUPPORT", "CONCEDE", "CONSULT"})
MATERIAL_CONFLICT = frozenset({"ASSAULT", "COERCE", "SANCTION", "MOBILIZE", "PROTEST"})


def hypothetical_reason(span: Span, trigger: Trigger) -> str | None:
    """Why an event has not happened (yet): 'intent' (will, offered to), 'threat' (threatened to,
    unless), 'request' (urged X to), 'condition' (if), or None for a stated fact."""
    if trigger.type in {"THREATEN", "REQUEST", "REJECT", "AGREE"}:
        return None  # these are the speech acts themselves; "could not agree" is a fact
    root = span.root
    verb = root if root.pos_ in {"VERB", "AUX"} else root.head
    governors = [g.lemma_.lower() for g in complement_governors(root)]
    if any(g in THREAT_GOVERNORS for g in governors) or any(
        c.dep_ in {"mark", "advmod"} and c.lower_ == "unless" for c in verb.subtree
    ):
        return "threat"
    if any(c.dep_ == "mark" and c.lower_ == "if" for c in verb.children):
        return "condition"
    if any(g in INTENT_GOVERNORS for g in governors):
        return "intent"
    has_modal = any(c.dep_ == "aux" and c.lower_ in MODAL_AUX for c in verb.children)
    if has_modal and not any(c.dep_ == "neg" for c in verb.children):
        return "intent"
    if any(g in HYPOTHETICAL_GOVERNORS for g in governors):
        return "request"
    return None


def prominence(span: Span) -> float:
    """How central the trigger is to its sentence: the main verb or its complement is what the
    sentence reports; a phrase after "after", "amid" or "following" is background."""
    root = span.root
    depth = sum(1 for _ in governors(root))
    if any(g.lower_ in BACKGROUND_WORDS for g in governors(root)) or any(
        t.lower_ in BACKGROUND_WORDS for t in span.doc[max(span.sent.start, span.start - 2) : span.start]
    ):
        return -0.2
    return 0.15 if depth <= 1 else (0.05 if depth == 2 else -0.05)
