"""ThreatLocker snapshots, device identities, and the published views ``*_v1``.

Revision ID: threatlocker_0002
Revises: threatlocker_0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "threatlocker_0002"
down_revision = "threatlocker_0001"
branch_labels = None
depends_on = None

SCHEMA = "threatlocker"


def upgrade() -> None:
    op.create_table(
        "snapshots",
        sa.Column("snapshot_date", sa.Date(), nullable=False),
        sa.Column("device_count", sa.Integer(), nullable=False),
        sa.Column("collected_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("job_id", sa.String(64)),
        sa.Column("batch_id", sa.String(64)),
        sa.PrimaryKeyConstraint("snapshot_date", name="pk_snapshots"),
        schema=SCHEMA,
    )
    op.create_table(
        "device_identities",
        sa.Column("computer_id", sa.Text(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("computer_id", name="pk_device_identities"),
        schema=SCHEMA,
    )
    op.create_table(
        "snapshot_devices",
        sa.Column("snapshot_date", sa.Date(), nullable=False),
        sa.Column("computer_id", sa.Text(), nullable=False),
        sa.Column("computer_name", sa.Text()),
        sa.Column("raw_hostname", sa.Text()),
        sa.Column("hostname", sa.Text(), nullable=False),
        sa.Column("match_key", sa.Text(), nullable=False),
        sa.Column("organization_id", sa.Text()),
        sa.Column("organization_name", sa.Text()),
        sa.Column("group_name", sa.Text()),
        sa.Column("computer_group_id", sa.Text()),
        sa.Column("os_type", sa.Integer()),
        sa.Column("operating_system", sa.Text()),
        sa.Column("mode", sa.Text()),
        sa.Column("threatlocker_version", sa.Text()),
        sa.Column("last_checkin", sa.DateTime(timezone=True)),
        sa.Column("last_checkin_ip", sa.Text()),
        sa.Column("date_added", sa.DateTime(timezone=True)),
        sa.Column("deny_count_1d", sa.Integer()),
        sa.Column("deny_count_3d", sa.Integer()),
        sa.Column("deny_count_7d", sa.Integer()),
        sa.Column("username", sa.Text()),
        sa.Column("is_isolated", sa.Boolean()),
        sa.Column("is_lockdown", sa.Boolean()),
        sa.Column("is_tamper_protection_disabled", sa.Boolean()),
        sa.PrimaryKeyConstraint("snapshot_date", "computer_id", name="pk_snapshot_devices"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_snapshot_devices_snapshot_date_match_key",
        "snapshot_devices",
        ["snapshot_date", "match_key"],
        schema=SCHEMA,
    )
    op.execute(
        """
        CREATE VIEW threatlocker.snapshots_v1 AS
        SELECT snapshot_date, device_count, collected_at, job_id, batch_id FROM threatlocker.snapshots
        """
    )
    op.execute(
        """
        CREATE VIEW threatlocker.snapshot_devices_v1 AS
        SELECT d.snapshot_date, d.computer_id, d.computer_name, d.raw_hostname, d.hostname, d.match_key,
               d.organization_id, d.organization_name, d.group_name, d.computer_group_id, d.os_type,
               d.operating_system, d.mode, d.threatlocker_version, d.last_checkin, d.last_checkin_ip,
               d.date_added, d.deny_count_1d, d.deny_count_3d, d.deny_count_7d, d.username,
               d.is_isolated, d.is_lockdown, d.is_tamper_protection_disabled, s.collected_at
        FROM threatlocker.snapshot_devices d
        JOIN threatlocker.snapshots s USING (snapshot_date)
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS threatlocker.snapshot_devices_v1")
    op.execute("DROP VIEW IF EXISTS threatlocker.snapshots_v1")
    op.drop_table("snapshot_devices", schema=SCHEMA)
    op.drop_table("device_identities", schema=SCHEMA)
    op.drop_table("snapshots", schema=SCHEMA)
