"""Tables of the ``threatlocker`` schema, which only the ThreatLocker collector writes.

Other services read ThreatLocker data only through the published, versioned views
``threatlocker.snapshots_v1`` and ``threatlocker.snapshot_devices_v1`` (created in the migrations).
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
)

from hub_shared.db import schema_metadata
from hub_shared.messaging import messaging_tables

SCHEMA = "threatlocker"
metadata = schema_metadata(SCHEMA)
messaging = messaging_tables(metadata)

snapshots = Table(
    "snapshots",
    metadata,
    Column("snapshot_date", Date, primary_key=True),
    Column("device_count", Integer, nullable=False),
    Column("collected_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("job_id", String(64)),
    Column("batch_id", String(64)),
)

device_identities = Table(
    "device_identities",
    metadata,
    Column("computer_id", Text, primary_key=True),
    Column("first_seen", Date, nullable=False),
    Column("last_seen", Date, nullable=False),
)

# Column order here is the COPY order (see repository.SNAPSHOT_COLUMNS).
snapshot_devices = Table(
    "snapshot_devices",
    metadata,
    Column("snapshot_date", Date, nullable=False),
    Column("computer_id", Text, nullable=False),
    Column("computer_name", Text),
    Column("raw_hostname", Text),
    Column("hostname", Text, nullable=False),
    Column("match_key", Text, nullable=False),
    Column("organization_id", Text),
    Column("organization_name", Text),
    Column("group_name", Text),
    Column("computer_group_id", Text),
    Column("os_type", Integer),
    Column("operating_system", Text),
    Column("mode", Text),
    Column("threatlocker_version", Text),
    Column("last_checkin", DateTime(timezone=True)),
    Column("last_checkin_ip", Text),
    Column("date_added", DateTime(timezone=True)),
    Column("deny_count_1d", Integer),
    Column("deny_count_3d", Integer),
    Column("deny_count_7d", Integer),
    Column("username", Text),
    Column("is_isolated", Boolean),
    Column("is_lockdown", Boolean),
    Column("is_tamper_protection_disabled", Boolean),
    PrimaryKeyConstraint("snapshot_date", "computer_id"),
)
