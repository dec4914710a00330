"""The reads the query API serves (`newsstream web`): filtered pages of events, stories and alerts,
newest first, one article in full, and daily counts for charts.

Pages are keyset-paginated: each page asks for one row more than it returns, and the last row's
sort key becomes the opaque `next` cursor, so a page costs the same however deep it is and a row
written meanwhile never shifts the pages already read. Every value reaches the database as a
parameter; only fixed column names and the adapter's parameter mark are written into the text.

A story is the set of articles that share a `story_id` (the alerting stage assigns it); its toll
is the highest number killed any of its events reports, negated and hypothetical ones left out.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

#: most rows one page may hold
MAX_PAGE = 200

EVENT_FIELDS = (
    "article_id",
    "position",
    "type",
    "mode",
    "cameo",
    "acled_event_type",
    "acled_sub_event_type",
    "sentence",
    "field",
    "start_char",
    "end_char",
    "actor",
    "actor_country",
    "actor_sector",
    "target",
    "target_country",
    "target_sector",
    "location",
    "country",
    "lat",
    "lon",
    "event_date",
    "fatalities",
    "injured",
    "negated",
    "hypothetical",
    "confidence",
)
#: the article columns an event in a list carries, so a client can show it without a second request
EVENT_ARTICLE_FIELDS = ("title", "source", "url", "published", "ingested_at", "story_id")
ARTICLE_FIELDS = (
    "id",
    "url",
    "source",
    "author",
    "title",
    "body",
    "published",
    "language",
    "ingested_at",
    "stored_at",
    "countries",
    "primary_event",
    "story_id",
    "pipeline_version",
)
ENTITY_FIELDS = ("text", "label", "canonical", "country", "lat", "lon", "mentions")
ALERT_FIELDS = (
    "id",
    "rule",
    "severity",
    "kind",
    "title",
    "summary",
    "article_ids",
    "story_id",
    "event_types",
    "countries",
    "created_at",
)
STORY_ARTICLE_FIELDS = ("id", "title", "source", "url", "published", "ingested_at", "primary_event", "countries")


class BadCursor(ValueError):
    """A `cursor` that no page of this kind handed out."""


def encode_cursor(kind: str, key: Sequence[object]) -> str:
    """The opaque `next` value for a page of `kind` ending at sort key `key`."""
    return base64.urlsafe_b64encode(json.dumps([kind, *key]).encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(kind: str, cursor: str, types: Sequence[type]) -> tuple[Any, ...]:
    """The sort key in `cursor`, checked against the page kind and the key's types."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (binascii.Error, ValueError, UnicodeError):
        raise BadCursor("cursor is not one this API handed out: pass the `next` value back unchanged") from None
    if not isinstance(values, list) or len(values) != len(types) + 1 or values[0] != kind:
        raise BadCursor(f"cursor does not belong to a page of {kind}: pass the `next` value back unchanged")
    key = values[1:]
    # bool is an int to isinstance, but never a valid sort key here
    if any(isinstance(v, bool) or not isinstance(v, t) for v, t in zip(key, types, strict=True)):
        raise BadCursor("cursor is damaged: pass the `next` value back unchanged")
    return tuple(key)


@dataclass(frozen=True, slots=True)
class EventFilter:
    """What `GET /api/v1/events` narrows by; every field left at its default matches everything."""

    event_date_from: str | None = None  # ISO date, inclusive
    event_date_to: str | None = None  # ISO date, inclusive
    ingested_from_ms: int | None = None  # inclusive
    ingested_to_ms: int | None = None  # exclusive
    countries: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    acled_event_types: tuple[str, ...] = ()
    acled_sub_event_types: tuple[str, ...] = ()
    entity: str | None = None  # canonical name of an entity the article names, case-insensitive
    min_fatalities: int | None = None
    words: tuple[str, ...] = ()  # every one must appear in the evidence sentence, case-insensitive
    include_unreal: bool = False  # negated and hypothetical events too


@dataclass(frozen=True, slots=True)
class Page:
    """Rows of one page and the cursor of the next (None on the last page)."""

    items: list[dict[str, Any]]
    next: str | None


def _like_pattern(word: str) -> str:
    escaped = word.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _in(column: str, values: Sequence[object], mark: str) -> tuple[str, list[object]]:
    return f"{column} IN ({', '.join([mark] * len(values))})", list(values)


