"""The event catalogue: every message on ``hub.events`` is one of these envelopes.

An envelope is ``{event_id, type, schema_version, occurred_at, producer, data}``; ``type`` is the routing
key and the discriminator of one union, parsed by one adapter (:data:`EVENT_ADAPTER`). A new version of
an event's data gets a new ``schema_version`` literal, so an old consumer rejects it loudly instead of
misreading it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter

Vendor = Literal["ninja", "threatlocker"]
# Who a collection can be asked of: the two device inventories, and ConnectWise's monthly ticket figures.
Collector = Literal["ninja", "threatlocker", "connectwise"]
JobStatus = Literal["queued", "running", "completed", "failed", "cancelled"]
Trigger = Literal["manual", "schedule", "cli", "api"]


def utcnow() -> datetime:
    return datetime.now(UTC)


class _Data(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CollectRequested(_Data):
    batch_id: str | None = None
    job_id: str
    vendor: Collector
    snapshot_date: date | None = None
    trigger: Trigger = "manual"
    # Jobs of the same batch that run after the snapshot (job name → job id), passed on by the
    # collector in snapshot.completed so variance and assessment report progress under them.
    followup_jobs: dict[str, str] = Field(default_factory=dict)


class JobUpdated(_Data):
    batch_id: str | None = None
    job_id: str
    job_name: str
    status: JobStatus
    progress_percent: int | None = Field(default=None, ge=0, le=100)
    message: str | None = None
    error: str | None = None
    heartbeat: datetime = Field(default_factory=utcnow)


class SnapshotCompleted(_Data):
    vendor: Vendor
    snapshot_date: date
    device_count: int = Field(ge=0)
    batch_id: str | None = None
    job_id: str | None = None
    followup_jobs: dict[str, str] = Field(default_factory=dict)


class TicketMetricsCollected(_Data):
    """One month of ConnectWise reactive-ticket figures (the QBR's ``vendor_id`` 3 metrics)."""

    period: date  # the first day of the month
    reactive_tickets_created: int = Field(ge=0)
    reactive_tickets_closed: int = Field(ge=0)
    reactive_time_spent: Decimal = Field(ge=0, max_digits=14, decimal_places=2)
    window_start: datetime  # the month in HUB_TIMEZONE, [start, end) in UTC
    window_end: datetime
    definition: dict[str, Any]  # what "reactive" meant (boards, parent_only, closed_statuses, time_entry_date)
    collected_at: datetime = Field(default_factory=utcnow)
    batch_id: str | None = None
    job_id: str | None = None


class VarianceCompleted(_Data):
    report_date: date
    counts: dict[str, int]
    batch_id: str | None = None


class AssessmentCompleted(_Data):
    assessed_at: datetime
    counts: dict[str, int]
    batch_id: str | None = None


class CollectionRefused(_Data):
    """A collector kept the previous snapshot because the vendor's answer looked incomplete."""

    vendor: Vendor
    snapshot_date: date
    reason: str
    batch_id: str | None = None
    job_id: str | None = None


class AuditCompleted(_Data):
    """A TenantSweep audit finished (``completed`` or ``failed``); its findings no longer change."""

    audit_id: int
    tenant_id: str
    tenant_name: str
    status: Literal["completed", "failed"]
    completed_at: datetime
    findings_count: int = Field(default=0, ge=0)


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    schema_version: Literal[1] = 1
    occurred_at: datetime = Field(default_factory=utcnow)
    producer: str


class CollectRequestedEvent(_Envelope):
    type: Literal["collect.requested"] = "collect.requested"
    data: CollectRequested


class JobUpdatedEvent(_Envelope):
    type: Literal["job.updated"] = "job.updated"
    data: JobUpdated


class SnapshotCompletedEvent(_Envelope):
    type: Literal["snapshot.completed"] = "snapshot.completed"
    data: SnapshotCompleted


class TicketMetricsCollectedEvent(_Envelope):
    type: Literal["ticket_metrics.collected"] = "ticket_metrics.collected"
    data: TicketMetricsCollected


class VarianceCompletedEvent(_Envelope):
    type: Literal["variance.completed"] = "variance.completed"
    data: VarianceCompleted


class AssessmentCompletedEvent(_Envelope):
    type: Literal["assessment.completed"] = "assessment.completed"
    data: AssessmentCompleted


class CollectionRefusedEvent(_Envelope):
    type: Literal["collection.refused"] = "collection.refused"
    data: CollectionRefused


class AuditCompletedEvent(_Envelope):
    type: Literal["tenantsweep.audit_completed"] = "tenantsweep.audit_completed"
    data: AuditCompleted


Event = Annotated[
    CollectRequestedEvent
    | JobUpdatedEvent
    | SnapshotCompletedEvent
    | TicketMetricsCollectedEvent
    | VarianceCompletedEvent
    | AssessmentCompletedEvent
    | CollectionRefusedEvent
    | AuditCompletedEvent,
    Field(discriminator="type"),
]
EVENT_ADAPTER: TypeAdapter[Event] = TypeAdapter(Event)

_ENVELOPE_FOR_DATA: dict[type[_Data], type[_Envelope]] = {
    CollectRequested: CollectRequestedEvent,
    JobUpdated: JobUpdatedEvent,
    SnapshotCompleted: SnapshotCompletedEvent,
    TicketMetricsCollected: TicketMetricsCollectedEvent,
    VarianceCompleted: VarianceCompletedEvent,
    AssessmentCompleted: AssessmentCompletedEvent,
    CollectionRefused: CollectionRefusedEvent,
    AuditCompleted: AuditCompletedEvent,
}
EVENT_TYPES: tuple[str, ...] = tuple(envelope.model_fields["type"].default for envelope in _ENVELOPE_FOR_DATA.values())


# Who consumes what (DESIGN.md's event table): queue ``<service>.<purpose>`` → event types. Every
# service declares all of these queues when it connects, so an event published before its consumer
# ever started waits in the consumer's queue instead of being dropped as unroutable.
SUBSCRIPTIONS: dict[tuple[str, str], tuple[str, ...]] = {
    ("collector_ninja", "collect"): ("collect.requested",),
    ("collector_threatlocker", "collect"): ("collect.requested",),
    ("collector_connectwise", "collect"): ("collect.requested",),
    ("gateway", "jobs"): ("job.updated",),
    ("variance", "snapshots"): ("snapshot.completed",),
    ("assessment", "snapshots"): ("snapshot.completed",),
    ("qbr", "snapshots"): ("snapshot.completed",),
    ("qbr", "tickets"): ("ticket_metrics.collected",),
    ("notifier", "events"): (
        "job.updated",
        "snapshot.completed",
        "variance.completed",
        "assessment.completed",
        "collection.refused",
        "tenantsweep.audit_completed",
    ),
}


def new_event(data: _Data, *, producer: str) -> Event:
    """Wrap event data in its envelope, with a fresh id and timestamp."""
    envelope_cls = _ENVELOPE_FOR_DATA[type(data)]
    event: Event = envelope_cls(producer=producer, data=data)  # type: ignore[call-arg, assignment]
    return event


def parse_event(body: bytes | str) -> Event:
    return EVENT_ADAPTER.validate_json(body)


def dump_event(event: Event) -> bytes:
    return EVENT_ADAPTER.dump_json(event)
