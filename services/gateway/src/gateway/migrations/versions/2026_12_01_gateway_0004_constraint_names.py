"""Constraint names as the naming convention renders them: the check constraints had its prefix twice.

The earlier migrations passed full names (``name="ck_<table>_<name>"``) to a metadata whose convention
prefixes ``ck_<table>_`` again. The names below are exactly what those migrations create on a fresh
database (PostgreSQL truncates at 63 bytes and SQLAlchemy appends a hash when it shortens a name); the
new ones are what the models' metadata renders.

Revision ID: gateway_0004
Revises: gateway_0003
Create Date: 2026-12-01
"""

from __future__ import annotations

from hub_shared.migrations import rename_constraints

revision = "gateway_0004"
down_revision = "gateway_0003"
branch_labels = None
depends_on = None

SCHEMA = "gateway"

# (table, name the earlier migrations gave, conventional name)
RENAMES: tuple[tuple[str, str, str], ...] = (
    ("api_tokens", "ck_api_tokens_ck_api_tokens_name_not_blank", "ck_api_tokens_name_not_blank"),
    ("collector_jobs", "ck_collector_jobs_ck_collector_jobs_status", "ck_collector_jobs_status"),
)


def upgrade() -> None:
    rename_constraints(SCHEMA, RENAMES)


def downgrade() -> None:
    rename_constraints(SCHEMA, RENAMES, reverse=True)
