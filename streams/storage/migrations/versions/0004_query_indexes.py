"""Indexes for the query API (`newsstream web`): newest-first pages and the filters it offers.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_INDEXES = (
    # events and stories are listed newest first by the time their article arrived
    "CREATE INDEX IF NOT EXISTS articles_ingested ON articles (ingested_at, id)",
    "CREATE INDEX IF NOT EXISTS events_country ON events (country)",
    "CREATE INDEX IF NOT EXISTS events_sub_type ON events (acled_sub_event_type)",
    "CREATE INDEX IF NOT EXISTS events_date ON events (event_date)",
    "CREATE INDEX IF NOT EXISTS entities_canonical ON entities (canonical)",
    "CREATE INDEX IF NOT EXISTS alerts_created ON alerts (created_at, id)",
)


def upgrade() -> None:
    for statement in _INDEXES:
        op.execute(statement)
