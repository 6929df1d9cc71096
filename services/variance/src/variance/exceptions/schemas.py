"""Request bodies of the exception routes (unknown fields are ignored, as the dashboard sends extras) and
their answers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from hub_shared.web import StorableJson, StorableText
from variance.params import bare_error, one_of

MAX_BULK_IDS = 10_000
# Every text and JSON value is stored: NUL, lone surrogates, NaN and Infinity are refused (400) here.
Text200 = Annotated[str | None, Field(default=None, max_length=200), StorableText]
Notes = Annotated[str | None, Field(default=None, max_length=5000), StorableText]
UpdateType = Annotated[str, Field(max_length=100), StorableText]
JsonValue = Annotated[Any, StorableJson]


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    resolved_by: Text200 = None
    notes: Notes = None


class ManualFixBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    updated_by: Text200 = None
    update_type: UpdateType = "unknown"
    old_value: JsonValue = Field(default_factory=dict)
    new_value: JsonValue = Field(default_factory=dict)
    notes: Notes = None


NO_IDS = "No exception IDs provided"
BULK_ACTIONS = ("mark_manually_fixed", "resolve", "reset_status")


def _json_integer(value: Any) -> Any:
    """A JSON integer (``3`` or ``3.0``), not text or a boolean."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError("must be an integer")
    return value


class BulkUpdateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    exception_ids: Annotated[
        list[Annotated[int, Field(ge=1, le=2**63 - 1), BeforeValidator(_json_integer)]],
        # At least one id (documented; the route answers the replaced system's message for an empty list).
        Field(max_length=MAX_BULK_IDS, json_schema_extra={"minItems": 1, **bare_error(missing=NO_IDS)}),
    ]
    action: Annotated[
        Literal["mark_manually_fixed", "resolve", "reset_status"],
        one_of(BULK_ACTIONS, lambda _value: ("Invalid action", {"allowed_actions": list(BULK_ACTIONS)})),
    ] = "mark_manually_fixed"
    updated_by: Text200 = None
    update_type: UpdateType = "bulk_update"
    notes: Notes = None


# ----------------------------------------------------------------------------------------- answers


class ExceptionView(BaseModel):
    """One exception identity (the replaced system's six fields first, then the hub's)."""

    id: int
    date_found: dt.date
    type: str
    hostname: str
    details: dict[str, Any]
    resolved: bool
    variance_status: str
    report_key: str
    first_seen: dt.date
    last_seen: dt.date
    in_latest_report: bool
    organization: str | None
    vendor: str | None
    display_name: str
    billing_status: str | None
    ninja_hostname: str
    threatlocker_hostname: str
    ninja_display_name: str
    threatlocker_display_name: str
    resolved_date: dt.date | None
    resolved_by: str | None
    manually_updated_at: dt.datetime | None
    manually_updated_by: str | None
    update_type: str | None
    old_value: Any
    new_value: Any
    notes: str | None
    status_changed_at: dt.datetime | None
    updated_at: dt.datetime | None


class HistoryEntry(BaseModel):
    id: int
    changed_at: dt.datetime | None
    action: str
    from_status: str | None
    to_status: str
    actor: str
    actor_source: str
    report_date: dt.date | None
    notes: str | None
    data: Any


class ExceptionDetail(ExceptionView):
    history: list[HistoryEntry]


class ExceptionHistory(BaseModel):
    exception_id: int
    history: list[HistoryEntry]


class TypeCounts(BaseModel):
    total: int
    resolved: int
    unresolved: int


class ManualUpdate(BaseModel):
    exception_id: int
    hostname: str
    ninja_hostname: str
    threatlocker_hostname: str
    ninja_display_name: str
    threatlocker_display_name: str
    organization: str | None
    type: str
    updated_by: str
    updated_at: dt.datetime | None
    update_type: str
    action: str
    from_status: str | None
    to_status: str
    notes: str | None


class StatusSummaryCounts(BaseModel):
    active: dict[str, TypeCounts] = Field(description="The current report's counts by type")


class StatusSummary(BaseModel):
    status_summary: StatusSummaryCounts
    report_date: dt.date | None
    by_variance_status: dict[str, dict[str, int]]
    recent_manual_updates: list[ManualUpdate]
    generated_at: dt.datetime


class ExceptionChanged(BaseModel):
    """What every change of one exception answers (success/flat), before its action's own fields."""

    success: Literal[True]
    message: str
    exception_id: int
    hostname: str
    type: str
    variance_status: str


class Resolved(ExceptionChanged):
    resolved_by: str | None
    resolved_date: dt.date | None
    updated_at: dt.datetime


class ManuallyFixed(ExceptionChanged):
    update_type: str | None
    updated_by: str | None
    updated_at: dt.datetime | None


class BulkUpdated(BaseModel):
    success: Literal[True]
    message: str
    updated_count: int
    exception_ids: list[int] = Field(description="The ids as sent")
    updated_ids: list[int]
    not_found: list[int]
    updated_by: str
