"""Tables of the ``qbr`` schema, which only this service writes.

- ``monthly_metrics``: one value per organisation, month and metric — collected (seats and endpoints
  from Ninja snapshots) or manual (the API, or an import). ``forced`` marks a manual value that
  replaced a collected one with ``force_update``; later collections leave it alone.
- ``device_count_months`` and ``client_device_counts``: seats and endpoints per client and month, from
  the month's latest Ninja snapshot (``live``) or imported history (``historical``). Device-level
  snapshots are pruned after a few weeks; these counts are kept forever.
- ``thresholds``: the green/yellow/red bands of each SmartNumber, per organisation.
- ``audit_log``: every manual change (API entries, imports, thresholds) with who, when, old and new.

Ninja data is read only through the collector's published view ``ninja.snapshot_devices_v1``.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKeyConstraint,
    Identity,
    Index,
    Integer,
    Numeric,
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

SCHEMA = "qbr"
metadata = schema_metadata(SCHEMA)
messaging = messaging_tables(metadata)

DATA_SOURCES = ("collected", "manual")

monthly_metrics = Table(
    "monthly_metrics",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("organization_id", Integer, nullable=False),
    Column("period", Date, nullable=False),  # the first day of the month
    Column("metric_name", String(64), nullable=False),
    Column("metric_value", Numeric, nullable=False),
    Column("vendor_id", Integer),
    Column("data_source", String(16), nullable=False),
    Column("forced", Boolean, nullable=False, server_default="false"),
    Column("notes", Text),
    Column("updated_by", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("organization_id", "period", "metric_name"),
    CheckConstraint("data_source IN ('collected', 'manual')", name="data_source"),
    CheckConstraint("extract(day FROM period) = 1", name="period_month"),
)

device_count_months = Table(
    "device_count_months",
    metadata,
    Column("organization_id", Integer, nullable=False),
    Column("period", Date, nullable=False),
    Column("source", String(16), nullable=False),
    Column("snapshot_date", Date),  # live months only: the Ninja snapshot counted
    Column("updated_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("organization_id", "period", "source"),
    CheckConstraint("source IN ('live', 'historical')", name="source"),
    CheckConstraint("extract(day FROM period) = 1", name="period_month"),
)

client_device_counts = Table(
    "client_device_counts",
    metadata,
    Column("organization_id", Integer, nullable=False),
    Column("period", Date, nullable=False),
    Column("source", String(16), nullable=False),
    Column("client_name", Text, nullable=False),
    Column("seats", Integer, nullable=False),
    Column("endpoints", Integer, nullable=False),
    PrimaryKeyConstraint("organization_id", "period", "source", "client_name"),
    ForeignKeyConstraint(
        ["organization_id", "period", "source"],
        ["qbr.device_count_months.organization_id", "qbr.device_count_months.period", "qbr.device_count_months.source"],
        ondelete="CASCADE",
    ),
    CheckConstraint("seats >= 0 AND endpoints >= 0 AND seats <= endpoints", name="counts"),
)

thresholds = Table(
    "thresholds",
    metadata,
    Column("organization_id", Integer, nullable=False),
    Column("metric_name", String(64), nullable=False),
    Column("green_min", Numeric),
    Column("green_max", Numeric),
    Column("yellow_min", Numeric),
    Column("yellow_max", Numeric),
    Column("red_threshold", Numeric),
    Column("notes", Text),
    Column("updated_by", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("organization_id", "metric_name"),
)

audit_log = Table(
    "audit_log",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("occurred_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("actor", Text, nullable=False),
    # identity (the gateway-signed header) | cli (an operator's import)
    Column("actor_source", String(16), nullable=False),
    Column("action", String(32), nullable=False),
    Column("organization_id", Integer, nullable=False),
    Column("period", Date),
    Column("subject", Text, nullable=False),  # the metric, SmartNumber or client concerned
    Column("old_value", JSONB),
    Column("new_value", JSONB),
    Column("details", JSONB),
    Index("ix_audit_log_organization_id_occurred_at", "organization_id", "occurred_at"),
)
