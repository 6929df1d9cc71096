"""Collector runs as the gateway sees them: batches, their jobs, and the schedule's firings.

Jobs are a projection of ``job.updated`` events; a batch's status and progress are derived from its
jobs. Schedule firings are unique per (schedule, fire time), so replicas fire a daily run once.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    func,
    text,
)

from gateway.models import metadata

batches = Table(
    "collector_batches",
    metadata,
    Column("batch_id", String(16), primary_key=True),
    Column("trigger", String(16), nullable=False),
    Column("requested_by", Text),
    Column("snapshot_date", Date),
    Column("run_cross_vendor", Boolean, nullable=False),
    Column("status", String(16), nullable=False),
    Column("progress_percent", Integer),
    Column("message", Text),
    Column("error", Text),
    Column("estimated_completion", DateTime(timezone=True)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("ended_at", DateTime(timezone=True)),
    Index("ix_collector_batches_created_at", "created_at"),
)

jobs = Table(
    "collector_jobs",
    metadata,
    Column("job_id", String(16), primary_key=True),
    Column("batch_id", String(16), ForeignKey("collector_batches.batch_id", ondelete="CASCADE")),
    Column("job_name", String(64), nullable=False),
    Column("vendor", String(16)),
    Column("status", String(16), nullable=False),
    Column("progress_percent", Integer),
    Column("message", Text),
    Column("error", Text),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("started_at", DateTime(timezone=True)),
    Column("updated_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    Column("ended_at", DateTime(timezone=True)),
    Column("last_heartbeat", DateTime(timezone=True)),
    # The short name: the naming convention renders ck_collector_jobs_status.
    CheckConstraint("status IN ('queued', 'running', 'completed', 'failed', 'cancelled')", name="status"),
    Index("ix_collector_jobs_batch_id", "batch_id"),
    Index(
        "ix_collector_jobs_active",
        "vendor",
        postgresql_where=text("status IN ('queued', 'running')"),
    ),
    Index("ix_collector_jobs_created_at", "created_at"),
)

schedule_firings = Table(
    "schedule_firings",
    metadata,
    Column("schedule", String(64), nullable=False),
    Column("fire_at", DateTime(timezone=True), nullable=False),
    Column("batch_id", String(16)),
    Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
    PrimaryKeyConstraint("schedule", "fire_at"),
)
