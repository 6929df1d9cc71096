"""Sessions remember when they were last used, for the idle timeout (``SESSION_IDLE_MINUTES``).

Revision ID: gateway_0005
Revises: gateway_0004
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "gateway_0005"
down_revision = "gateway_0004"
branch_labels = None
depends_on = None

SCHEMA = "gateway"


def upgrade() -> None:
    op.add_column("auth_sessions", sa.Column("last_seen_at", sa.DateTime(timezone=True)), schema=SCHEMA)
    op.execute(f"UPDATE {SCHEMA}.auth_sessions SET last_seen_at = created_at")
    op.alter_column("auth_sessions", "last_seen_at", nullable=False, schema=SCHEMA)


def downgrade() -> None:
    op.drop_column("auth_sessions", "last_seen_at", schema=SCHEMA)
