"""A human-readable summary of what storage holds (used by `newsstream report` and the demo)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from streams.storage import Storage


def print_report(storage: Storage, where: str, echo: Callable[[str], None]) -> None:
    """Counts, the most mentioned entities, events by type, and every alert."""
    counts = storage.counts()
    echo(f"\nstorage: {where}")
    echo("  " + ", ".join(f"{table}: {count}" for table, count in counts.items()))

    echo("\nmost mentioned entities (canonical, label, country):")
    for canonical, label, country, articles in storage.top_entities(15):
        echo(f"  {canonical:40} {label:7} {country or '--':3} in {articles} article(s)")

    echo("\nevents that happened, by PLOVER type (ACLED sub-type):")
    for event_type, sub_type, count, deaths in storage.events_that_happened():
        echo(f"  {event_type:9} {sub_type or '-':38} {count:4}  reported killed: {deaths}")

    echo("\nprimary event and countries per article:")
    primary: Counter[str] = Counter()
    for headline, countries in storage.primary_events():
        primary[f"{headline or 'none'} {','.join(countries[:2]) or '--'}"] += 1
    for key, count in primary.most_common(12):
        echo(f"  {key:24} {count}")

    spotlight = storage.article_with_most_events()
    if spotlight:
        print_article(storage, spotlight, echo)

    echo("\nalerts:")
    for rule, severity, title in storage.alerts_in_order():
        echo(f"  [{severity:8}] {rule:32} {title[:80]}")


def print_article(storage: Storage, article_id: str, echo: Callable[[str], None]) -> None:
    """One article's entities and events, as stored."""
    title = storage.article_title(article_id)
    echo(f"\na closer look at the article with the most events: {title or article_id}")
    author = storage.article_author(article_id)
    if author:
        echo(f"  by {author}")
    entities = storage.article_entities(article_id)
    echo(
        "  entities: "
        + "; ".join(
            f"{name} ({label}{', ' + country if country else ''}, x{mentions})"
            for name, label, country, mentions in entities
        )
    )
    events = storage.article_events(article_id)
    echo("  events (most salient first):")
    for event in events[:12]:
        flags = " NEGATED" if event.negated else (" HYPOTHETICAL" if event.hypothetical else "")
        acled_text = f" [{event.acled_event_type} / {event.acled_sub_event_type}]" if event.acled_event_type else ""
        deaths = f" killed={event.fatalities}" if event.fatalities is not None else ""
        echo(
            f"    {event.type}{'/' + event.mode if event.mode else ''}{acled_text}{flags}: {event.actor or '?'} -> "
            f"{event.target or '?'} at {event.location or '?'} ({event.country or '--'}) on {event.event_date or '?'}"
            f"{deaths}"
        )
        echo(f"        “{event.sentence[:150]}”")
    if len(events) > 12:
        echo(f"    … and {len(events) - 12} more")
