"""The report routes' answers as the document describes them.

The report bodies are rendered once per revision (mostly by PostgreSQL) and served as bytes; these
models only document them (``response_model=`` on a route returning a ``Response``: FastAPI does not
validate it), and the tests check real bodies against them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

Details = dict[str, Any]


class DataStatus(BaseModel):
    status: Literal["current", "stale_data", "out_of_sync", "historical"]
    message: str
    latest_date: dt.date | None


class Summary(BaseModel):
    total_exceptions: int
    unresolved_count: int
    resolved_count: int


class CollectionInfo(BaseModel):
    ninja_collected: dt.datetime | None
    threatlocker_collected: dt.datetime | None
    last_collection: str | None = Field(description="RFC 3339 UTC moment, or the report date when neither is known")
    data_freshness: Literal["current", "stale"]
    report_date: dt.date | None


class DeviceCounts(BaseModel):
    Ninja: int
    ThreatLocker: int


class TypeItem(BaseModel):
    """One entry of ``exceptions_by_type``."""

    id: int
    hostname: str
    details: Details
    resolved: bool
    type: str
    variance_status: str
    date_found: dt.date
    last_seen: dt.date
    organization: str | None
    ninja_hostname: str
    threatlocker_hostname: str
    ninja_display_name: str
    threatlocker_display_name: str
    resolved_by: str | None
    resolved_date: dt.date | None


class OrgEntry(BaseModel):
    """One entry of a block's ``by_organization`` lists."""

    id: int
    hostname: str
    vendor: str | None
    display_name: str
    organization: str | None
    billing_status: str
    action: str
    type: str
    resolved: bool
    variance_status: str
    ninja_hostname: str
    threatlocker_hostname: str
    ninja_display_name: str
    threatlocker_display_name: str


class Block(BaseModel):
    total_count: int
    by_organization: dict[str, list[OrgEntry]]


class VarianceReport(BaseModel):
    """``/api/variance-report/latest``, ``/{date}`` and ``/api/variances/historical/{date}``."""

    report_date: dt.date | None
    data_status: DataStatus
    summary: Summary
    exceptions_by_type: dict[str, list[TypeItem]]
    exception_counts: dict[str, int]
    collection_info: CollectionInfo
    device_counts: DeviceCounts
    missing_in_ninja: Block
    threatlocker_duplicates: Block
    ninja_duplicates: Block
    devices_that_should_not_have_threatlocker: Block
    display_name_mismatches: Block
    site_mismatches: Block
    include_resolved: bool
    device_level_data: bool
    computed_at: dt.datetime | None
    report_revision: int
    report_pending: bool


class FilteredItem(BaseModel):
    id: int
    hostname: str
    details: Details
    action: str
    type: str
    variance_status: str
    date_found: dt.date
    organization: str | None
    ninja_hostname: str
    threatlocker_hostname: str
    ninja_display_name: str
    threatlocker_display_name: str
    threatlocker_computer_name: str


class FilteredBlock(BaseModel):
    total_count: int
    by_organization: dict[str, list[FilteredItem]]


class FilteredDuplicates(FilteredBlock):
    devices: list[FilteredItem] = Field(description="The same items, flat (the replaced system's form)")


class TotalDevices(BaseModel):
    ninja: int
    threatlocker: int


class ActionableInsights(BaseModel):
    priority_actions: list[str]
    summary: dict[str, int]


class DataQuality(BaseModel):
    total_exceptions: int
    exception_types: list[str]
    organizations_affected: int


class FilteredReport(BaseModel):
    """``/api/variance-report/filtered``: the latest report's unresolved exceptions."""

    analysis_date: dt.date | None
    report_date: dt.date | None
    total_devices: TotalDevices
    total_variances: int
    data_status: DataStatus
    status: Literal["current", "stale_data", "out_of_sync"]
    missing_in_ninja: FilteredBlock
    threatlocker_duplicates: FilteredDuplicates
    ninja_duplicates: FilteredBlock
    devices_that_should_not_have_threatlocker: FilteredBlock
    display_name_mismatches: FilteredBlock
    site_mismatches: FilteredBlock
    actionable_insights: ActionableInsights
    collection_info: CollectionInfo
    data_quality: DataQuality
    report_pending: bool


class AvailableDate(BaseModel):
    date: dt.date
    ninja_devices: int
    threatlocker_devices: int
    total_exceptions: int
    unresolved_exceptions: int
    data_quality: Literal["current", "recent", "stale"]
    days_old: int
    report_available: bool


class DateRange(BaseModel):
    earliest: dt.date | None
    latest: dt.date | None


class AvailableDates(BaseModel):
    available_dates: list[AvailableDate]
    date_range: DateRange
    total_dates: int
    window_days: int


class TrendCounts(BaseModel):
    total: int
    unresolved: int
    resolved: int


class TrendPoint(TrendCounts):
    date: dt.date


class TrendSpan(BaseModel):
    start: dt.date
    end: dt.date


class TrendSummary(BaseModel):
    total_exceptions: int
    total_unresolved: int
    total_resolved: int
    date_range: TrendSpan
    unique_dates: int
    unique_types: list[str]


class TrendRange(BaseModel):
    start_date: dt.date
    end_date: dt.date
    days: int


class Trends(BaseModel):
    trends_by_date: dict[str, dict[str, TrendCounts]]
    trends_by_type: dict[str, list[TrendPoint]]
    summary: TrendSummary
    date_range: TrendRange
    type_labels: dict[str, str]
