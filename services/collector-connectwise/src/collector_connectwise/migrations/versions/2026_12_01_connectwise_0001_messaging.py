"""The connectwise schema with its outbox and inbox.

Revision ID: connectwise_0001
Revises:
Create Date: 2026-12-01
"""

from __future__ import annotations

from alembic import op

from hub_shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "connectwise_0001"
down_revision = None
branch_labels = None
depends_on = None

SCHEMA = "connectwise"


def upgrade() -> None:
    op.execute(f'CREATE SCHEMA IF NOT EXISTS "{SCHEMA}"')
    create_messaging_tables(SCHEMA)


def downgrade() -> None:
    drop_messaging_tables(SCHEMA)
