"""Assessment runs, per-device results per snapshot date, shared requirement results, delayed runs.

Revision ID: assessment_0002
Revises: assessment_0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision = "assessment_0002"
down_revision = "assessment_0001"
branch_labels = None
depends_on = None

SCHEMA = "assessment"


def upgrade() -> None:
    op.create_table(
        "runs",
        sa.Column("run_id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("snapshot_date", sa.Date(), nullable=False),
        sa.Column("assessed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(16), nullable=False),
        sa.Column("batch_id", sa.String(64)),
        sa.Column("job_id", sa.String(64)),
        sa.Column("event_id", postgresql.UUID(as_uuid=True)),
        sa.Column("requested_by", sa.Text()),
        sa.Column("device_count", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("counts", postgresql.JSONB(), nullable=False, server_default="{}"),
        sa.Column("duration_ms", sa.Integer()),
        sa.PrimaryKeyConstraint("run_id", name="pk_runs"),
        sa.CheckConstraint("trigger IN ('snapshot', 'manual', 'cli')", name="ck_runs_trigger"),
        schema=SCHEMA,
    )
    op.create_index("ix_runs_snapshot_date_assessed_at", "runs", ["snapshot_date", "assessed_at"], schema=SCHEMA)
    op.create_table(
        "requirement_results",
        sa.Column("result_id", sa.BigInteger(), nullable=False),
        sa.Column("key", sa.String(32), nullable=False),
        sa.Column("requirement", sa.Text(), nullable=False),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("current_value", sa.Text(), nullable=False),
        sa.Column("required_value", sa.Text(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("remediation", sa.Text()),
        sa.Column("fixable", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("result_id", name="pk_requirement_results"),
        sa.CheckConstraint("status IN ('passed', 'failed', 'insufficient_data')", name="ck_requirement_results_status"),
        schema=SCHEMA,
    )
    op.create_table(
        "device_results",
        sa.Column("snapshot_date", sa.Date(), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("run_id", sa.BigInteger(), nullable=False),
        sa.Column("verdict", sa.String(32), nullable=False),
        sa.Column("already_installed", sa.Boolean(), nullable=False),
        sa.Column("installed_release", sa.Text()),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("requirement_ids", postgresql.ARRAY(sa.BigInteger()), nullable=False),
        sa.Column("organization_id", sa.BigInteger()),
        sa.Column("organization_name", sa.Text()),
        sa.Column("location_name", sa.Text()),
        sa.Column("hostname", sa.Text(), nullable=False),
        sa.Column("system_name", sa.Text()),
        sa.Column("display_name", sa.Text()),
        sa.Column("device_type", sa.Text()),
        sa.Column("node_class", sa.Text()),
        sa.Column("is_billable", sa.Boolean()),
        sa.Column("is_spare", sa.Boolean()),
        sa.Column("os_name", sa.Text()),
        sa.Column("os_build", sa.Integer()),
        sa.Column("os_release_id", sa.Text()),
        sa.Column("os_architecture", sa.Text()),
        sa.Column("cpu_model", sa.Text()),
        sa.Column("ram_bytes", sa.BigInteger()),
        sa.Column("system_manufacturer", sa.Text()),
        sa.Column("system_model", sa.Text()),
        sa.Column("last_contact", sa.DateTime(timezone=True)),
        sa.Column("collected_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("snapshot_date", "device_id", name="pk_device_results"),
        sa.CheckConstraint(
            "verdict IN ('compatible', 'compatible_after_fix', 'incompatible', 'not_assessed')",
            name="ck_device_results_verdict",
        ),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_device_results_device_id_snapshot_date",
        "device_results",
        ["device_id", "snapshot_date"],
        schema=SCHEMA,
    )
    op.create_table(
        "scheduled_runs",
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("snapshot_date", sa.Date(), nullable=False),
        sa.Column("due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("batch_id", sa.String(64)),
        sa.Column("job_id", sa.String(64)),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("event_id", name="pk_scheduled_runs"),
        schema=SCHEMA,
    )
    op.create_index("ix_scheduled_runs_due_at", "scheduled_runs", ["due_at"], schema=SCHEMA)


def downgrade() -> None:
    op.drop_table("scheduled_runs", schema=SCHEMA)
    op.drop_table("device_results", schema=SCHEMA)
    op.drop_table("requirement_results", schema=SCHEMA)
    op.drop_table("runs", schema=SCHEMA)
