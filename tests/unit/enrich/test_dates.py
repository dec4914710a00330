from datetime import date

import pytest

from streams.enrich.dates import parse_published, resolve_date

WEDNESDAY = date(2025, 10, 29)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on Monday", date(2025, 10, 27)),
        ("Wednesday", WEDNESDAY),
        ("last Wednesday", date(2025, 10, 22)),
        ("October 19", date(2025, 10, 19)),
        ("Oct. 12", date(2025, 10, 12)),
        ("19 October 2024", date(2024, 10, 19)),
        ("yesterday", date(2025, 10, 28)),
        ("2025-09-01", date(2025, 9, 1)),
        ("the third day", None),
    ],
)
def test_dates_resolve_against_publication(text: str, expected: date | None):
    """News-style: bare weekdays and months mean the most recent one at publication."""
    assert resolve_date(text, WEDNESDAY) == expected


def test_december_in_a_january_article_is_last_year():
    """A month far in the future of the publication date belongs to the previous year."""
    assert resolve_date("December 30", date(2026, 1, 3)) == date(2025, 12, 30)


def test_published_parsing():
    """ISO-8601 with zone or Z, and None for junk."""
    assert parse_published("2025-10-29T12:00:00Z") == WEDNESDAY
    assert parse_published("not a date") is None
