"""The reads `report`, `demo` and the benchmarks need, each by name, so no caller writes SQL."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

ENTITY_LABELS_WORTH_LISTING = ("PERSON", "ORG", "GPE", "LOC", "NORP", "FAC")


@dataclass(frozen=True, slots=True)
class StoredEvent:
    type: str
    mode: str | None
    acled_event_type: str | None
    acled_sub_event_type: str | None
    actor: str | None
    target: str | None
    location: str | None
    country: str | None
    event_date: str | None
    fatalities: int | None
    negated: bool
    hypothetical: bool
    sentence: str


class NamedReads:
    """Mixed into the SQL adapter: `_rows` and `mark` come from it."""

    mark: str

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def stored_ids(self) -> set[str]:
        """Every stored article id."""
        return {row[0] for row in self._rows("SELECT id FROM articles")}

    def top_entities(self, limit: int = 15) -> list[tuple[str, str, str | None, int]]:
        """(canonical, label, country, articles) of the entities named in the most articles."""
        labels = ", ".join(f"'{label}'" for label in ENTITY_LABELS_WORTH_LISTING)
        return [
            (row[0], row[1], row[2], int(row[3]))
            for row in self._rows(
                "SELECT canonical, label, country, COUNT(DISTINCT article_id) FROM entities "  # noqa: S608 - fixed text
                f"WHERE label IN ({labels}) GROUP BY canonical, label, country "
                f"ORDER BY COUNT(DISTINCT article_id) DESC, canonical LIMIT {int(limit)}"
            )
        ]

    def events_that_happened(self) -> list[tuple[str, str | None, int, int]]:
        """(PLOVER type, ACLED sub-type, events, reported killed), neither negated nor hypothetical."""
        sql = (
            "SELECT type, acled_sub_event_type, COUNT(*), SUM(COALESCE(fatalities, 0)) FROM events "  # noqa: S608 - fixed text
            f"WHERE negated = {self.mark} AND hypothetical = {self.mark} "
            "GROUP BY type, acled_sub_event_type ORDER BY COUNT(*) DESC, type"
        )
        return [(row[0], row[1], int(row[2]), int(row[3] or 0)) for row in self._rows(sql, (False, False))]

    def primary_events(self) -> list[tuple[str | None, list[str]]]:
        """(primary event, countries) of every article."""
        return [(row[0], json.loads(row[1])) for row in self._rows("SELECT primary_event, countries FROM articles")]

    def article_with_most_events(self) -> str | None:
        rows = self._rows(
            "SELECT a.id FROM articles a JOIN events e ON e.article_id = a.id "
            "GROUP BY a.id ORDER BY COUNT(*) DESC, a.id LIMIT 1"
        )
        return rows[0][0] if rows else None

    def article_title(self, article_id: str) -> str | None:
        rows = self._rows(f"SELECT title FROM articles WHERE id = {self.mark}", (article_id,))  # noqa: S608
        return rows[0][0] if rows else None

    def article_author(self, article_id: str) -> str | None:
        rows = self._rows(f"SELECT author FROM articles WHERE id = {self.mark}", (article_id,))  # noqa: S608
        return rows[0][0] if rows else None

    def article_entities(self, article_id: str) -> list[tuple[str, str, str | None, int]]:
        """(canonical, label, country, mentions) of one article's entities, dates left out."""
        rows = self._rows(
            f"SELECT canonical, label, country, mentions FROM entities WHERE article_id = {self.mark} "  # noqa: S608
            "AND label NOT IN ('DATE', 'TIME') ORDER BY position",
            (article_id,),
        )
        return [(row[0], row[1], row[2], len(json.loads(row[3]))) for row in rows]

    def article_events(self, article_id: str) -> list[StoredEvent]:
        """One article's events, most salient first."""
        sql = (
            "SELECT type, mode, acled_event_type, acled_sub_event_type, actor, target, location, country, "  # noqa: S608 - fixed text
            f"event_date, fatalities, negated, hypothetical, sentence FROM events WHERE article_id = {self.mark} "
            "ORDER BY position"
        )
        return [
            StoredEvent(
                type=row[0],
                mode=row[1],
                acled_event_type=row[2],
                acled_sub_event_type=row[3],
                actor=row[4],
                target=row[5],
                location=row[6],
                country=row[7],
                event_date=row[8],
                fatalities=row[9],
                negated=bool(row[10]),
                hypothetical=bool(row[11]),
                sentence=row[12],
            )
            for row in self._rows(sql, (article_id,))
        ]

    def alerts_in_order(self) -> list[tuple[str, str, str]]:
        """(rule, severity, title) of every alert, oldest first."""
        return [
            (r[0], r[1], r[2]) for r in self._rows("SELECT rule, severity, title FROM alerts ORDER BY created_at, rule")
        ]

    def store_latencies_ms(self, stored_since_ms: int | None = None) -> list[float]:
        """stored_at - ingested_at of each article (stored at or after `stored_since_ms`)."""
        if stored_since_ms is None:
            return [float(r[0]) for r in self._rows("SELECT stored_at - ingested_at FROM articles")]
        return [
            float(r[0])
            for r in self._rows(
                f"SELECT stored_at - ingested_at FROM articles WHERE stored_at >= {self.mark}",  # noqa: S608
                (stored_since_ms,),
            )
        ]
