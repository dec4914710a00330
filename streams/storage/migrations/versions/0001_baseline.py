"""The tables as newsstream 0.1 created them (articles, entities, events, alerts).

A database written before migrations existed already has them: every statement is IF NOT EXISTS,
so upgrading it only records this revision.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    real = "DOUBLE PRECISION" if postgres else "REAL"
    boolean = "BOOLEAN" if postgres else "INTEGER"
    for statement in (
        """CREATE TABLE IF NOT EXISTS articles (
            id TEXT PRIMARY KEY, url TEXT, source TEXT, title TEXT NOT NULL, body TEXT NOT NULL,
            published TEXT, language TEXT, ingested_at BIGINT NOT NULL, stored_at BIGINT NOT NULL,
            countries TEXT NOT NULL, primary_event TEXT, story_id TEXT NOT NULL, pipeline_version TEXT NOT NULL)""",
        f"""CREATE TABLE IF NOT EXISTS entities (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
            text TEXT NOT NULL, label TEXT NOT NULL, canonical TEXT NOT NULL, country TEXT,
            lat {real}, lon {real}, mentions TEXT NOT NULL, PRIMARY KEY (article_id, position))""",
        f"""CREATE TABLE IF NOT EXISTS events (
            article_id TEXT NOT NULL REFERENCES articles(id) ON DELETE CASCADE, position INTEGER NOT NULL,
            type TEXT NOT NULL, mode TEXT, cameo TEXT, acled_event_type TEXT, acled_sub_event_type TEXT,
            sentence TEXT NOT NULL, field TEXT NOT NULL, start_char INTEGER NOT NULL, end_char INTEGER NOT NULL,
            actor TEXT, target TEXT, location TEXT, country TEXT, lat {real}, lon {real},
            event_date TEXT, fatalities INTEGER, injured INTEGER, negated {boolean} NOT NULL,
            hypothetical {boolean} NOT NULL, confidence {real} NOT NULL, PRIMARY KEY (article_id, position))""",
        """CREATE TABLE IF NOT EXISTS alerts (
            id TEXT PRIMARY KEY, rule TEXT NOT NULL, severity TEXT NOT NULL, kind TEXT NOT NULL, title TEXT NOT NULL,
            summary TEXT NOT NULL, article_ids TEXT NOT NULL, story_id TEXT NOT NULL, event_types TEXT NOT NULL,
            countries TEXT NOT NULL, created_at BIGINT NOT NULL)""",
        "CREATE INDEX IF NOT EXISTS events_type_country ON events (type, country)",
        "CREATE INDEX IF NOT EXISTS articles_story ON articles (story_id)",
        "CREATE INDEX IF NOT EXISTS alerts_story ON alerts (story_id)",
    ):
        op.execute(statement)
