"""Ninja snapshots, device identities, and the published views ``*_v1``.

Revision ID: ninja_0002
Revises: ninja_0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "ninja_0002"
down_revision = "ninja_0001"
branch_labels = None
depends_on = None

SCHEMA = "ninja"


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
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("device_uid", sa.Text()),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.PrimaryKeyConstraint("device_id", name="pk_device_identities"),
        schema=SCHEMA,
    )
    op.create_table(
        "snapshot_devices",
        sa.Column("snapshot_date", sa.Date(), nullable=False),
        sa.Column("device_id", sa.BigInteger(), nullable=False),
        sa.Column("device_uid", sa.Text()),
        sa.Column("organization_id", sa.BigInteger()),
        sa.Column("organization_name", sa.Text()),
        sa.Column("location_id", sa.BigInteger()),
        sa.Column("location_name", sa.Text()),
        sa.Column("node_class", sa.Text()),
        sa.Column("device_type", sa.Text(), nullable=False),
        sa.Column("display_name", sa.Text()),
        sa.Column("system_name", sa.Text()),
        sa.Column("dns_name", sa.Text()),
        sa.Column("hostname", sa.Text(), nullable=False),
        sa.Column("match_key", sa.Text(), nullable=False),
        sa.Column("is_spare", sa.Boolean(), nullable=False),
        sa.Column("is_billable", sa.Boolean(), nullable=False),
        sa.Column("approval_status", sa.Text()),
        sa.Column("offline", sa.Boolean()),
        sa.Column("os_name", sa.Text()),
        sa.Column("os_build", sa.Integer()),
        sa.Column("os_release_id", sa.Text()),
        sa.Column("os_architecture", sa.Text()),
        sa.Column("system_manufacturer", sa.Text()),
        sa.Column("system_model", sa.Text()),
        sa.Column("serial_number", sa.Text()),
        sa.Column("is_virtual_machine", sa.Boolean()),
        sa.Column("cpu_model", sa.Text()),
        sa.Column("cpu_cores", sa.Integer()),
        sa.Column("cpu_logical_cores", sa.Integer()),
        sa.Column("cpu_max_clock_mhz", sa.Integer()),
        sa.Column("ram_bytes", sa.BigInteger()),
        sa.Column("system_volume_bytes", sa.BigInteger()),
        sa.Column("has_tpm", sa.Boolean()),
        sa.Column("tpm_enabled", sa.Boolean()),
        sa.Column("tpm_version", sa.Text()),
        sa.Column("secure_boot_available", sa.Boolean()),
        sa.Column("secure_boot_enabled", sa.Boolean()),
        sa.Column("last_contact", sa.DateTime(timezone=True)),
        sa.Column("last_update", sa.DateTime(timezone=True)),
        sa.Column("device_created", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("snapshot_date", "device_id", name="pk_snapshot_devices"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_snapshot_devices_snapshot_date_match_key",
        "snapshot_devices",
        ["snapshot_date", "match_key"],
        schema=SCHEMA,
    )
    # The published contract: other services read these views only. A breaking change gets a _v2.
    op.execute(
        """
        CREATE VIEW ninja.snapshots_v1 AS
        SELECT snapshot_date, device_count, collected_at, job_id, batch_id FROM ninja.snapshots
        """
    )
    op.execute(
        """
        CREATE VIEW ninja.snapshot_devices_v1 AS
        SELECT d.snapshot_date, d.device_id, d.device_uid, d.organization_id, d.organization_name,
               d.location_id, d.location_name, d.node_class, d.device_type, d.display_name,
               d.system_name, d.dns_name, d.hostname, d.match_key, d.is_spare, d.is_billable,
               d.approval_status, d.offline, d.os_name, d.os_build, d.os_release_id, d.os_architecture,
               d.system_manufacturer, d.system_model, d.serial_number, d.is_virtual_machine,
               d.cpu_model, d.cpu_cores, d.cpu_logical_cores, d.cpu_max_clock_mhz, d.ram_bytes,
               d.system_volume_bytes, d.has_tpm, d.tpm_enabled, d.tpm_version,
               d.secure_boot_available, d.secure_boot_enabled, d.last_contact, d.last_update,
               d.device_created, s.collected_at
        FROM ninja.snapshot_devices d
        JOIN ninja.snapshots s USING (snapshot_date)
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS ninja.snapshot_devices_v1")
    op.execute("DROP VIEW IF EXISTS ninja.snapshots_v1")
    op.drop_table("snapshot_devices", schema=SCHEMA)
    op.drop_table("device_identities", schema=SCHEMA)
    op.drop_table("snapshots", schema=SCHEMA)
