"""Event triggers: the phrases that signal each PLOVER event, with mode, CAMEO root and ACLED sub-type.
The table itself is data (data/triggers.yaml); this module loads it and compiles its patterns.

Patterns use a small notation compiled to spaCy Matcher patterns (see `compile_pattern`):
  word            any inflection of the word (talk, talks, talked, talking), case-insensitive
  a|b             either word
  word?           optional
  ~N              up to N arbitrary tokens
  =word           this exact form only
Spaces separate tokens, so a multi-word alternative is a pattern of its own.
Where a trigger names no ACLED sub-type the event falls outside ACLED's taxonomy (talks, threats…).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from streams.core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class Trigger:
    name: str
    type: str
    patterns: tuple[str, ...]
    mode: str | None = None
    cameo: str | None = None
    acled: str | None = None
    confidence: float = 0.7
    #: refine ACLED sub-type and mode from the sentence's other words (generic violence, protests)
    refine: str | None = None


TRIGGERS_FILE = Path(__file__).resolve().parent / "data" / "triggers.yaml"
_TRIGGER_FIELDS = {f.name for f in fields(Trigger)}


def load_triggers(path: Path = TRIGGERS_FILE) -> tuple[Trigger, ...]:
    """The trigger table, in its order (the first match of a type in a sentence wins); a malformed
    entry fails at load, naming it."""
    from streams.reference.taxonomy import PLOVER_TYPES

    entries = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: expected a list of triggers")
    triggers = []
    for number, entry in enumerate(entries, start=1):
        where = f"{path.name}, trigger {number}"
        if not isinstance(entry, dict) or not {"name", "type", "patterns"} <= set(entry):
            raise ConfigError(f"{where}: needs name, type and patterns")
        unknown = set(entry) - _TRIGGER_FIELDS
        if unknown:
            raise ConfigError(f"{where} ({entry['name']}): unknown field(s) {sorted(unknown)}")
        if entry["type"] not in PLOVER_TYPES:
            raise ConfigError(f"{where} ({entry['name']}): {entry['type']!r} is not a PLOVER type")
        if not isinstance(entry["patterns"], list) or not all(isinstance(p, str) for p in entry["patterns"]):
            raise ConfigError(f"{where} ({entry['name']}): patterns must be a list of strings")
        triggers.append(Trigger(**{**entry, "patterns": tuple(entry["patterns"])}))
    return tuple(triggers)


TRIGGERS: tuple[Trigger, ...] = load_triggers()

_IRREGULAR = {
    "hold": ["held", "holds", "holding"],
    "meet": ["met", "meets", "meeting"],
    "take": ["took", "taken", "takes", "taking"],
    "fight": ["fought", "fights", "fighting"],
    "shoot": ["shot", "shoots", "shooting"],
    "strike": ["struck", "strikes", "striking"],
    "send": ["sent", "sends", "sending"],
    "break": ["broke", "broken", "breaks"],
    "seek": ["sought"],
    "freeze": ["froze", "frozen"],
    "lead": ["led"],
    "bring": ["brought"],
    "blow": ["blew", "blown"],
    "sit-in": ["sit-ins"],
    "ink": ["inked"],
    "cut": ["cuts", "cutting"],
    "put": ["puts", "putting"],
    "fall": ["fell", "fallen"],
    "overrun": ["overran"],
    "retake": ["retook", "retaken"],
    "burn": ["burnt", "burned"],
}


def inflections(word: str) -> set[str]:
    """Regular English inflections of a word (overgeneration is harmless for matching)."""
    forms = {word, word + "s", word + "es", word + "ed", word + "d", word + "ing"}
    if word.endswith("e"):
        forms |= {word[:-1] + "ing", word + "d"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in "aeiou":
        forms |= {word[:-1] + "ies", word[:-1] + "ied"}
    if len(word) >= 3 and word[-1] not in "aeiouwxy" and word[-2] in "aeiou" and word[-3] not in "aeiou":
        forms |= {word + word[-1] + "ed", word + word[-1] + "ing"}
    forms |= set(_IRREGULAR.get(word, []))
    return forms


def compile_pattern(notation: str) -> list[dict[str, Any]]:
    """One pattern in the notation above -> a spaCy Matcher token pattern."""
    tokens: list[dict[str, Any]] = []
    for part in notation.split():
        if part.startswith("~"):
            tokens.append({"OP": f"{{0,{int(part[1:])}}}"})
            continue
        optional = part.endswith("?")
        part = part.rstrip("?")
        forms: set[str] = set()
        for alternative in part.split("|"):
            if alternative.startswith("="):
                forms.add(alternative[1:].lower())
            else:
                forms |= inflections(alternative.lower())
        token: dict[str, Any] = {"LOWER": {"IN": sorted(forms)}}
        if optional:
            token["OP"] = "?"
        tokens.append(token)
    return tokens
