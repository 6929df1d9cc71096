"""Tables of the ``notifier`` schema, which only this service writes.

- ``channels``: where messages go (``email`` to addresses, a signed ``webhook``, ``teams``, ``slack``).
  Secrets are not stored: ``secret_env`` / ``url_env`` name ``NOTIFIER_SECRET_*`` environment variables.
- ``rules``: which condition, which organisations, minimum severity, channels, immediate or digest,
  snooze and quiet hours.
- ``signals``: every event the notifier consumed that may start a condition, evaluated in order.
- ``conditions``: one row per item (an exception, a device, a vendor's collection) whose condition is
  currently active; a condition *starts* when its row appears, which is when rules are told.
- ``held_items``: started items waiting for a digest or for the end of quiet hours.
- ``item_snoozes``: single items a rule keeps quiet about until a time.
- ``deliveries`` and ``delivery_attempts``: one message to one channel, with every attempt.
- ``reports`` and ``report_runs``: scheduled reports and each firing (one per due time across replicas).
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
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    Time,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID

from hub_shared.db import schema_metadata
from hub_shared.messaging import messaging_tables

SCHEMA = "notifier"
metadata = schema_metadata(SCHEMA)
messaging = messaging_tables(metadata)

channels = Table(
    "channels",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("name", Text, nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("url", Text),
    Column("url_env", Text),
    Column("secret_env", Text),
    Column("recipients", ARRAY(Text), nullable=False, server_default="{}"),
    Column("enabled", Boolean, nullable=False, server_default="true"),
    Column("disabled_reason", Text),
    Column("created_by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("kind IN ('email', 'webhook', 'teams', 'slack')", name="kind"),
)

rules = Table(
    "rules",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("name", Text, nullable=False),
    Column("condition", String(32), nullable=False),
    Column("enabled", Boolean, nullable=False, server_default="true"),
    Column("exception_types", ARRAY(Text), nullable=False, server_default="{}"),
    Column("organizations_include", ARRAY(Text), nullable=False, server_default="{}"),
    Column("organizations_exclude", ARRAY(Text), nullable=False, server_default="{}"),
    Column("severity_min", String(16), nullable=False, server_default="info"),
    Column("channel_ids", ARRAY(BigInteger), nullable=False, server_default="{}"),
    Column("delivery_mode", String(16), nullable=False, server_default="immediate"),
    Column("digest_frequency", String(16), nullable=False, server_default="daily"),
    Column("digest_hour", SmallInteger, nullable=False, server_default="8"),
    Column("last_digest_at", DateTime(timezone=True)),
    Column("quiet_start", Time),
    Column("quiet_end", Time),
    Column("quiet_allow_critical", Boolean, nullable=False, server_default="true"),
    Column("snoozed_until", DateTime(timezone=True)),
    Column("snooze_reason", Text),
    Column("created_by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("severity_min IN ('info', 'warning', 'critical')", name="severity_min"),
    CheckConstraint("delivery_mode IN ('immediate', 'digest')", name="delivery_mode"),
    CheckConstraint("digest_frequency IN ('daily', 'weekly')", name="digest_frequency"),
    CheckConstraint("digest_hour BETWEEN 0 AND 23", name="digest_hour"),
)

signals = Table(
    "signals",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("type", String(64), nullable=False),
    Column("occurred_at", DateTime(timezone=True), nullable=False),
    Column("payload", JSONB, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("evaluated_at", DateTime(timezone=True)),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text),
    Column("outcome", Text),
    Index("ix_signals_pending", "id", postgresql_where=text("evaluated_at IS NULL")),
)

conditions = Table(
    "conditions",
    metadata,
    Column("condition", String(32), nullable=False),
    Column("item_key", Text, nullable=False),
    Column("scope", Text, nullable=False, server_default=""),
    Column("started_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_seen_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("item", JSONB, nullable=False),
    PrimaryKeyConstraint("condition", "item_key"),
)

vendor_snapshots = Table(
    "vendor_snapshots",
    metadata,
    Column("vendor", String(32), primary_key=True),
    Column("snapshot_date", Date, nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

held_items = Table(
    "held_items",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("rule_id", BigInteger, ForeignKey("notifier.rules.id", ondelete="CASCADE"), nullable=False),
    Column("reason", String(16), nullable=False),
    Column("signal_id", BigInteger),
    Column("item", JSONB, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint("reason IN ('digest', 'quiet')", name="reason"),
)

item_snoozes = Table(
    "item_snoozes",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("rule_id", BigInteger, ForeignKey("notifier.rules.id", ondelete="CASCADE"), nullable=False),
    Column("item_key", Text, nullable=False),
    Column("until", DateTime(timezone=True), nullable=False),
    Column("reason", Text, nullable=False),
    Column("created_by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("rule_id", "item_key"),
)

reports = Table(
    "reports",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("name", Text, nullable=False),
    Column("kind", String(32), nullable=False),
    Column("variance_type", Text),
    Column("cron", Text, nullable=False),
    Column("recipients", ARRAY(Text), nullable=False),
    Column("enabled", Boolean, nullable=False, server_default="true"),
    Column("last_fired_at", DateTime(timezone=True)),
    Column("created_by", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    CheckConstraint(
        "kind IN ('variance_pdf', 'variance_excel', 'windows11_readiness', 'qbr_smartnumbers', 'usage_changes')",
        name="kind",
    ),
)

report_runs = Table(
    "report_runs",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("report_id", BigInteger, ForeignKey("notifier.reports.id", ondelete="CASCADE"), nullable=False),
    # The cron time this run fires for; NULL for "send now".
    Column("due_at", DateTime(timezone=True)),
    Column("trigger", String(16), nullable=False),
    Column("status", String(16), nullable=False),
    Column("filename", Text),
    Column("content_type", Text),
    Column("content", LargeBinary),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("report_id", "due_at"),
    CheckConstraint("status IN ('rendered', 'failed')", name="status"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    # The Standard Webhooks ``webhook-id`` and the e-mail Message-ID: stable across retries.
    Column("message_id", UUID(as_uuid=True), nullable=False, unique=True),
    Column("kind", String(16), nullable=False),
    Column("rule_id", BigInteger, ForeignKey("notifier.rules.id", ondelete="SET NULL")),
    Column("channel_id", BigInteger, ForeignKey("notifier.channels.id", ondelete="SET NULL")),
    Column("report_run_id", BigInteger, ForeignKey("notifier.report_runs.id", ondelete="SET NULL")),
    Column("channel_kind", String(16), nullable=False),
    Column("recipients", ARRAY(Text), nullable=False, server_default="{}"),
    # What makes a delivery unique: (rule, channel, dedupe_key) — the event id for an alert, the period
    # for a digest — so a redelivered event or a second replica never sends twice.
    Column("dedupe_key", Text, nullable=False),
    Column("subject", Text, nullable=False),
    Column("severity", String(16), nullable=False),
    Column("message", JSONB, nullable=False),
    Column("status", String(16), nullable=False, server_default="pending"),
    Column("attempts", Integer, nullable=False, server_default="0"),
    Column("next_attempt_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("last_error", Text),
    Column("last_status_code", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("delivered_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    UniqueConstraint("channel_kind", "channel_id", "rule_id", "dedupe_key", name="uq_deliveries_dedupe"),
    CheckConstraint("kind IN ('alert', 'digest', 'catchup', 'test', 'report')", name="kind"),
    CheckConstraint("status IN ('pending', 'delivered', 'failed', 'dead')", name="status"),
    Index("ix_deliveries_due", "next_attempt_at", postgresql_where=text("status = 'pending'")),
    Index("ix_deliveries_created_at", "created_at"),
)

delivery_attempts = Table(
    "delivery_attempts",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("delivery_id", BigInteger, ForeignKey("notifier.deliveries.id", ondelete="CASCADE"), nullable=False),
    Column("attempt", Integer, nullable=False),
    Column("attempted_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("outcome", String(16), nullable=False),
    Column("status_code", Integer),
    Column("error", Text),
    Column("duration_ms", Integer),
    Index("ix_delivery_attempts_delivery_id", "delivery_id"),
)
