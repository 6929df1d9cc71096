"""Tables of the ``tenantsweep`` schema, which only this service writes.

- ``audits``: one row per audit run of a Microsoft 365 tenant (``running`` until completed or failed;
  ``completed_at`` is set exactly when it finishes). ``initiated_by`` is who the caller says started it
  (default: the caller); ``created_by`` is who the gateway vouched for, whatever the body claimed.
- ``findings``: one row per security check of an audit; ``check_id`` is unique within an audit, which is
  what makes two audits of a tenant comparable check by check.

A tenant is identified by its Microsoft 365 ``tenant_id`` (compared case-insensitively) for comparisons
and the overview; ``GET /tenants/{name}/latest-audit`` looks tenants up by name, as the spec asks.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    String,
    Table,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB

from hub_shared.db import schema_metadata
from hub_shared.messaging import messaging_tables

SCHEMA = "tenantsweep"
metadata = schema_metadata(SCHEMA)
messaging = messaging_tables(metadata)

audits = Table(
    "audits",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("tenant_name", Text, nullable=False),
    Column("tenant_id", Text, nullable=False),
    Column("status", String(16), nullable=False, server_default="running"),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("completed_at", DateTime(timezone=True)),
    Column("summary", JSONB),
    Column("error_message", Text),
    Column("initiated_by", Text),
    Column("created_by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("status IN ('running', 'completed', 'failed')", name="status"),
    CheckConstraint("(status = 'running') = (completed_at IS NULL)", name="completed_at"),
    CheckConstraint("summary IS NULL OR jsonb_typeof(summary) = 'object'", name="summary"),
    CheckConstraint("btrim(tenant_name) <> '' AND btrim(tenant_id) <> ''", name="tenant"),
)

findings = Table(
    "findings",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("audit_id", BigInteger, ForeignKey("tenantsweep.audits.id", ondelete="CASCADE"), nullable=False),
    Column("check_id", Text, nullable=False),
    Column("check_name", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("current_value", Text),
    Column("expected_value", Text),
    Column("details", JSONB),
    Column("recommendation", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("audit_id", "check_id"),
    CheckConstraint("severity IN ('Critical', 'High', 'Medium', 'Low', 'Info')", name="severity"),
    CheckConstraint("status IN ('pass', 'fail', 'warning', 'error')", name="status"),
    CheckConstraint("details IS NULL OR jsonb_typeof(details) = 'object'", name="details"),
)
