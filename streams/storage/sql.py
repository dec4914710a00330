"""The storage port and the SQL both adapters share; each adapter supplies its driver and dialect.

Delivery protocol for one batch (both adapters):
  1. open one transaction;
  2. upsert each article row by id (a redelivered article overwrites itself);
  3. delete that article's entity and event rows, insert the new ones (replaces, never duplicates);
  4. insert alerts by id, ignoring ids already stored;
  5. commit — only then may the caller commit the Kafka offsets of the batch.

Reading articles back (`iter_articles`, `count_articles`) filters and orders on one "replay time" per row:
  - the `published` text as stored; where it is NULL or empty (publication time unknown), `ingested_at`
    (epoch ms) as UTC ISO-8601 text to the second, `YYYY-MM-DDTHH:MM:SS+00:00`;
  - compared as text, byte by byte on both databases: since <= replay time < until. ISO-8601 text in one
    offset sorts chronologically and a shorter bound is a prefix ("2025-10-29" <= every time that day <
    "2025-10-30"), but a `published` written in another offset ("…+05:00") compares by its own text, not
    by the instant it names, and a value that is not ISO-8601 at all sorts wherever its characters put it;
  - rows come in (replay time, id) order, one short read per page: each page starts after the last
    (replay time, id) seen (keyset pagination), so memory holds one page, nothing is read twice, and a row
    written during the read is seen only if it sorts after the cursor.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Protocol

from streams.core.models import Alert, Article, EnrichedArticle, now_millis
from streams.storage.queries import EventFilter, Page, QueryReads
from streams.storage.reads import NamedReads, StoredEvent
from streams.storage.rows import (
    ALERT_COLUMNS,
    ARTICLE_COLUMNS,
    ENTITY_COLUMNS,
    EVENT_COLUMNS,
    STORED_ARTICLE_COLUMNS,
    alert_row,
    article_from_row,
    article_row,
    entity_rows,
    event_rows,
)


class Storage(Protocol):
    """The storage port: idempotent batch writes and a few read-backs."""

    def write_articles(self, articles: Sequence[EnrichedArticle]) -> int: ...

    def write_alerts(self, alerts: Sequence[Alert]) -> int: ...

    def counts(self) -> dict[str, int]: ...

    def iter_articles(
        self, *, since: str | None = None, until: str | None = None, sources: Sequence[str] = (), batch: int = 500
    ) -> Iterator[Article]: ...

    def count_articles(
        self, *, since: str | None = None, until: str | None = None, sources: Sequence[str] = ()
    ) -> int: ...

    # the named reads (streams/storage/reads.py)
    def stored_ids(self) -> set[str]: ...

    def top_entities(self, limit: int = 15) -> list[tuple[str, str, str | None, int]]: ...

    def events_that_happened(self) -> list[tuple[str, str | None, int, int]]: ...

    def primary_events(self) -> list[tuple[str | None, list[str]]]: ...

    def article_with_most_events(self) -> str | None: ...

    def article_title(self, article_id: str) -> str | None: ...

    def article_author(self, article_id: str) -> str | None: ...

    def article_entities(self, article_id: str) -> list[tuple[str, str, str | None, int]]: ...

    def article_events(self, article_id: str) -> list[StoredEvent]: ...

    def alerts_in_order(self) -> list[tuple[str, str, str]]: ...

    def store_latencies_ms(self, stored_since_ms: int | None = None) -> list[float]: ...

    # the query API's reads (streams/storage/queries.py)
    def ping(self) -> None: ...

    def events_page(self, where: EventFilter, *, limit: int = 50, cursor: str | None = None) -> Page: ...

    def article_detail(self, article_id: str) -> dict[str, Any] | None: ...

    def stories_page(
        self,
        *,
        country: str | None = None,
        seen_from_ms: int | None = None,
        seen_to_ms: int | None = None,
        limit: int = 50,
        cursor: str | None = None,
    ) -> Page: ...

    def story_detail(self, story_id: str) -> dict[str, Any] | None: ...

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
    ) -> Page: ...

    def event_counts(
        self, *, day_from: str, day_to: str, countries: Sequence[str] = (), types: Sequence[str] = ()
    ) -> list[dict[str, Any]]: ...

    def connection_lost(self) -> bool:
        """True when the connection cannot be used again (the server went away): reopen it."""
        ...

    def close(self) -> None: ...


def _insert(table: str, columns: Sequence[str], mark: str) -> str:
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join([mark] * len(columns))})"  # noqa: S608 - fixed names


def upsert_article_sql(mark: str) -> str:
    updates = ", ".join(f"{c} = excluded.{c}" for c in ARTICLE_COLUMNS if c != "id")
    return f"{_insert('articles', ARTICLE_COLUMNS, mark)} ON CONFLICT (id) DO UPDATE SET {updates}"


def insert_entity_sql(mark: str) -> str:
    return _insert("entities", ENTITY_COLUMNS, mark)


def insert_event_sql(mark: str) -> str:
    return _insert("events", EVENT_COLUMNS, mark)


def insert_alert_sql(mark: str) -> str:
    return f"{_insert('alerts', ALERT_COLUMNS, mark)} ON CONFLICT (id) DO NOTHING"


def replay_time_sql(ingested_iso: str, collation: str) -> str:
    """The replay time of a row (see the module docstring), as text compared byte by byte."""
    return f"COALESCE(NULLIF(published, ''), {ingested_iso}){collation}"


def article_filter_sql(
    mark: str, time_sql: str, *, since: str | None, until: str | None, sources: Sequence[str]
) -> tuple[list[str], list[object]]:
    """The conditions (to be joined with AND) and their parameters for a time range and a set of sources."""
    conditions: list[str] = []
    params: list[object] = []
    if since is not None:
        conditions.append(f"{time_sql} >= {mark}")
        params.append(since)
    if until is not None:
        conditions.append(f"{time_sql} < {mark}")
        params.append(until)
    # a bare string is one source, not a sequence of one-letter sources
    wanted = [sources] if isinstance(sources, str) else list(dict.fromkeys(sources))
    if wanted:
        conditions.append(f"source IN ({', '.join([mark] * len(wanted))})")
        params.extend(wanted)
    return conditions, params


def _where(conditions: Sequence[str]) -> str:
    return f" WHERE {' AND '.join(conditions)}" if conditions else ""


class SqlStorage(NamedReads, QueryReads):
    """The shared implementation over a DB-API connection; subclasses open it and pick the dialect."""

    mark = "?"
    bool_type = "INTEGER"
    real_type = "REAL"
    # ingested_at (epoch ms) as ISO-8601 UTC text to the second, the shape of a `published` value
    ingested_iso = "strftime('%Y-%m-%dT%H:%M:%S+00:00', ingested_at / 1000, 'unixepoch')"
    # appended to text compared or sorted on, so both databases order ISO strings and ids byte by byte
    collation = ""

    def __init__(self, connection: Any) -> None:
        self._conn = connection
        self._upsert_article = upsert_article_sql(self.mark)
        self._insert_entity = insert_entity_sql(self.mark)
        self._insert_event = insert_event_sql(self.mark)
        self._insert_alert = insert_alert_sql(self.mark)
        self._delete_children = [
            f"DELETE FROM {table} WHERE article_id = {self.mark}"  # noqa: S608 - fixed names
            for table in ("entities", "events")
        ]
        self._upgrade_tables()

    def _upgrade_tables(self) -> None:
        """Bring the tables to the newest schema revision (streams/storage/migrate.py)."""
        raise NotImplementedError

    def _transaction(self) -> Any:
        raise NotImplementedError

    def write_articles(self, articles: Sequence[EnrichedArticle]) -> int:
        """Upsert a batch in one transaction; returns how many articles were written."""
        if not articles:
            return 0
        stored_at = now_millis()
        with self._transaction() as cursor:
            for article in articles:
                cursor.execute(self._upsert_article, article_row(article, stored_at))
                for statement in self._delete_children:
                    cursor.execute(statement, (article.id,))
                entities, events = entity_rows(article), event_rows(article)
                if entities:
                    cursor.executemany(self._insert_entity, entities)
                if events:
                    cursor.executemany(self._insert_event, events)
        return len(articles)

    def write_alerts(self, alerts: Sequence[Alert]) -> int:
        """Insert alerts by id; an id already stored is left as it is."""
        if not alerts:
            return 0
        with self._transaction() as cursor:
            cursor.executemany(self._insert_alert, [alert_row(a) for a in alerts])
        return len(alerts)

    def counts(self) -> dict[str, int]:
        """Rows per table."""
        return {
            table: int(self._rows(f"SELECT COUNT(*) FROM {table}")[0][0])  # noqa: S608 - fixed names
            for table in ("articles", "entities", "events", "alerts")
        }

    def iter_articles(
        self, *, since: str | None = None, until: str | None = None, sources: Sequence[str] = (), batch: int = 500
    ) -> Iterator[Article]:
        """Stored articles as ingested, in (replay time, id) order, `batch` rows per query (see the module docstring).

        Replay time is `published`, or `ingested_at` as UTC ISO text where published is NULL or empty;
        since <= replay time < until, compared as text; `sources`: any of these sources (empty: all)."""
        if batch < 1:
            raise ValueError(f"batch must be at least 1, not {batch}")
        time_sql = replay_time_sql(self.ingested_iso, self.collation)
        conditions, params = article_filter_sql(self.mark, time_sql, since=since, until=until, sources=sources)
        after_cursor = f"({time_sql} > {self.mark} OR ({time_sql} = {self.mark} AND id{self.collation} > {self.mark}))"
        select = f"SELECT {', '.join(STORED_ARTICLE_COLUMNS)}, {time_sql} FROM articles"  # noqa: S608 - fixed names
        order = f" ORDER BY {time_sql}, id{self.collation} LIMIT {self.mark}"
        first_page = select + _where(conditions) + order
        next_page = select + _where([*conditions, after_cursor]) + order
        rows = self._rows(first_page, [*params, batch])
        while rows:
            yield from (article_from_row(row) for row in rows)
            if len(rows) < batch:
                return
            # the last row's (replay time, id) is the cursor; its replay time is the extra last column
            last_time, last_id = rows[-1][-1], rows[-1][0]
            rows = self._rows(next_page, [*params, last_time, last_time, last_id, batch])

    def count_articles(self, *, since: str | None = None, until: str | None = None, sources: Sequence[str] = ()) -> int:
        """How many articles `iter_articles` yields for the same filters."""
        time_sql = replay_time_sql(self.ingested_iso, self.collation)
        conditions, params = article_filter_sql(self.mark, time_sql, since=since, until=until, sources=sources)
        count = "SELECT COUNT(*) FROM articles" + _where(conditions)  # noqa: S608 - fixed names, values are parameters
        return int(self._rows(count, params)[0][0])

    def _rows(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run one of this adapter's own read queries (written with its parameter mark)."""
        with self._transaction() as cursor:
            cursor.execute(sql, tuple(params))
            return [tuple(row) for row in cursor.fetchall()]

    def _read(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a query API read outside any transaction: on SQLite it takes no write lock, so a web
        server reading never holds up the store stage writing (WAL readers see a committed snapshot)."""
        cursor = self._conn.cursor()
        try:
            cursor.execute(sql, tuple(params))
            return [tuple(row) for row in cursor.fetchall()]
        finally:
            cursor.close()

    def connection_lost(self) -> bool:
        return False  # an embedded database has no connection to lose

    def close(self) -> None:
        self._conn.close()
