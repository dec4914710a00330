"""A human-readable summary of what storage holds (used by `newsstream report` and the demo)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable

from streams.storage import Storage


def print_report(storage: Storage, where: str, echo: Callable[[str], None]) -> None:
    """Counts, the most mentioned entities, events by type, and every alert."""
    counts = storage.counts()
    echo(f"\nstorage: {where}")
    echo("  " + ", ".join(f"{table}: {count}" for table, count in counts.items()))

    echo("\nmost mentioned entities (canonical, label, country):")
    rows = storage.query(
        "SELECT canonical, label, country, COUNT(DISTINCT article_id) FROM entities "
        "WHERE label IN ('PERSON','ORG','GPE','LOC','NORP','FAC') "
        "GROUP BY canonical, label, country ORDER BY COUNT(DISTINCT article_id) DESC, canonical LIMIT 15"
    )
    for canonical, label, country, articles in rows:
        echo(f"  {canonical:40} {label:7} {country or '--':3} in {articles} article(s)")

    echo("\nevents that happened, by PLOVER type (ACLED sub-type):")
    rows = storage.query(
        "SELECT type, acled_sub_event_type, COUNT(*), SUM(COALESCE(fatalities, 0)) FROM events "
        "WHERE negated = FALSE AND hypothetical = FALSE GROUP BY type, acled_sub_event_type ORDER BY COUNT(*) DESC"
    )
    for event_type, sub_type, count, deaths in rows:
        echo(f"  {event_type:9} {sub_type or '-':38} {count:4}  reported killed: {deaths}")

    echo("\nprimary event and countries per article:")
    primary: Counter[str] = Counter()
    for event_type, countries in storage.query("SELECT primary_event, countries FROM articles"):
        primary[f"{event_type or 'none'} {','.join(json.loads(countries)[:2]) or '--'}"] += 1
    for key, count in primary.most_common(12):
        echo(f"  {key:24} {count}")

    echo("\nalerts:")
    for rule, severity, title in storage.query("SELECT rule, severity, title FROM alerts ORDER BY created_at, rule"):
        echo(f"  [{severity:8}] {rule:32} {title[:80]}")
