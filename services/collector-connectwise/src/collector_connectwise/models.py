"""Tables of the ``connectwise`` schema, which only the ConnectWise collector writes.

``monthly_snapshots`` holds one row per month: the three reactive-ticket figures, the definition they
were counted with, the UTC window of the month and when (and by which job) they were collected. A month
collected again replaces its row; a month whose collection failed keeps the row it had. Other services
read it only through the published view ``connectwise.monthly_snapshots_v1`` (created in the migrations).
"""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, DateTime, Integer, Numeric, String, Table, func
from sqlalchemy.dialects.postgresql import JSONB

from hub_shared.db import schema_metadata
from hub_shared.messaging import messaging_tables

SCHEMA = "connectwise"
metadata = schema_metadata(SCHEMA)
messaging = messaging_tables(metadata)

monthly_snapshots = Table(
    "monthly_snapshots",
    metadata,
    Column("period", Date, primary_key=True),  # the first day of the month
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("window_end", DateTime(timezone=True), nullable=False),
    Column("reactive_tickets_created", Integer, nullable=False),
    Column("reactive_tickets_closed", Integer, nullable=False),
    Column("reactive_time_spent", Numeric(14, 2), nullable=False),
    Column("time_entries", Integer, nullable=False),  # time entries counted into the hours
    Column("definition", JSONB, nullable=False),
    Column("collected_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("job_id", String(64)),
    Column("batch_id", String(64)),
    CheckConstraint("extract(day FROM period) = 1", name="period_month"),
    CheckConstraint(
        "reactive_tickets_created >= 0 AND reactive_tickets_closed >= 0 AND reactive_time_spent >= 0 "
        "AND time_entries >= 0",
        name="figures",
    ),
)
