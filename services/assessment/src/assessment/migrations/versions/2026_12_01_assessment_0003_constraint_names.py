"""Constraint names as the naming convention renders them: the check constraints had its prefix twice.

The earlier migrations passed full names (``name="ck_<table>_<name>"``) to a metadata whose convention
prefixes ``ck_<table>_`` again. The names below are exactly what those migrations create on a fresh
database (PostgreSQL truncates at 63 bytes and SQLAlchemy appends a hash when it shortens a name); the
new ones are what the models' metadata renders.

Revision ID: assessment_0003
Revises: assessment_0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from hub_shared.migrations import rename_constraints

revision = "assessment_0003"
down_revision = "assessment_0002"
branch_labels = None
depends_on = None

SCHEMA = "assessment"

# (table, name the earlier migrations gave, conventional name)
RENAMES: tuple[tuple[str, str, str], ...] = (
    ("runs", "ck_runs_ck_runs_trigger", "ck_runs_trigger"),
    ("requirement_results", "ck_requirement_results_ck_requirement_results_status", "ck_requirement_results_status"),
    ("device_results", "ck_device_results_ck_device_results_verdict", "ck_device_results_verdict"),
)


def upgrade() -> None:
    rename_constraints(SCHEMA, RENAMES)


def downgrade() -> None:
    rename_constraints(SCHEMA, RENAMES, reverse=True)
