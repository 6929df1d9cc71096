"""The device search's answer."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel


class DeviceEntry(BaseModel):
    vendor: Literal["Ninja", "ThreatLocker"]
    hostname: str
    display_name: str | None
    organization_name: str | None
    snapshot_date: dt.date
    canonical_key: str
    match_key: str
    is_truncated: bool
    device_id: str | None
    site: str | None
    device_type: str | None
    billing_status: Literal["spare", "billable"] | None
    ninja_hostname: str | None
    threatlocker_hostname: str | None
    ninja_display_name: str | None
    threatlocker_display_name: str | None


class DeviceSearch(BaseModel):
    search_term: str
    total_results: int
    vendors_found: list[str]
    truncated_hostnames: int
    grouped_by_canonical_key: dict[str, list[DeviceEntry]]
    warning: str | None
    results_truncated: bool
    limit: int
