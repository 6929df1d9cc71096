"""The event catalogue: one adapter parses every envelope; versions and unknown types are refused."""

from __future__ import annotations

import json
from datetime import date

import pytest
from pydantic import ValidationError

from hub_shared.events import (
    EVENT_TYPES,
    CollectRequested,
    JobUpdated,
    SnapshotCompleted,
    SnapshotCompletedEvent,
    dump_event,
    new_event,
    parse_event,
)


def test_round_trip_keeps_type_and_data() -> None:
    event = new_event(
        SnapshotCompleted(vendor="ninja", snapshot_date=date(2026, 11, 23), device_count=5000, job_id="ni_1a2b3c4d"),
        producer="collector_ninja",
    )
    parsed = parse_event(dump_event(event))
    assert isinstance(parsed, SnapshotCompletedEvent)
    assert parsed == event
    raw = json.loads(dump_event(event))
    assert set(raw) == {"event_id", "type", "schema_version", "occurred_at", "producer", "data"}
    assert raw["type"] == "snapshot.completed"
    assert raw["schema_version"] == 1
    assert raw["data"]["snapshot_date"] == "2026-11-23"


def test_catalogue_lists_every_type() -> None:
    assert set(EVENT_TYPES) == {
        "collect.requested",
        "job.updated",
        "snapshot.completed",
        "ticket_metrics.collected",
        "variance.completed",
        "assessment.completed",
        "collection.refused",
        "tenantsweep.audit_completed",
    }


def test_ticket_metrics_round_trip_keeps_exact_hours() -> None:
    from datetime import UTC, datetime
    from decimal import Decimal

    from hub_shared.events import TicketMetricsCollected, TicketMetricsCollectedEvent

    event = new_event(
        TicketMetricsCollected(
            period=date(2025, 3, 1),
            reactive_tickets_created=63,
            reactive_tickets_closed=55,
            reactive_time_spent=Decimal("166.25"),
            window_start=datetime(2025, 3, 1, 6, tzinfo=UTC),
            window_end=datetime(2025, 4, 1, 5, tzinfo=UTC),
            definition={"boards": ["Help Desk"], "parent_only": True},
        ),
        producer="collector_connectwise",
    )
    parsed = parse_event(dump_event(event))
    assert isinstance(parsed, TicketMetricsCollectedEvent) and parsed == event
    assert parsed.data.reactive_time_spent == Decimal("166.25")


def test_unknown_type_and_future_schema_version_are_refused() -> None:
    event = new_event(CollectRequested(job_id="ni_00000001", vendor="ninja"), producer="gateway")
    raw = json.loads(dump_event(event))
    with pytest.raises(ValidationError):
        parse_event(json.dumps({**raw, "type": "collect.exploded"}))
    with pytest.raises(ValidationError):
        parse_event(json.dumps({**raw, "schema_version": 2}))


def test_data_is_validated() -> None:
    with pytest.raises(ValidationError):
        JobUpdated(job_id="j", job_name="ninja", status="running", progress_percent=101)
    with pytest.raises(ValidationError):
        CollectRequested(job_id="j", vendor="sophos")  # type: ignore[arg-type]