def event_conditions(where: EventFilter, mark: str) -> tuple[list[str], list[object]]:
    """SQL conditions over `events e JOIN articles a` for a filter, and their parameters."""
    conditions: list[str] = []
    params: list[object] = []

    def add(condition: str, *values: object) -> None:
        conditions.append(condition)
        params.extend(values)

    if not where.include_unreal:
        add(f"e.negated = {mark} AND e.hypothetical = {mark}", False, False)
    if where.event_date_from is not None:
        add(f"e.event_date >= {mark}", where.event_date_from)
    if where.event_date_to is not None:
        # an event date may carry a time after the day: everything before the next day's text
        add(f"substr(e.event_date, 1, 10) <= {mark}", where.event_date_to)
    if where.ingested_from_ms is not None:
        add(f"a.ingested_at >= {mark}", where.ingested_from_ms)
    if where.ingested_to_ms is not None:
        add(f"a.ingested_at < {mark}", where.ingested_to_ms)
    for column, values in (
        ("e.country", where.countries),
        ("e.type", where.types),
        ("e.acled_event_type", where.acled_event_types),
        ("e.acled_sub_event_type", where.acled_sub_event_types),
    ):
        if values:
            condition, values_list = _in(column, values, mark)
            add(condition, *values_list)
    if where.entity is not None:
        named = "SELECT 1 FROM entities n WHERE n.article_id = e.article_id"
        add(f"EXISTS ({named} AND lower(n.canonical) = lower({mark}))", where.entity)
    if where.min_fatalities is not None:
        add(f"e.fatalities >= {mark}", where.min_fatalities)
    for word in where.words:
        add(f"lower(e.sentence) LIKE {mark} ESCAPE '\\'", _like_pattern(word))
    return conditions, params


