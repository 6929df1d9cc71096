"""Monthly metrics, per-client device counts, SmartNumber thresholds and the audit log.

Revision ID: qbr_0002
Revises: qbr_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "qbr_0002"
down_revision = "qbr_0001"
branch_labels = None
depends_on = None

SCHEMA = "qbr"


def upgrade() -> None:
    op.create_table(
        "monthly_metrics",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("metric_name", sa.String(64), nullable=False),
        sa.Column("metric_value", sa.Numeric(), nullable=False),
        sa.Column("vendor_id", sa.Integer()),
        sa.Column("data_source", sa.String(16), nullable=False),
        sa.Column("forced", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("notes", sa.Text()),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_monthly_metrics"),
        sa.UniqueConstraint(
            "organization_id", "period", "metric_name", name="uq_monthly_metrics_organization_id_period_metric_name"
        ),
        sa.CheckConstraint("data_source IN ('collected', 'manual')", name="ck_monthly_metrics_data_source"),
        sa.CheckConstraint("extract(day FROM period) = 1", name="ck_monthly_metrics_period_month"),
        schema=SCHEMA,
    )
    op.create_table(
        "device_count_months",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("snapshot_date", sa.Date()),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("organization_id", "period", "source", name="pk_device_count_months"),
        sa.CheckConstraint("source IN ('live', 'historical')", name="ck_device_count_months_source"),
        sa.CheckConstraint("extract(day FROM period) = 1", name="ck_device_count_months_period_month"),
        schema=SCHEMA,
    )
    op.create_table(
        "client_device_counts",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("source", sa.String(16), nullable=False),
        sa.Column("client_name", sa.Text(), nullable=False),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("endpoints", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("organization_id", "period", "source", "client_name", name="pk_client_device_counts"),
        sa.ForeignKeyConstraint(
            ["organization_id", "period", "source"],
            [f"{SCHEMA}.device_count_months.{column}" for column in ("organization_id", "period", "source")],
            name="fk_client_device_counts_organization_id_device_count_months",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(
            "seats >= 0 AND endpoints >= 0 AND seats <= endpoints", name="ck_client_device_counts_counts"
        ),
        schema=SCHEMA,
    )
    op.create_table(
        "thresholds",
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("metric_name", sa.String(64), nullable=False),
        sa.Column("green_min", sa.Numeric()),
        sa.Column("green_max", sa.Numeric()),
        sa.Column("yellow_min", sa.Numeric()),
        sa.Column("yellow_max", sa.Numeric()),
        sa.Column("red_threshold", sa.Numeric()),
        sa.Column("notes", sa.Text()),
        sa.Column("updated_by", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("organization_id", "metric_name", name="pk_thresholds"),
        schema=SCHEMA,
    )
    op.create_table(
        "audit_log",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("actor_source", sa.String(16), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date()),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("old_value", JSONB()),
        sa.Column("new_value", JSONB()),
        sa.Column("details", JSONB()),
        sa.PrimaryKeyConstraint("id", name="pk_audit_log"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_audit_log_organization_id_occurred_at", "audit_log", ["organization_id", "occurred_at"], schema=SCHEMA
    )


def downgrade() -> None:
    op.drop_table("audit_log", schema=SCHEMA)
    op.drop_table("thresholds", schema=SCHEMA)
    op.drop_table("client_device_counts", schema=SCHEMA)
    op.drop_table("device_count_months", schema=SCHEMA)
    op.drop_table("monthly_metrics", schema=SCHEMA)
