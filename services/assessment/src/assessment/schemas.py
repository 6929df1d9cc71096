"""The answers of the Windows 11 24H2 routes (``reference/response-shapes.md`` §6), field for field.

Each model forbids undeclared fields, so a route that adds a field without declaring it fails its tests
instead of publishing an answer the document does not describe.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


Verdict = Literal["compatible", "compatible_after_fix", "incompatible", "not_assessed"]


class Counts(Shape):
    total_windows_devices: int
    total_compatible_devices: int
    already_compatible_devices: int
    compatible_for_upgrade_devices: int
    compatible_after_fix_devices: int
    incompatible_devices: int
    not_assessed_devices: int
    excluded_devices: int


class CompatibilityStatus(Shape):
    total_windows_devices: int
    compatible_devices: int
    total_compatible_devices: int
    already_compatible_devices: int
    compatible_for_upgrade_devices: int
    compatible_after_fix_devices: int
    incompatible_devices: int
    not_assessed_devices: int
    excluded_devices: int
    compatibility_rate: float | int
    last_assessment: str | None
    snapshot_date: str | None
    previous_assessment_date: str | None
    newly_incompatible_devices: int


class Requirement(Shape):
    requirement: str
    status: Literal["PASS", "FAIL", "ERROR"]
    current_value: str | None
    required: str | None
    reason: str | None
    remediation: str | None
    key: str
    fixable: bool


class Device(Shape):
    device_id: int
    organization: str
    location: str
    system_name: str
    hostname: str
    display_name: str
    device_type: str
    billable_status: Literal["Spare", "Billable", "Not Billable"]
    status: str
    verdict: Verdict
    reason: str | None
    os_name: str | None
    os_build: str | None
    os_version: str | None
    os_architecture: str | None
    snapshot_date: str
    assessment_date: str | None
    last_update: str | None
    last_contact: str | None
    cpu_model: str
    memory_gib: float | None
    system_manufacturer: str
    system_model: str


class IncompatibleDevice(Device):
    deficiencies: list[Requirement]
    previous_verdict: Verdict | None
    newly_incompatible: bool


class CompatibleDevice(Device):
    passed_requirements: list[Requirement]
    required_fixes: list[Requirement]
    already_installed: bool


class NotAssessedDevice(Device):
    deficiencies: list[Requirement]
    passed_requirements: list[Requirement]


class OrganizationCount(Shape):
    organization: str
    device_count: int


class _Listing(Shape):
    total_count: int
    data_source: str
    last_updated: str
    snapshot_date: str | None
    previous_assessment_date: str | None
    organization: str | None
    by_organization: list[OrganizationCount]
    returned_count: int
    limit: int | None
    offset: int


class IncompatibleList(_Listing):
    incompatible_devices: list[IncompatibleDevice]


class CompatibleList(_Listing):
    compatible_devices: list[CompatibleDevice]


class NotAssessedList(_Listing):
    not_assessed_devices: list[NotAssessedDevice]


class HistoryEntry(Shape):
    snapshot_date: str
    verdict: Verdict
    reason: str | None
    assessment_date: str | None


class DeviceHistory(Shape):
    device_id: int
    history: list[HistoryEntry]


class RunResults(Counts):
    compatible_devices: int
    compatibility_rate: float | int


class RunAnswer(Shape):
    status: Literal["success"]
    message: str
    output: str
    timestamp: str
    snapshot_date: str
    results: RunResults
    duration_seconds: float


class RunFailed(BaseModel):
    """``POST /run`` failing: the bare error plus the status/flat fields of the spec."""

    model_config = ConfigDict(extra="allow")
    error: str
    status: Literal["error"]
    message: str
    output: str
