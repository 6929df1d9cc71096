"""Audit runs and their findings, with the indexes of the tenant search, latest-audit and compare lookups.

Revision ID: tenantsweep_0002
Revises: tenantsweep_0001
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects.postgresql import JSONB

revision = "tenantsweep_0002"
down_revision = "tenantsweep_0001"
branch_labels = None
depends_on = None

SCHEMA = "tenantsweep"
AUDIT_STATUSES = "('running', 'completed', 'failed')"
SEVERITIES = "('Critical', 'High', 'Medium', 'Low', 'Info')"
FINDING_STATUSES = "('pass', 'fail', 'warning', 'error')"

# Tenant-name search is a case-insensitive substring match; a trigram index serves it. pg_trgm is a
# trusted contrib extension (any database owner may create it since PostgreSQL 13). Where it cannot be
# created the search still works, scanning the audits table (one row per run, so small).
TRIGRAM_INDEX = f"""
DO $$
DECLARE
    opclass_schema text;
BEGIN
    BEGIN
        CREATE EXTENSION IF NOT EXISTS pg_trgm;
    EXCEPTION WHEN insufficient_privilege OR undefined_file OR feature_not_supported THEN
        RAISE NOTICE 'pg_trgm is not available: tenant-name search will scan {SCHEMA}.audits';
    END;
    -- Wherever the extension lives (it may predate this migration, in any schema).
    SELECT n.nspname INTO opclass_schema
    FROM pg_opclass c JOIN pg_namespace n ON n.oid = c.opcnamespace
    WHERE c.opcname = 'gin_trgm_ops' LIMIT 1;
    IF opclass_schema IS NOT NULL THEN
        EXECUTE format(
            'CREATE INDEX IF NOT EXISTS ix_audits_tenant_name_trgm ON {SCHEMA}.audits '
            'USING gin (tenant_name %I.gin_trgm_ops)', opclass_schema);
    END IF;
END
$$;
"""


def upgrade() -> None:
    # CHECK constraints are named by the metadata's convention (ck_<table>_<name>), as in models.py.
    op.create_table(
        "audits",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("tenant_name", sa.Text(), nullable=False),
        sa.Column("tenant_id", sa.Text(), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="running"),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.Column("completed_at", sa.DateTime(timezone=True)),
        sa.Column("summary", JSONB()),
        sa.Column("error_message", sa.Text()),
        sa.Column("initiated_by", sa.Text()),
        sa.Column("created_by", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_audits"),
        sa.CheckConstraint(f"status IN {AUDIT_STATUSES}", name="status"),
        # A running audit has no completion time; a finished one always has it.
        sa.CheckConstraint("(status = 'running') = (completed_at IS NULL)", name="completed_at"),
        sa.CheckConstraint("summary IS NULL OR jsonb_typeof(summary) = 'object'", name="summary"),
        sa.CheckConstraint("btrim(tenant_name) <> '' AND btrim(tenant_id) <> ''", name="tenant"),
        schema=SCHEMA,
    )
    # The list's order (newest first).
    op.execute(f"CREATE INDEX ix_audits_started_at ON {SCHEMA}.audits (started_at DESC, id DESC)")
    # GET /tenants/{name}/latest-audit: the newest completed audit of a name (matched case-insensitively).
    op.execute(
        f"CREATE INDEX ix_audits_latest_by_name ON {SCHEMA}.audits (lower(tenant_name), started_at DESC, id DESC) "
        "WHERE status = 'completed'"
    )
    # A tenant's runs newest first (compare's previous audit, the overview, ?tenant_id=).
    op.execute(f"CREATE INDEX ix_audits_tenant_key ON {SCHEMA}.audits (lower(tenant_id), started_at DESC, id DESC)")
    op.execute(TRIGRAM_INDEX)

    op.create_table(
        "findings",
        sa.Column("id", sa.BigInteger(), sa.Identity(), nullable=False),
        sa.Column("audit_id", sa.BigInteger(), nullable=False),
        sa.Column("check_id", sa.Text(), nullable=False),
        sa.Column("check_name", sa.Text(), nullable=False),
        sa.Column("severity", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("current_value", sa.Text()),
        sa.Column("expected_value", sa.Text()),
        sa.Column("details", JSONB()),
        sa.Column("recommendation", sa.Text()),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False, server_default=sa.func.now()),
        sa.PrimaryKeyConstraint("id", name="pk_findings"),
        sa.ForeignKeyConstraint(
            ["audit_id"], [f"{SCHEMA}.audits.id"], name="fk_findings_audit_id_audits", ondelete="CASCADE"
        ),
        # One result per check and audit; also the index of every "findings of audit N" lookup.
        sa.UniqueConstraint("audit_id", "check_id", name="uq_findings_audit_id_check_id"),
        sa.CheckConstraint(f"severity IN {SEVERITIES}", name="severity"),
        sa.CheckConstraint(f"status IN {FINDING_STATUSES}", name="status"),
        sa.CheckConstraint("details IS NULL OR jsonb_typeof(details) = 'object'", name="details"),
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("findings", schema=SCHEMA)
    op.drop_table("audits", schema=SCHEMA)
    # pg_trgm stays: it is database-wide and other schemas may use it.
