"""Monthly reactive-ticket snapshots and the published view ``monthly_snapshots_v1``.

Revision ID: connectwise_0002
Revises: connectwise_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "connectwise_0002"
down_revision = "connectwise_0001"
branch_labels = None
depends_on = None

SCHEMA = "connectwise"


def upgrade() -> None:
    op.create_table(
        "monthly_snapshots",
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("window_end", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reactive_tickets_created", sa.Integer(), nullable=False),
        sa.Column("reactive_tickets_closed", sa.Integer(), nullable=False),
        sa.Column("reactive_time_spent", sa.Numeric(14, 2), nullable=False),
        sa.Column("time_entries", sa.Integer(), nullable=False),
        sa.Column("definition", JSONB(), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("job_id", sa.String(64)),
        sa.Column("batch_id", sa.String(64)),
        sa.PrimaryKeyConstraint("period", name="pk_monthly_snapshots"),
        sa.CheckConstraint("extract(day FROM period) = 1", name=op.f("ck_monthly_snapshots_period_month")),
        sa.CheckConstraint(
            "reactive_tickets_created >= 0 AND reactive_tickets_closed >= 0 AND reactive_time_spent >= 0 "
            "AND time_entries >= 0",
            name=op.f("ck_monthly_snapshots_figures"),
        ),
        schema=SCHEMA,
    )
    op.execute(
        f"CREATE VIEW {SCHEMA}.monthly_snapshots_v1 AS SELECT period, window_start, window_end, "
        "reactive_tickets_created, reactive_tickets_closed, reactive_time_spent, time_entries, definition, "
        f"collected_at, job_id, batch_id FROM {SCHEMA}.monthly_snapshots"
    )


def downgrade() -> None:
    op.execute(f"DROP VIEW IF EXISTS {SCHEMA}.monthly_snapshots_v1")
    op.drop_table("monthly_snapshots", schema=SCHEMA)
