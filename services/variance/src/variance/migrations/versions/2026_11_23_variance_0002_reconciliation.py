"""Exceptions with lifecycle and history, per-date reports, organisation aliases, the published view.

Revision ID: variance_0002
Revises: variance_0001
Create Date: 2026-11-23
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "variance_0002"
down_revision = "variance_0001"
branch_labels = None
depends_on = None

SCHEMA = "variance"
TYPES = "('MISSING_NINJA','DUPLICATE_TL','DUPLICATE_NINJA','SPARE_MISMATCH','DISPLAY_NAME_MISMATCH','SITE_MISMATCH')"
STATUSES = "('active','resolved','manually_fixed','collector_verified','stale')"
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


def entry_columns() -> list[sa.Column[str]]:
    return [sa.Column(name, sa.Text()) for name in ENTRY_COLUMNS]


def upgrade() -> None:
    op.create_table(
        "exceptions",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        sa.Column("present", sa.Boolean(), nullable=False),
        sa.Column("first_seen", sa.Date(), nullable=False),
        sa.Column("last_seen", sa.Date(), nullable=False),
        sa.Column("absent_since", sa.Date()),
        *entry_columns(),
        sa.Column("details", JSONB(), nullable=False),
        sa.Column("resolved_date", sa.Date()),
        sa.Column("resolved_by", sa.Text()),
        sa.Column("manually_updated_at", sa.DateTime(timezone=True)),
        sa.Column("manually_updated_by", sa.Text()),
        sa.Column("update_type", sa.Text()),
        sa.Column("old_value", JSONB()),
        sa.Column("new_value", JSONB()),
        sa.Column("notes", sa.Text()),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_exceptions"),
        sa.UniqueConstraint("type", "key", name="uq_exceptions_type_key"),
        sa.CheckConstraint(f"type IN {TYPES}", name="ck_exceptions_type"),
        sa.CheckConstraint(f"status IN {STATUSES}", name="ck_exceptions_status"),
        schema=SCHEMA,
    )
    op.create_index("ix_exceptions_last_seen", "exceptions", ["last_seen"], schema=SCHEMA)
    op.create_index("ix_exceptions_status", "exceptions", ["status"], schema=SCHEMA)
    # The identities each computation's "absent" pass looks at (shown, or still open).
    op.create_index(
        "ix_exceptions_open",
        "exceptions",
        ["type", "key"],
        schema=SCHEMA,
        postgresql_where=sa.text("present OR status IN ('active', 'manually_fixed')"),
    )

    op.create_table(
        "occurrences",
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("exception_id", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("key", sa.Text(), nullable=False),
        sa.Column("status", sa.String(24), nullable=False),
        *entry_columns(),
        sa.Column("details", JSONB(), nullable=False),
        sa.PrimaryKeyConstraint("report_date", "exception_id", name="pk_occurrences"),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            [f"{SCHEMA}.exceptions.id"],
            name="fk_occurrences_exception_id_exceptions",
            ondelete="CASCADE",
        ),
        sa.CheckConstraint(f"status IN {STATUSES}", name="ck_occurrences_status"),
        schema=SCHEMA,
    )
    # Reports and exports read one date in (type, key) order.
    op.create_index("ix_occurrences_report_date_type_key", "occurrences", ["report_date", "type", "key"], schema=SCHEMA)
    op.create_index("ix_occurrences_exception_id", "occurrences", ["exception_id"], schema=SCHEMA)

    op.create_table(
        "exception_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("exception_id", sa.BigInteger(), nullable=False),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("from_status", sa.String(24)),
        sa.Column("to_status", sa.String(24), nullable=False),
        sa.Column("actor", sa.Text(), nullable=False),
        sa.Column("actor_source", sa.String(16), nullable=False),
        sa.Column("report_date", sa.Date()),
        sa.Column("notes", sa.Text()),
        sa.Column("data", JSONB()),
        sa.PrimaryKeyConstraint("id", name="pk_exception_history"),
        sa.ForeignKeyConstraint(
            ["exception_id"],
            [f"{SCHEMA}.exceptions.id"],
            name="fk_exception_history_exception_id_exceptions",
            ondelete="CASCADE",
        ),
        schema=SCHEMA,
    )
    op.create_index("ix_exception_history_exception_id", "exception_history", ["exception_id", "id"], schema=SCHEMA)
    op.create_index("ix_exception_history_changed_at", "exception_history", ["changed_at"], schema=SCHEMA)

    op.create_table(
        "reports",
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revision", sa.BigInteger(), nullable=False),
        sa.Column("computations", sa.Integer(), nullable=False),
        sa.Column("ninja_devices", sa.Integer(), nullable=False),
        sa.Column("threatlocker_devices", sa.Integer(), nullable=False),
        sa.Column("ninja_collected_at", sa.DateTime(timezone=True)),
        sa.Column("threatlocker_collected_at", sa.DateTime(timezone=True)),
        sa.Column("total_exceptions", sa.Integer(), nullable=False),
        sa.Column("unresolved_exceptions", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.String(64)),
        sa.Column("duration_ms", sa.Integer()),
        sa.PrimaryKeyConstraint("report_date", name="pk_reports"),
        schema=SCHEMA,
    )
    op.create_table(
        "report_counts",
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("type", sa.String(32), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("unresolved", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("report_date", "type", name="pk_report_counts"),
        schema=SCHEMA,
    )
    op.create_table(
        "organization_aliases",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("ninja_name", sa.Text(), nullable=False),
        sa.Column("threatlocker_name", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text()),
        sa.Column("created_by", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_organization_aliases"),
        sa.CheckConstraint("btrim(ninja_name) <> ''", name="ck_organization_aliases_ninja_name"),
        sa.CheckConstraint("btrim(threatlocker_name) <> ''", name="ck_organization_aliases_threatlocker_name"),
        schema=SCHEMA,
    )
    # A ThreatLocker name maps to one Ninja name; names compare trimmed and case-insensitively.
    op.execute(
        "CREATE UNIQUE INDEX uq_organization_aliases_threatlocker_name "
        "ON variance.organization_aliases (lower(btrim(threatlocker_name)))"
    )
    # The published contract (read by the gateway's /api/status): unresolved exceptions of the latest
    # report, by type code. A breaking change gets a _v2.
    op.execute(
        """
        CREATE VIEW variance.open_exception_counts_v1 AS
        SELECT c.type::text AS type, c.unresolved::int AS count
        FROM variance.report_counts c
        WHERE c.report_date = (SELECT max(report_date) FROM variance.reports)
          AND c.unresolved > 0
        """
    )


def downgrade() -> None:
    op.execute("DROP VIEW IF EXISTS variance.open_exception_counts_v1")
    op.drop_table("organization_aliases", schema=SCHEMA)
    op.drop_table("report_counts", schema=SCHEMA)
    op.drop_table("reports", schema=SCHEMA)
    op.drop_table("exception_history", schema=SCHEMA)
    op.drop_table("occurrences", schema=SCHEMA)
    op.drop_table("exceptions", schema=SCHEMA)
