"""Constraint names as the naming convention renders them: the check constraints had its prefix twice.

The earlier migrations passed full names (``name="ck_<table>_<name>"``) to a metadata whose convention
prefixes ``ck_<table>_`` again. The names below are exactly what those migrations create on a fresh
database (PostgreSQL truncates at 63 bytes and SQLAlchemy appends a hash when it shortens a name); the
new ones are what the models' metadata renders.

Revision ID: variance_0003
Revises: variance_0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from hub_shared.migrations import rename_constraints

revision = "variance_0003"
down_revision = "variance_0002"
branch_labels = None
depends_on = None

SCHEMA = "variance"

# (table, name the earlier migrations gave, conventional name)
RENAMES: tuple[tuple[str, str, str], ...] = (
    ("exceptions", "ck_exceptions_ck_exceptions_status", "ck_exceptions_status"),
    ("exceptions", "ck_exceptions_ck_exceptions_type", "ck_exceptions_type"),
    ("occurrences", "ck_occurrences_ck_occurrences_status", "ck_occurrences_status"),
    (
        "organization_aliases",
        "ck_organization_aliases_ck_organization_aliases_ninja_name",
        "ck_organization_aliases_ninja_name",
    ),
    # 65 characters doubled (over 63), so SQLAlchemy cut it to 55 and appended "_" and 4 hex digits of its MD5.
    (
        "organization_aliases",
        "ck_organization_aliases_ck_organization_aliases_threatl_3369",
        "ck_organization_aliases_threatlocker_name",
    ),
)


def upgrade() -> None:
    rename_constraints(SCHEMA, RENAMES)


def downgrade() -> None:
    rename_constraints(SCHEMA, RENAMES, reverse=True)
