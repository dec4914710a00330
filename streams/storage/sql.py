"""The storage port and the SQL both adapters share; each adapter supplies its driver and dialect.

Delivery protocol for one batch (both adapters):
  1. open one transaction;
  2. upsert each article row by id (a redelivered article overwrites itself);
  3. delete that article's entity and event rows, insert the new ones (replaces, never duplicates);
  4. insert alerts by id, ignoring ids already stored;
  5. commit — only then may the caller commit the Kafka offsets of the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from streams.models import Alert, EnrichedArticle, now_millis
from streams.storage.rows import (
    ALERT_COLUMNS,
    ARTICLE_COLUMNS,
    ENTITY_COLUMNS,
    EVENT_COLUMNS,
    alert_row,
    article_row,
    entity_rows,
    event_rows,
)


class Storage(Protocol):
    """The storage port: idempotent batch writes and a few read-backs."""

    def write_articles(self, articles: Sequence[EnrichedArticle]) -> int: ...

    def write_alerts(self, alerts: Sequence[Alert]) -> int: ...

    def counts(self) -> dict[str, int]: ...

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]: ...

    def close(self) -> None: ...


def schema_statements(*, bool_type: str, real_type: str) -> list[str]:
    return [
        """CREATE TABLE IF NOT EXISTS articles (
            id TEXT PRIMARY KEY, url TEXT, source TEXT, title TEXT NOT NULL, body TEXT NOT NULL,
            published TEXT, language TEXT, ingested_at BIGINT NOT NULL, stored_at BIGINT NOT NULL,
            countries TEXT NOT NULL, primary_event TEXT, story_id TEXT NOT NULL, pipeline_version TEXT NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS entities (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
            text TEXT NOT NULL, label TEXT NOT NULL, canonical TEXT NOT NULL, country TEXT,
            lat {real_type}, lon {real_type}, mentions TEXT NOT NULL, PRIMARY KEY (article_id, position))""",
        f"""CREATE TABLE IF NOT EXISTS events (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
            type TEXT NOT NULL, mode TEXT, cameo TEXT, acled_event_type TEXT, acled_sub_event_type TEXT,
            sentence TEXT NOT NULL, field TEXT NOT NULL, start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
            actor TEXT, target TEXT, location TEXT, country TEXT, lat {real_type}, lon {real_type},
            event_date TEXT, fatalities INTEGER, injured INTEGER, negated {bool_type} NOT NULL,
            hypothetical {bool_type} NOT NULL, confidence {real_type} NOT NULL, PRIMARY KEY (article_id, position))""",
        """CREATE TABLE IF NOT EXISTS alerts (
            id TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
            summary TEXT NOT NULL, article_ids TEXT NOT NULL, story_id TEXT NOT NULL, event_types TEXT NOT NULL,
            countries TEXT NOT NULL, created_at BIGINT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS events_type_country ON events (type, country)",
        "CREATE INDEX IF NOT EXISTS articles_story ON articles (story_id)",
        "CREATE INDEX IF NOT EXISTS alerts_story ON alerts (story_id)",
    ]


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


class SqlStorage:
    """The shared implementation over a DB-API connection; subclasses open it and pick the mark."""

    mark = "?"
    bool_type = "INTEGER"
    real_type = "REAL"

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
        with self._transaction() as cursor:
            for statement in schema_statements(bool_type=self.bool_type, real_type=self.real_type):
                cursor.execute(statement)

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
            table: int(self.query(f"SELECT COUNT(*) FROM {table}")[0][0])  # noqa: S608 - fixed names
            for table in ("articles", "entities", "events", "alerts")
        }

    def query(self, sql: str, params: Sequence[object] = ()) -> list[tuple[Any, ...]]:
        """Run a read query (the caller's SQL, written with this adapter's parameter mark)."""
        with self._transaction() as cursor:
            cursor.execute(sql, tuple(params))
            return [tuple(row) for row in cursor.fetchall()]

    def close(self) -> None:
        self._conn.close()
