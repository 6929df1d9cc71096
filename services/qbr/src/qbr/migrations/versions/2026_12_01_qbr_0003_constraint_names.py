"""Constraint names as the naming convention renders them: the check constraints had its prefix twice.

``qbr_0002`` passed full names (``name="ck_<table>_<name>"``) to a metadata whose convention prefixes
``ck_<table>_`` again; the models already render the short names, so only the database changes.

Revision ID: qbr_0003
Revises: qbr_0002
Create Date: 2026-12-01
"""

from __future__ import annotations

from hub_shared.migrations import rename_constraints

revision = "qbr_0003"
down_revision = "qbr_0002"
branch_labels = None
depends_on = None

SCHEMA = "qbr"

# (table, name qbr_0002 gave, conventional name)
RENAMES: tuple[tuple[str, str, str], ...] = (
    ("monthly_metrics", "ck_monthly_metrics_ck_monthly_metrics_data_source", "ck_monthly_metrics_data_source"),
    ("monthly_metrics", "ck_monthly_metrics_ck_monthly_metrics_period_month", "ck_monthly_metrics_period_month"),
    ("device_count_months", "ck_device_count_months_ck_device_count_months_source", "ck_device_count_months_source"),
    (
        "device_count_months",
        "ck_device_count_months_ck_device_count_months_period_month",
        "ck_device_count_months_period_month",
    ),
    (
        "client_device_counts",
        "ck_client_device_counts_ck_client_device_counts_counts",
        "ck_client_device_counts_counts",
    ),
)


def upgrade() -> None:
    rename_constraints(SCHEMA, RENAMES)


def downgrade() -> None:
    rename_constraints(SCHEMA, RENAMES, reverse=True)
