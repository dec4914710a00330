"""Resolves date expressions ("on Monday", "October 19", "yesterday") against the publication date."""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta

_MONTHS = {
    name: number
    for number, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        start=1,
    )
    for name in names
}
_WEEKDAYS = {
    name: index
    for index, name in enumerate(["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"])
}
_MONTH = "|".join(sorted(_MONTHS, key=len, reverse=True))
_ISO = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
_MONTH_DAY = re.compile(rf"\b({_MONTH})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b", re.I)
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_MONTH})\.?(?:,?\s+(\d{{4}}))?\b", re.I)
_WEEKDAY = re.compile(r"\b(last\s+|next\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b", re.I)
_RELATIVE = {"today": 0, "tonight": 0, "yesterday": -1, "tomorrow": 1}
_RELATIVE_RE = re.compile(r"\b(today|tonight|yesterday|tomorrow)\b", re.I)


def parse_published(value: str | None) -> date | None:
    """The date part of an ISO-8601 publication time, or None."""
    if not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    except ValueError:
        match = _ISO.search(value)
        return date(int(match[1]), int(match[2]), int(match[3])) if match else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def resolve_date(text: str, reference: date | None) -> date | None:
    """The calendar date a DATE mention means, news-style: bare weekdays and months are in the past."""
    if match := _ISO.search(text):
        return _safe_date(int(match[1]), int(match[2]), int(match[3]))
    for pattern, month_group, day_group in ((_MONTH_DAY, 1, 2), (_DAY_MONTH, 2, 1)):
        if match := pattern.search(text):
            month = _MONTHS[match[month_group].casefold()]
            day = int(match[day_group])
            if match[3]:
                return _safe_date(int(match[3]), month, day)
            if reference is None:
                return None
            candidate = _safe_date(reference.year, month, day)
            # "December 30" in a January article is last year's
            if candidate and candidate > reference + timedelta(days=31):
                candidate = _safe_date(reference.year - 1, month, day)
            return candidate
    if reference is None:
        return None
    if match := _RELATIVE_RE.search(text):
        return reference + timedelta(days=_RELATIVE[match[1].casefold()])
    if match := _WEEKDAY.search(text):
        weekday = _WEEKDAYS[match[2].casefold()]
        if (match[1] or "").strip().casefold() == "next":
            return reference + timedelta(days=(weekday - reference.weekday()) % 7 or 7)
        back = (reference.weekday() - weekday) % 7
        if (match[1] or "").strip().casefold() == "last" and back == 0:
            back = 7
        return reference - timedelta(days=back)
    return None
