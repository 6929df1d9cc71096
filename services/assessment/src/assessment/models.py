"""Tables of the ``assessment`` schema, which only this service writes.

- ``runs``: one row per assessment of a Ninja snapshot date (who or what triggered it, when, and the
  status counts it produced). Kept forever: they are the aggregates.
- ``device_results``: one row per Windows workstation and assessed snapshot date, so each device's
  verdict history exists and a device that turned incompatible since the previous date is visible.
  Devices outside that population (servers, Macs, Linux, VM guests) are only counted, in the run.
  Re-assessing a date replaces that date's rows in one transaction. Kept ``ASSESSMENT_RETENTION_DAYS``.
- ``requirement_results``: one requirement's result (status, current and required value, reason,
  remediation), stored once per distinct content and referenced by ``device_results.requirement_ids``.
  Whole outcomes rarely repeat (RAM, disk and OS values differ), but each requirement's result does: a
  100,000-device fleet has a few hundred distinct ones instead of 700,000 copies of the same texts.
- ``scheduled_runs``: assessments waiting for ``ASSESSMENT_DELAY_SECONDS`` after a snapshot.

Other services read Ninja data only through ``ninja.snapshot_devices_v1`` / ``ninja.snapshots_v1``; this
service does the same (see ``repository.py``).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Identity,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from hub_shared.db import schema_metadata
from hub_shared.messaging import messaging_tables

SCHEMA = "assessment"
metadata = schema_metadata(SCHEMA)
messaging = messaging_tables(metadata)

runs = Table(
    "runs",
    metadata,
    Column("run_id", BigInteger, Identity(), primary_key=True),
    Column("snapshot_date", Date, nullable=False),
    Column("assessed_at", DateTime(timezone=True), nullable=False),
    Column("trigger", String(16), nullable=False),
    Column("batch_id", String(64)),
    Column("job_id", String(64)),
    Column("event_id", UUID(as_uuid=True)),
    Column("requested_by", Text),
    Column("device_count", Integer, nullable=False, server_default="0"),
    Column("counts", JSONB, nullable=False, server_default="{}"),
    Column("duration_ms", Integer),
    CheckConstraint("trigger IN ('snapshot', 'manual', 'cli')", name="trigger"),
    Index("ix_runs_snapshot_date_assessed_at", "snapshot_date", "assessed_at"),
)

requirement_results = Table(
    "requirement_results",
    metadata,
    # A 64-bit hash of the content: equal results (same requirement, status, values, texts) coincide.
    # 64 bits, not a UUID: a fleet has thousands of distinct results at most, so collisions are
    # negligible, and bigint arrays encode far faster than UUID arrays in the per-device COPY.
    Column("result_id", BigInteger, primary_key=True, autoincrement=False),
    Column("key", String(32), nullable=False),
    Column("requirement", Text, nullable=False),
    Column("status", String(32), nullable=False),
    Column("current_value", Text, nullable=False),
    Column("required_value", Text, nullable=False),
    Column("reason", Text, nullable=False),
    Column("remediation", Text),
    Column("fixable", Boolean, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('passed', 'failed', 'insufficient_data')", name="status"),
)

# Column order matters: repository._INSERT_RESULTS selects in this order (a test pins it). No foreign
# keys: the bulk insert would pay a trigger per row for them, and the repository writes the run and the
# requirement results first, in the same transaction.
device_results = Table(
    "device_results",
    metadata,
    Column("snapshot_date", Date, nullable=False),
    Column("device_id", BigInteger, nullable=False),
    Column("run_id", BigInteger, nullable=False),
    Column("verdict", String(32), nullable=False),
    Column("already_installed", Boolean, nullable=False),
    Column("installed_release", Text),
    Column("reason", Text, nullable=False),
    # requirement_results ids, in the rules' requirement order.
    Column("requirement_ids", ARRAY(BigInteger), nullable=False),
    Column("organization_id", BigInteger),
    Column("organization_name", Text),
    Column("location_name", Text),
    Column("hostname", Text, nullable=False),
    Column("system_name", Text),
    Column("display_name", Text),
    Column("device_type", Text),
    Column("node_class", Text),
    Column("is_billable", Boolean),
    Column("is_spare", Boolean),
    Column("os_name", Text),
    Column("os_build", Integer),
    Column("os_release_id", Text),
    Column("os_architecture", Text),
    Column("cpu_model", Text),
    Column("ram_bytes", BigInteger),
    Column("system_manufacturer", Text),
    Column("system_model", Text),
    Column("last_contact", DateTime(timezone=True)),
    Column("collected_at", DateTime(timezone=True)),
    PrimaryKeyConstraint("snapshot_date", "device_id"),
    CheckConstraint(
        "verdict IN ('compatible', 'compatible_after_fix', 'incompatible', 'not_assessed')", name="verdict"
    ),
    Index("ix_device_results_device_id_snapshot_date", "device_id", "snapshot_date"),
)

scheduled_runs = Table(
    "scheduled_runs",
    metadata,
    # The snapshot.completed event that asked for the run: one scheduled run per event.
    Column("event_id", UUID(as_uuid=True), primary_key=True),
    Column("snapshot_date", Date, nullable=False),
    Column("due_at", DateTime(timezone=True), nullable=False),
    Column("batch_id", String(64)),
    Column("job_id", String(64)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Index("ix_scheduled_runs_due_at", "due_at"),
)
