"""Tables of the ``ninja`` schema, which only the NinjaOne collector writes.

Other services read Ninja data only through the published, versioned views ``ninja.snapshots_v1`` and
``ninja.snapshot_devices_v1`` (created in the migrations), never these tables.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
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

SCHEMA = "ninja"
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

# A stable identity per Ninja device across days (first/last seen), for usage-change reports.
device_identities = Table(
    "device_identities",
    metadata,
    Column("device_id", BigInteger, primary_key=True),
    Column("device_uid", Text),
    Column("first_seen", Date, nullable=False),
    Column("last_seen", Date, nullable=False),
)

# Column order here is the COPY order (see repository.SNAPSHOT_COLUMNS).
snapshot_devices = Table(
    "snapshot_devices",
    metadata,
    Column("snapshot_date", Date, nullable=False),
    Column("device_id", BigInteger, nullable=False),
    Column("device_uid", Text),
    Column("organization_id", BigInteger),
    Column("organization_name", Text),
    Column("location_id", BigInteger),
    Column("location_name", Text),
    Column("node_class", Text),
    Column("device_type", Text, nullable=False),
    Column("display_name", Text),
    Column("system_name", Text),
    Column("dns_name", Text),
    Column("hostname", Text, nullable=False),
    Column("match_key", Text, nullable=False),
    Column("is_spare", Boolean, nullable=False),
    Column("is_billable", Boolean, nullable=False),
    Column("approval_status", Text),
    Column("offline", Boolean),
    Column("os_name", Text),
    Column("os_build", Integer),
    Column("os_release_id", Text),
    Column("os_architecture", Text),
    Column("system_manufacturer", Text),
    Column("system_model", Text),
    Column("serial_number", Text),
    Column("is_virtual_machine", Boolean),
    Column("cpu_model", Text),
    Column("cpu_cores", Integer),
    Column("cpu_logical_cores", Integer),
    Column("cpu_max_clock_mhz", Integer),
    Column("ram_bytes", BigInteger),
    Column("system_volume_bytes", BigInteger),
    Column("has_tpm", Boolean),
    Column("tpm_enabled", Boolean),
    Column("tpm_version", Text),
    Column("secure_boot_available", Boolean),
    Column("secure_boot_enabled", Boolean),
    Column("last_contact", DateTime(timezone=True)),
    Column("last_update", DateTime(timezone=True)),
    Column("device_created", DateTime(timezone=True)),
    PrimaryKeyConstraint("snapshot_date", "device_id"),
)