def _where(conditions: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


def _loads(value: object) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _event(row: Sequence[Any]) -> dict[str, Any]:
    event = dict(zip(EVENT_FIELDS, row[: len(EVENT_FIELDS)], strict=True))
    event["negated"], event["hypothetical"] = bool(event["negated"]), bool(event["hypothetical"])
    event["start"], event["end"] = event.pop("start_char"), event.pop("end_char")
    event["date"] = event.pop("event_date")
    return event


class QueryReads:
    """Mixed into the SQL adapter: `_read`, `mark`, `collation` and `ingested_iso` come from it."""

    mark: str
    collation: str
    ingested_iso: str

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def ping(self) -> None:
        """Raises unless the database answers a trivial query."""
        self._read("SELECT 1")

    def events_page(self, where: EventFilter, *, limit: int = 50, cursor: str | None = None) -> Page:
        """Events matching `where`, newest article first, then in the article's own order."""
        limit = max(1, min(limit, MAX_PAGE))
        m, c = self.mark, self.collation
        conditions, params = event_conditions(where, m)
        if cursor is not None:
            ingested, article_id, position = decode_cursor("events", cursor, (int, str, int))
            conditions.append(
                f"(a.ingested_at < {m} OR (a.ingested_at = {m} AND (e.article_id{c} < {m}"
                f" OR (e.article_id = {m} AND e.position > {m}))))"
            )
            params.extend([ingested, ingested, article_id, article_id, position])
        columns = ", ".join([*(f"e.{f}" for f in EVENT_FIELDS), *(f"a.{f}" for f in EVENT_ARTICLE_FIELDS)])
        sql = (
            f"SELECT {columns} FROM events e JOIN articles a ON a.id = e.article_id"  # noqa: S608 - fixed names
            f"{_where(conditions)} ORDER BY a.ingested_at DESC, e.article_id{c} DESC, e.position LIMIT {m}"
        )
        rows = self._read(sql, [*params, limit + 1])
        items = []
        for row in rows[:limit]:
            event = _event(row)
            event["article"] = dict(zip(EVENT_ARTICLE_FIELDS, row[len(EVENT_FIELDS) :], strict=True))
            items.append(event)
        following = None
        if len(rows) > limit:
            last = items[-1]
            following = encode_cursor("events", [last["article"]["ingested_at"], last["article_id"], last["position"]])
        return Page(items, following)

    def article_detail(self, article_id: str) -> dict[str, Any] | None:
        """One stored article with its entities (with offsets) and events (with evidence offsets)."""
        m = self.mark
        rows = self._read(f"SELECT {', '.join(ARTICLE_FIELDS)} FROM articles WHERE id = {m}", (article_id,))  # noqa: S608
        if not rows:
            return None
        article = dict(zip(ARTICLE_FIELDS, rows[0], strict=True))
        article["countries"] = _loads(article["countries"])
        entities = self._read(
            f"SELECT {', '.join(ENTITY_FIELDS)} FROM entities WHERE article_id = {m} ORDER BY position",  # noqa: S608
            (article_id,),
        )
        article["entities"] = []
        for row in entities:
            entity = dict(zip(ENTITY_FIELDS, row, strict=True))
            entity["mentions"] = [{"field": f, "start": s, "end": e} for f, s, e in _loads(entity["mentions"])]
            article["entities"].append(entity)
        events = self._read(
            f"SELECT {', '.join(EVENT_FIELDS)} FROM events WHERE article_id = {m} ORDER BY position",  # noqa: S608
            (article_id,),
        )
        article["events"] = [_event(row) for row in events]
        return article

    def stories_page(
        self,
        *,
        country: str | None = None,
        seen_from_ms: int | None = None,
        seen_to_ms: int | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        """Stories, the one with the newest article first: a story is seen from its first article's
        arrival to its last's; `seen_from_ms`/`seen_to_ms` keep the stories seen within the window."""
        limit = max(1, min(limit, MAX_PAGE))
        m, c = self.mark, self.collation
        conditions, params = [], []
        if country is not None:
            # countries is a JSON list of ISO codes; the quotes keep "PK" from matching inside another value
            conditions.append(f"story_id IN (SELECT story_id FROM articles WHERE countries LIKE {m})")  # noqa: S608
            params.append(f'%"{country}"%')
        having, having_params = [], []
        if seen_from_ms is not None:
            having.append(f"MAX(ingested_at) >= {m}")
            having_params.append(seen_from_ms)
        if seen_to_ms is not None:
            having.append(f"MIN(ingested_at) < {m}")
            having_params.append(seen_to_ms)
        if cursor is not None:
            last_seen, story_id = decode_cursor("stories", cursor, (int, str))
            having.append(f"(MAX(ingested_at) < {m} OR (MAX(ingested_at) = {m} AND story_id{c} < {m}))")
            having_params.extend([last_seen, last_seen, story_id])
        sql = (
            "SELECT story_id, MIN(ingested_at), MAX(ingested_at), COUNT(*), COUNT(DISTINCT source) FROM articles"  # noqa: S608
            f"{_where(conditions)} GROUP BY story_id"
            + (f" HAVING {' AND '.join(having)}" if having else "")
            + f" ORDER BY MAX(ingested_at) DESC, story_id{c} DESC LIMIT {m}"
        )
        rows = self._read(sql, [*params, *having_params, limit + 1])
        stories = [
            {
                "story_id": row[0],
                "first_seen": int(row[1]),
                "last_seen": int(row[2]),
                "article_count": int(row[3]),
                "source_count": int(row[4]),
            }
            for row in rows[:limit]
        ]
        self._fill_stories(stories)
        following = None
        if len(rows) > limit:
            following = encode_cursor("stories", [stories[-1]["last_seen"], stories[-1]["story_id"]])
        return Page(stories, following)

    def story_detail(self, story_id: str) -> dict[str, Any] | None:
        """One story's summary and its articles, oldest first."""
        rows = self._read(
            "SELECT story_id, MIN(ingested_at), MAX(ingested_at), COUNT(*), COUNT(DISTINCT source) FROM articles "  # noqa: S608
            f"WHERE story_id = {self.mark} GROUP BY story_id",
            (story_id,),
        )
        if not rows:
            return None
        row = rows[0]
        story = {
            "story_id": row[0],
            "first_seen": int(row[1]),
            "last_seen": int(row[2]),
            "article_count": int(row[3]),
            "source_count": int(row[4]),
        }
        story["articles"] = self._fill_stories([story])[story_id]
        return story

    def _fill_stories(self, stories: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
        """Adds sources, countries, the headline and the highest toll to each story; returns each
        story's articles, oldest first."""
        if not stories:
            return {}
        m = self.mark
        ids = [story["story_id"] for story in stories]
        in_ids, params = _in("story_id", ids, m)
        rows = self._read(
            f"SELECT story_id, {', '.join(STORY_ARTICLE_FIELDS)} FROM articles WHERE {in_ids} "  # noqa: S608
            f"ORDER BY ingested_at, id{self.collation}",
            params,
        )
        articles: dict[str, list[dict[str, Any]]] = {story_id: [] for story_id in ids}
        for row in rows:
            article = dict(zip(STORY_ARTICLE_FIELDS, row[1:], strict=True))
            article["countries"] = _loads(article["countries"])
            articles[row[0]].append(article)
        in_ids, params = _in("a.story_id", ids, m)
        tolls = {
            row[0]: row[1]
            for row in self._read(
                "SELECT a.story_id, MAX(e.fatalities) FROM events e JOIN articles a ON a.id = e.article_id "  # noqa: S608
                f"WHERE {in_ids} AND e.negated = {m} AND e.hypothetical = {m} GROUP BY a.story_id",
                [*params, False, False],
            )
        }
        for story in stories:
            members = articles[story["story_id"]]
            countries: dict[str, int] = {}
            for article in members:
                for code in article["countries"]:
                    countries[code] = countries.get(code, 0) + 1
            story["sources"] = sorted({a["source"] for a in members if a["source"]})
            story["countries"] = sorted(countries, key=lambda code: -countries[code])
            first = members[0] if members else None
            story["headline"] = (
                {"article_id": first["id"], "title": first["title"], "event_type": first["primary_event"]}
                if first
                else None
            )
            toll = tolls.get(story["story_id"])
            story["highest_toll"] = int(toll) if toll is not None else None
        return articles

    def alerts_page(
        self,
        *,
        created_from_ms: int | None = None,
        created_to_ms: int | None = None,
        rules: Sequence[str] = (),
        severities: Sequence[str] = (),
        kinds: Sequence[str] = (),
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page:
        """Alerts, newest first."""
        limit = max(1, min(limit, MAX_PAGE))
        m, c = self.mark, self.collation
        conditions: list[str] = []
        params: list[object] = []
        if created_from_ms is not None:
            conditions.append(f"created_at >= {m}")
            params.append(created_from_ms)
        if created_to_ms is not None:
            conditions.append(f"created_at < {m}")
            params.append(created_to_ms)
        for column, values in (("rule", rules), ("severity", severities), ("kind", kinds)):
            if values:
                condition, values_list = _in(column, values, m)
                conditions.append(condition)
                params.extend(values_list)
        if cursor is not None:
            created, alert_id = decode_cursor("alerts", cursor, (int, str))
            conditions.append(f"(created_at < {m} OR (created_at = {m} AND id{c} < {m}))")
            params.extend([created, created, alert_id])
        sql = (
            f"SELECT {', '.join(ALERT_FIELDS)} FROM alerts{_where(conditions)}"  # noqa: S608 - fixed names
            f" ORDER BY created_at DESC, id{c} DESC LIMIT {m}"
        )
        rows = self._read(sql, [*params, limit + 1])
        alerts = []
        for row in rows[:limit]:
            alert = dict(zip(ALERT_FIELDS, row, strict=True))
            for name in ("article_ids", "event_types", "countries"):
                alert[name] = _loads(alert[name])
            alerts.append(alert)
        following = encode_cursor("alerts", [alerts[-1]["created_at"], alerts[-1]["id"]]) if len(rows) > limit else None
        return Page(alerts, following)

    def event_counts(
        self, *, day_from: str, day_to: str, countries: Sequence[str] = (), types: Sequence[str] = ()
    ) -> list[dict[str, Any]]:
        """Events that happened per day × country × PLOVER type, with their reported killed; the day is
        the event's own date where the text gave one, else the day its article arrived (UTC)."""
        m = self.mark
        day = f"COALESCE(substr(e.event_date, 1, 10), substr({self.ingested_iso}, 1, 10))"
        conditions = [f"e.negated = {m}", f"e.hypothetical = {m}", f"{day} >= {m}", f"{day} <= {m}"]
        params: list[object] = [False, False, day_from, day_to]
        for column, values in (("e.country", countries), ("e.type", types)):
            if values:
                condition, values_list = _in(column, values, m)
                conditions.append(condition)
                params.extend(values_list)
        sql = (
            f"SELECT {day}, e.country, e.type, COUNT(*), SUM(COALESCE(e.fatalities, 0)) "  # noqa: S608 - fixed names
            f"FROM events e JOIN articles a ON a.id = e.article_id{_where(conditions)} "
            "GROUP BY 1, 2, 3 ORDER BY 1, 2, 3"
        )
        return [
            {"day": row[0], "country": row[1], "type": row[2], "events": int(row[3]), "fatalities": int(row[4] or 0)}
            for row in self._read(sql, params)
        ]
