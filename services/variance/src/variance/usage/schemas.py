"""The Ninja usage routes' answers (success/data envelope, the spec's fields plus the hub's)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field


class ChangeCounts(BaseModel):
    added: int
    removed: int
    org_changed: int
    billing_changed: int


class UsageSummary(BaseModel):
    start_total_devices: int
    end_total_devices: int
    net_change: int
    changes: ChangeCounts


class OrganizationChanges(BaseModel):
    start_count: int
    end_count: int
    added: int
    removed: int
    org_in: int
    org_out: int
    billing_changed: int


class DeviceNames(BaseModel):
    device_identity_id: int
    hostname: str | None
    display_name: str | None
    ninja_hostname: str | None
    threatlocker_hostname: str | None
    ninja_display_name: str | None
    threatlocker_display_name: str | None
    device_type: str | None
    location_name: str | None


class AddedDevice(DeviceNames):
    organization_name: str | None
    billing_status: Literal["billable", "spare"]
    change_date: dt.date | None


class RemovedDevice(DeviceNames):
    organization_name: str | None
    billing_status: Literal["billable", "spare"]
    last_seen_date: dt.date | None


class MovedDevice(DeviceNames):
    from_organization: str | None
    to_organization: str | None
    billing_status: Literal["billable", "spare"]
    from_billing_status: Literal["billable", "spare"]
    change_date: dt.date | None


class BillingChangedDevice(DeviceNames):
    organization_name: str | None
    from_billing_status: Literal["billable", "spare"]
    to_billing_status: Literal["billable", "spare"]
    change_date: dt.date | None


class DeviceChanges(BaseModel):
    added: list[AddedDevice]
    removed: list[RemovedDevice]
    org_changed: list[MovedDevice]
    billing_changed: list[BillingChangedDevice]


class UsageMetadata(BaseModel):
    vendor_id: int
    vendor_name: str
    query_time_ms: int
    detail_level: Literal["summary", "full"]
    data_retention_note: str
    excluded_organizations: list[str]
    vm_guests_excluded: bool
    organization_filter: str | None = Field(default=None, description="Only when an organisation was given")


class UsageChangesData(BaseModel):
    start_date: dt.date
    end_date: dt.date
    summary: UsageSummary
    by_organization: dict[str, OrganizationChanges]
    changes: DeviceChanges | None = Field(default=None, description="Only with detail_level=full")
    metadata: UsageMetadata


class UsageChanges(BaseModel):
    success: Literal[True]
    data: UsageChangesData


class DayRange(BaseModel):
    start: dt.date
    end: dt.date


class NinjaDatesData(BaseModel):
    dates: list[dt.date]
    count: int
    range: DayRange


class NinjaDates(BaseModel):
    success: Literal[True]
    data: NinjaDatesData
