"""The answers of the Windows 11 24H2 read routes (``reference/response-shapes.md`` §6), field for field."""

from __future__ import annotations

from typing import Literal

from assessment.schemas import Counts, Shape, Verdict


class CompatibilityStatus(Counts):
    compatible_devices: int
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
