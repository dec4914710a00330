"""Casualty counts stated in a sentence: "killing over 200", "23 soldiers embraced martyrdom"."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {
    "zero": 0,
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "dozen": 12,
    "a dozen": 12,
    "single": 1,
    "both": 2,
    "couple": 2,
}
_SCALES = {"hundred": 100, "thousand": 1000, "million": 1_000_000}

_WORD = "|".join(sorted((w for w in _UNITS if w not in {"a", "an"}), key=len, reverse=True))
NUMBER = rf"(?:\d{{1,3}}(?:,\d{{3}})+|\d+|(?:{_WORD})(?:[- ](?:{_WORD}))?(?:\s+(?:hundred|thousand|million))?)"
_QUALIFIER = (
    r"(?:at\s+least|more\s+than|over|nearly|almost|about|around|some|up\s+to|as\s+many\s+as|roughly|an\s+estimated)\s+"
)
# up to four words between a number and its verb, none of them another count or another clause
_GAP = (
    r"(?:(?!(?:and|but|while|killed|died|dead|injured|wounded|hurt)\b)"
    rf"(?!{NUMBER}\b)[\w'’-]+,?\s+){{0,4}}?"
)
_PASSIVE = (
    r"(?:(?:were|was|have\s+been|had\s+been|has\s+been|are|being)\s+)?(?:(?:reportedly|reported|confirmed|also)\s+)?"
)

_ONE_PERSON = (
    "man|woman|boy|girl|child|baby|soldier|civilian|farmer|herder|policeman|policewoman|officer|journalist|teacher|"
    "student|driver|passenger|worker|resident|villager|guard|commander|leader|fighter|militant|husband|wife|son|"
    "daughter|mother|father|brother|sister|person|trader|businessman|doctor|nurse|priest|imam|pastor|chief|official"
)
_ONE_VICTIM_DETERMINERS = frozenset({"the", "his", "her", "their"})
_KILLED_WORDS = r"(?:killed|dead|died|slain|martyred|massacred|executed|shot\s+dead|lost\s+their\s+lives|perished)"
FATALITY_PATTERNS = [
    re.compile(
        rf"\b(?:kill(?:ing|ed|s)?|leaving|left)\s+(?:{_QUALIFIER})?(?P<n>{NUMBER})\b(?!\s*(?:%|percent|km|kilomet))",
        re.I,
    ),
    re.compile(rf"(?<!no\s)\b(?:{_QUALIFIER})?(?P<n>{NUMBER})\s+{_GAP}{_PASSIVE}{_KILLED_WORDS}\b", re.I),
    re.compile(rf"\b(?:{_QUALIFIER})?(?P<n>{NUMBER})\s+{_GAP}embraced\s+martyrdom\b", re.I),
    re.compile(rf"\bdeath\s+toll\s+(?:\w+\s+){{0,5}}?(?:{_QUALIFIER})?(?P<n>{NUMBER})\b", re.I),
    re.compile(
        rf"\bdeath\s+toll\b[^.;]{{0,160}}?\b(?:to|at|of|reached|hit)\s+(?:{_QUALIFIER})?(?P<n>{NUMBER})\b", re.I
    ),
    re.compile(
        rf"\b(?:shooting|shot|gunning|gunned|stabbing|stabbed|beating|beat)\s+(?:dead|to\s+death)\s+(?P<n>{NUMBER})\b",
        re.I,
    ),
    re.compile(
        r"\b(?P<n>an?|one)\s+(?:[\w'’-]+\s+){0,3}?(?:was|has\s+been|had\s+been)\s+(?:shot\s+dead|killed|slain)\b", re.I
    ),
    re.compile(
        rf"\b(?:{_QUALIFIER})?(?P<n>{NUMBER})\s+(?:people\s+|civilians\s+)?(?:fatalit(?:y|ies)|deaths?|dead)\b", re.I
    ),
    # "14 soldiers and an unknown number of militants were killed": the known count
    re.compile(
        rf"\b(?:{_QUALIFIER})?(?P<n>{NUMBER})\s+(?:[\w'’-]+\s+){{0,3}}?and\s+an?\s+(?:unknown|undetermined|unspecified)"
        rf"\s+number\s+of\s+(?:[\w'’-]+\s+){{0,2}}?{_PASSIVE}{_KILLED_WORDS}\b",
        re.I,
    ),
    # one victim named by role: "killing the farmer driving it", "killed her husband"
    re.compile(
        r"\bkill(?:ing|ed|s)\s+(?P<n>a|an|the|his|her|their|one)\s+(?:[\w-]+\s+)?"
        rf"(?:{_ONE_PERSON})\b(?!\s+and\b)",
        re.I,
    ),
    re.compile(rf"\bclaimed\s+(?:the\s+lives\s+of\s+)?(?:{_QUALIFIER})?(?P<n>{NUMBER})\s+lives\b", re.I),
]
INJURY_PATTERNS = [
    re.compile(rf"\b(?:injur(?:ing|ed)|wound(?:ing|ed))\s+(?:{_QUALIFIER})?(?P<n>{NUMBER})\b", re.I),
    re.compile(
        rf"(?<!no\s)\b(?:{_QUALIFIER})?(?P<n>{NUMBER})\s+{_GAP}{_PASSIVE}(?:injured|wounded|hurt|hospitali[sz]ed)\b",
        re.I,
    ),
    re.compile(rf"\b(?:{_QUALIFIER})?(?P<n>{NUMBER})\s+(?:people\s+)?(?:injuries|casualties\s+injured)\b", re.I),
]

_NO_DEATHS = re.compile(
    r"\b(?:no\s+(?:fatalities|deaths|casualties|one\s+(?:was\s+)?(?:killed|hurt|injured)|injuries|one\s+died)"
    r"|without\s+(?:casualties|fatalities)|caus(?:ed|ing)\s+no\s+(?:casualties|deaths|injuries))\b",
    re.I,
)


def parse_number(text: str) -> int | None:
    """'200' -> 200, '1,200' -> 1200, 'twenty-three' -> 23, 'two hundred' -> 200."""
    cleaned = text.strip().casefold().replace(",", "")
    if cleaned.isdigit():
        return int(cleaned)
    total, current = 0, 0
    for word in re.split(r"[\s-]+", cleaned):
        if word in _UNITS:
            current += _UNITS[word]
        elif word in _SCALES:
            current = max(current, 1) * _SCALES[word]
            if _SCALES[word] >= 1000:
                total, current = total + current, 0
        elif word in {"and"}:
            continue
        else:
            return None
    return total + current


@dataclass(frozen=True, slots=True)
class Casualties:
    fatalities: int | None
    injured: int | None


def _sum_matches(patterns: list[re.Pattern[str]], sentence: str) -> int | None:
    seen_spans: list[tuple[int, int]] = []
    total: int | None = None
    for pattern in patterns:
        for match in pattern.finditer(sentence):
            span = match.span("n")
            if any(start < span[1] and span[0] < end for start, end in seen_spans):
                continue  # the same number phrased two ways is one count
            word = match.group("n").casefold()
            value = 1 if word in _ONE_VICTIM_DETERMINERS else parse_number(word)
            if value is None or value > 1_000_000:
                continue
            seen_spans.append(span)
            total = (total or 0) + value
    return total


def casualties(sentence: str) -> Casualties:
    """Fatalities and injured stated in one sentence (sums distinct counts; None when unstated)."""
    fatalities = _sum_matches(FATALITY_PATTERNS, sentence)
    if fatalities is None and _NO_DEATHS.search(sentence):
        fatalities = 0
    return Casualties(fatalities=fatalities, injured=_sum_matches(INJURY_PATTERNS, sentence))
