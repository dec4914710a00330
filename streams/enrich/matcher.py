"""Finds trigger phrases in a doc. A plain index from first word to patterns, with a small
backtracking match from there: spaCy's Matcher spent most of the coder's time advancing the many
partial states that wildcard gaps ({0,N}) open at every token."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from spacy.tokens import Doc

from streams.enrich.lexicon import TRIGGERS, Trigger, compile_pattern


@dataclass(frozen=True, slots=True)
class _Element:
    words: frozenset[str] | None  # None for a gap
    optional: bool = False
    gap: int = 0


def _elements(notation: str) -> tuple[_Element, ...]:
    elements = []
    for token in compile_pattern(notation):
        if "LOWER" in token:
            elements.append(_Element(frozenset(token["LOWER"]["IN"]), optional=token.get("OP") == "?"))
        else:
            elements.append(_Element(None, gap=int(token["OP"].strip("{}").split(",")[1])))
    return tuple(elements)


def _match(words: list[str], position: int, elements: tuple[_Element, ...], index: int) -> int | None:
    """End position of the shortest match of elements[index:] starting at `position`, or None."""
    if index == len(elements):
        return position
    element = elements[index]
    if element.words is None:
        for skip in range(element.gap + 1):
            if position + skip > len(words):
                break
            end = _match(words, position + skip, elements, index + 1)
            if end is not None:
                return end
        return None
    if position < len(words) and words[position] in element.words:
        end = _match(words, position + 1, elements, index + 1)
        if end is not None:
            return end
    if element.optional:
        return _match(words, position, elements, index + 1)
    return None


class TriggerMatcher:
    """(trigger, start, end) for every trigger pattern matching at any token of a doc."""

    def __init__(self, triggers: tuple[Trigger, ...] = TRIGGERS) -> None:
        self._by_first_word: dict[str, list[tuple[Trigger, tuple[_Element, ...]]]] = defaultdict(list)
        for trigger in triggers:
            for notation in trigger.patterns:
                elements = _elements(notation)
                for word in self._first_words(elements):
                    self._by_first_word[word].append((trigger, elements))

    @staticmethod
    def _first_words(elements: tuple[_Element, ...]) -> set[str]:
        words: set[str] = set()
        for element in elements:
            if element.words is None:
                continue
            words |= element.words
            if not element.optional:
                break
        return words

    def __call__(self, doc: Doc) -> list[tuple[Trigger, int, int]]:
        found: list[tuple[Trigger, int, int]] = []
        for sentence in doc.sents:
            words = [token.lower_ for token in sentence]
            offset = sentence.start
            for position, word in enumerate(words):
                for trigger, elements in self._by_first_word.get(word, ()):
                    end = _match(words, position, elements, 0)
                    if end is not None and end > position:
                        found.append((trigger, offset + position, offset + end))
        return found
