"""Tables of the ``variance`` schema, which only this service writes.

- ``exceptions``: one row per exception identity (type + match key), kept across days with its
  lifecycle state; ``present`` says whether the latest computed report shows it.
- ``occurrences``: the device-level report of each date (one row per exception present that day, with
  the state it had in that report); pruned after ``VARIANCE_RETENTION_DAYS``.
- ``exception_history``: every state change, with who and when.
- ``reports`` and ``report_counts``: per-date aggregates, kept forever (trends, available dates).
- ``organization_aliases``: ThreatLocker organisation name → Ninja organisation name, for the site check.

Other services read only the published view ``variance.open_exception_counts_v1`` (see the migrations).
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from hub_shared.db import schema_metadata
from hub_shared.messaging import messaging_tables
from variance.catalog import STATUSES, TYPE_CODES

SCHEMA = "variance"
metadata = schema_metadata(SCHEMA)
messaging = messaging_tables(metadata)

# Columns every device-level row of a report carries (also copied onto the identity as "latest").
ENTRY_COLUMNS = (
    "organization",
    "vendor",
    "display_name",
    "billing_status",
    "ninja_hostname",
    "threatlocker_hostname",
    "ninja_display_name",
    "threatlocker_display_name",
)


def _entry_columns() -> list[Column[str]]:
    return [Column(name, Text) for name in ENTRY_COLUMNS]


def _one_of(column: str, values: tuple[str, ...]) -> str:
    """A check constraint's condition: the column holds one of the values."""
    quoted = ", ".join(f"'{value}'" for value in values)
    return f"{column} IN ({quoted})"


# Check constraints are named by their short name: the naming convention renders ck_<table>_<name>.
exceptions = Table(
    "exceptions",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("type", String(32), nullable=False),
    Column("key", Text, nullable=False),
    Column("status", String(24), nullable=False),
    Column("present", Boolean, nullable=False),
    Column("first_seen", Date, nullable=False),
    Column("last_seen", Date, nullable=False),
    # The report date on which the exception was last found gone (NULL while present).
    Column("absent_since", Date),
    *_entry_columns(),
    Column("details", JSONB, nullable=False),
    Column("resolved_date", Date),
    Column("resolved_by", Text),
    Column("manually_updated_at", DateTime(timezone=True)),
    Column("manually_updated_by", Text),
    Column("update_type", Text),
    Column("old_value", JSONB),
    Column("new_value", JSONB),
    Column("notes", Text),
    Column("status_changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("type", "key", name="uq_exceptions_type_key"),
    CheckConstraint(_one_of("type", TYPE_CODES), name="type"),
    CheckConstraint(_one_of("status", STATUSES), name="status"),
)

occurrences = Table(
    "occurrences",
    metadata,
    Column("report_date", Date, nullable=False),
    Column("exception_id", BigInteger, ForeignKey("variance.exceptions.id", ondelete="CASCADE"), nullable=False),
    Column("type", String(32), nullable=False),
    Column("key", Text, nullable=False),
    Column("status", String(24), nullable=False),
    *_entry_columns(),
    Column("details", JSONB, nullable=False),
    PrimaryKeyConstraint("report_date", "exception_id"),
    CheckConstraint(_one_of("status", STATUSES), name="status"),
)

exception_history = Table(
    "exception_history",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("exception_id", BigInteger, ForeignKey("variance.exceptions.id", ondelete="CASCADE"), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("action", String(32), nullable=False),
    Column("from_status", String(24)),
    Column("to_status", String(24), nullable=False),
    Column("actor", Text, nullable=False),
    # collector | identity (gateway-signed header) | request (body field) | default
    Column("actor_source", String(16), nullable=False),
    Column("report_date", Date),
    Column("notes", Text),
    Column("data", JSONB),
)

reports = Table(
    "reports",
    metadata,
    Column("report_date", Date, primary_key=True),
    Column("computed_at", DateTime(timezone=True), nullable=False),
    # Bumped by every change to the date's report (computation or exception update): cache key.
    Column("revision", BigInteger, nullable=False),
    Column("computations", Integer, nullable=False),
    Column("ninja_devices", Integer, nullable=False),
    Column("threatlocker_devices", Integer, nullable=False),
    Column("ninja_collected_at", DateTime(timezone=True)),
    Column("threatlocker_collected_at", DateTime(timezone=True)),
    Column("total_exceptions", Integer, nullable=False),
    Column("unresolved_exceptions", Integer, nullable=False),
    Column("batch_id", String(64)),
    Column("duration_ms", Integer),
)

report_counts = Table(
    "report_counts",
    metadata,
    Column("report_date", Date, nullable=False),
    Column("type", String(32), nullable=False),
    Column("total", Integer, nullable=False),
    Column("unresolved", Integer, nullable=False),
    Column("resolved", Integer, nullable=False),
    PrimaryKeyConstraint("report_date", "type"),
)

organization_aliases = Table(
    "organization_aliases",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("ninja_name", Text, nullable=False),
    Column("threatlocker_name", Text, nullable=False),
    Column("notes", Text),
    Column("created_by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("btrim(ninja_name) <> ''", name="ninja_name"),
    CheckConstraint("btrim(threatlocker_name) <> ''", name="threatlocker_name"),
    # Also unique on lower(btrim(threatlocker_name)): an expression index made by the migrations.
)
