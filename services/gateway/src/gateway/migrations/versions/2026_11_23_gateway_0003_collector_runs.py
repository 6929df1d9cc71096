"""Collector batches, jobs and schedule firings.

Revision ID: gateway_0003
Revises: gateway_0002
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "gateway_0003"
down_revision = "gateway_0002"
branch_labels = None
depends_on = None

SCHEMA = "gateway"


def upgrade() -> None:
    op.create_table(
        "collector_batches",
        sa.Column("batch_id", sa.String(16), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("requested_by", sa.Text()),
        sa.Column("snapshot_date", sa.Date()),
        sa.Column("run_cross_vendor", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress_percent", sa.Integer()),
        sa.Column("message", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("estimated_completion", sa.DateTime(timezone=True)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("batch_id", name="pk_collector_batches"),
        schema=SCHEMA,
    )
    op.create_index("ix_collector_batches_created_at", "collector_batches", ["created_at"], schema=SCHEMA)
    op.create_table(
        "collector_jobs",
        sa.Column("job_id", sa.String(16), nullable=False),
        sa.Column("batch_id", sa.String(16)),
        sa.Column("job_name", sa.String(64), nullable=False),
        sa.Column("vendor", sa.String(16)),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("progress_percent", sa.Integer()),
        sa.Column("message", sa.Text()),
        sa.Column("error", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("started_at", sa.DateTime(timezone=True)),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("ended_at", sa.DateTime(timezone=True)),
        sa.Column("last_heartbeat", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("job_id", name="pk_collector_jobs"),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["gateway.collector_batches.batch_id"],
            name="fk_collector_jobs_batch_id_collector_batches",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "status IN ('queued', 'running', 'completed', 'failed', 'cancelled')", name="ck_collector_jobs_status"
        ),
        schema=SCHEMA,
    )
    op.create_index("ix_collector_jobs_batch_id", "collector_jobs", ["batch_id"], schema=SCHEMA)
    op.create_index("ix_collector_jobs_created_at", "collector_jobs", ["created_at"], schema=SCHEMA)
    op.create_index(
        "ix_collector_jobs_active",
        "collector_jobs",
        ["vendor"],
        schema=SCHEMA,
        postgresql_where=sa.text("status IN ('queued', 'running')"),
    )
    op.create_table(
        "schedule_firings",
        sa.Column("schedule", sa.String(64), nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.String(16)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("schedule", "fire_at", name="pk_schedule_firings"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("schedule_firings", schema=SCHEMA)
    op.drop_table("collector_jobs", schema=SCHEMA)
    op.drop_table("collector_batches", schema=SCHEMA)
