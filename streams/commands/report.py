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

    spotlight = storage.query(
        "SELECT a.id, a.title FROM articles a JOIN events e ON e.article_id = a.id "
        "GROUP BY a.id, a.title ORDER BY COUNT(*) DESC, a.id LIMIT 1"
    )
    if spotlight:
        print_article(storage, spotlight[0][0], echo)

    echo("\nalerts:")
    for rule, severity, title in storage.query("SELECT rule, severity, title FROM alerts ORDER BY created_at, rule"):
        echo(f"  [{severity:8}] {rule:32} {title[:80]}")


def print_article(storage: Storage, article_id: str, echo: Callable[[str], None]) -> None:
    """One article's entities and events, as stored."""
    mark = "%s" if type(storage).__name__ == "PostgresStorage" else "?"
    title = storage.query(f"SELECT title FROM articles WHERE id = {mark}", (article_id,))  # noqa: S608 - fixed mark
    echo(f"\na closer look at the article with the most events: {title[0][0] if title else article_id}")
    entities = storage.query(
        f"SELECT canonical, label, country, mentions FROM entities WHERE article_id = {mark} "  # noqa: S608
        "AND label NOT IN ('DATE', 'TIME') ORDER BY position",
        (article_id,),
    )
    echo(
        "  entities: "
        + "; ".join(
            f"{name} ({label}{', ' + country if country else ''}, x{len(json.loads(mentions))})"
            for name, label, country, mentions in entities
        )
    )
    columns = (
        "type, mode, acled_event_type, acled_sub_event_type, actor, target, location, country, event_date, "
        "fatalities, negated, hypothetical, sentence"
    )
    events = storage.query(
        f"SELECT {columns} FROM events WHERE article_id = {mark} ORDER BY position",  # noqa: S608 - fixed text
        (article_id,),
    )
    echo("  events (most salient first):")
    for kind, mode, acled, sub, actor, target, location, country, day, dead, negated, hypothetical, sentence in events[
        :12
    ]:
        flags = " NEGATED" if negated else (" HYPOTHETICAL" if hypothetical else "")
        acled_text = f" [{acled} / {sub}]" if acled else ""
        deaths = f" killed={dead}" if dead is not None else ""
        echo(
            f"    {kind}{'/' + mode if mode else ''}{acled_text}{flags}: {actor or '?'} -> {target or '?'} "
            f"at {location or '?'} ({country or '--'}) on {day or '?'}{deaths}"
        )
        echo(f"        “{sentence[:150]}”")
    if len(events) > 12:
        echo(f"    … and {len(events) - 12} more")
