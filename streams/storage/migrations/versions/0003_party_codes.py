"""Events carry the country and sector of their actor and target.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_COLUMNS = ("actor_country", "actor_sector", "target_country", "target_sector")


def upgrade() -> None:
    for column in _COLUMNS:
        op.execute(f"ALTER TABLE events ADD COLUMN {column} TEXT")
