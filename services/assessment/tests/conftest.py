"""Fixtures of the assessment tests: hand-made Ninja snapshots, the app, and a runtime on the real bus.

Tests may seed ``ninja.snapshots`` / ``ninja.snapshot_devices`` directly (the collector's tables): the
service itself only ever reads the published ``*_v1`` views.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from datetime import UTC, date, datetime
from typing import Any

import httpx
import pytest_asyncio
from sqlalchemy import text

from assessment.definition import SPEC
from assessment.settings import AssessmentSettings
from hub_shared.app import create_app
from hub_shared.db import Database
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.plugin import start_consumers

GiB = 1024**3

# A Windows 10 workstation that meets every requirement.
READY: dict[str, Any] = {
    "organization_id": 1,
    "organization_name": "Acme Dental",
    "location_id": 10,
    "location_name": "Main Office",
    "node_class": "WINDOWS_WORKSTATION",
    "device_type": "workstation",
    "approval_status": "APPROVED",
    "offline": False,
    "is_spare": False,
    "is_billable": True,
    "os_name": "Windows 10 Professional Edition",
    "os_build": 19045,
    "os_release_id": "22H2",
    "os_architecture": "64-bit",
    "system_manufacturer": "Dell Inc.",
    "system_model": "Latitude 5420",
    "serial_number": "ABC123",
    "is_virtual_machine": False,
    # The replaced system read this model number as 1051 and failed it.
    "cpu_model": "Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz",
    "cpu_cores": 4,
    "cpu_logical_cores": 8,
    "cpu_max_clock_mhz": 2304,
    "ram_bytes": 16 * GiB,
    "system_volume_bytes": 237 * GiB,
    "has_tpm": True,
    "tpm_enabled": True,
    "tpm_version": "2.0, 0, 1.38",
    "secure_boot_available": True,
    "secure_boot_enabled": True,
    "last_contact": datetime(2031, 3, 9, 14, 30, 5, 123456, tzinfo=UTC),
    "last_update": datetime(2031, 3, 9, 14, 29, 0, tzinfo=UTC),
    "device_created": datetime(2029, 1, 1, tzinfo=UTC),
}

DEVICE_COLUMNS = (
    "snapshot_date", "device_id", "device_uid", "organization_id", "organization_name", "location_id",
    "location_name", "node_class", "device_type", "display_name", "system_name", "dns_name", "hostname",
    "match_key", "is_spare", "is_billable", "approval_status", "offline", "os_name", "os_build",
    "os_release_id", "os_architecture", "system_manufacturer", "system_model", "serial_number",
    "is_virtual_machine", "cpu_model", "cpu_cores", "cpu_logical_cores", "cpu_max_clock_mhz", "ram_bytes",
    "system_volume_bytes", "has_tpm", "tpm_enabled", "tpm_version", "secure_boot_available",
    "secure_boot_enabled", "last_contact", "last_update", "device_created",
)  # fmt: skip


def device(device_id: int, hostname: str, **changes: Any) -> dict[str, Any]:
    """A snapshot row: the READY workstation with ``changes`` applied."""
    row = {**READY, "device_id": device_id, "hostname": hostname, **changes}
    row.setdefault("display_name", f"{hostname} display")
    row.setdefault("system_name", hostname)
    return row


async def seed_snapshot(
    database: Database,
    day: date,
    devices: Iterable[dict[str, Any]],
    *,
    collected_at: datetime | None = None,
) -> None:
    """Replace the Ninja snapshot of ``day`` with these devices (as the collector would)."""
    rows = []
    for item in devices:
        row = {column: item.get(column) for column in DEVICE_COLUMNS}
        row["snapshot_date"] = day
        row["match_key"] = str(item["hostname"]).lower()
        row["device_uid"] = f"uid-{item['device_id']}"
        rows.append(row)
    async with database.transaction() as session:
        await session.execute(text("DELETE FROM ninja.snapshot_devices WHERE snapshot_date = :day"), {"day": day})
        if rows:
            await session.execute(
                text(
                    f"INSERT INTO ninja.snapshot_devices ({', '.join(DEVICE_COLUMNS)}) "
                    f"VALUES ({', '.join(':' + column for column in DEVICE_COLUMNS)})"
                ),
                rows,
            )
        await session.execute(
            text(
                "INSERT INTO ninja.snapshots (snapshot_date, device_count, collected_at) VALUES (:day, :count, :at) "
                "ON CONFLICT (snapshot_date) DO UPDATE SET device_count = EXCLUDED.device_count, "
                "collected_at = EXCLUDED.collected_at"
            ),
            {"day": day, "count": len(rows), "at": collected_at or datetime(2031, 3, 10, 6, 0, tzinfo=UTC)},
        )


async def scalar(database: Database, sql: str, **params: Any) -> Any:
    async with database.transaction() as session:
        return await session.scalar(text(sql), params)


async def rows(database: Database, sql: str, **params: Any) -> list[Any]:
    async with database.transaction() as session:
        return list((await session.execute(text(sql), params)).all())


@pytest_asyncio.fixture
async def assessment_settings(service_settings: Callable[..., Any]) -> Callable[..., AssessmentSettings]:
    def build(**overrides: Any) -> AssessmentSettings:
        settings = service_settings(SPEC, **{"job_heartbeat_seconds": 1, **overrides})
        assert isinstance(settings, AssessmentSettings)
        return settings

    return build


async def app_client(settings: AssessmentSettings) -> AsyncIterator[httpx.AsyncClient]:
    runtime = ServiceRuntime(SPEC, settings, run_worker=False)
    app = create_app(runtime)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://assessment") as http:
            yield http
    finally:
        await runtime.database.dispose()


@pytest_asyncio.fixture
async def client(
    database: Database, assessment_settings: Callable[..., AssessmentSettings]
) -> AsyncIterator[httpx.AsyncClient]:
    """The assessment app in process (routes only: no broker, no workers); tables emptied afterwards."""
    async for http in app_client(assessment_settings()):
        yield http


@pytest_asyncio.fixture
async def validating_client(assessment_settings: Callable[..., AssessmentSettings]) -> AsyncIterator[httpx.AsyncClient]:
    """The same app for requests that must be refused before touching any table (no clean-up needed)."""
    async for http in app_client(assessment_settings()):
        yield http


@pytest_asyncio.fixture
async def bus_runtime(
    database: Database, assessment_settings: Callable[..., AssessmentSettings]
) -> AsyncIterator[Callable[..., Any]]:
    """``await bus_runtime(**settings)``: the service's consumers on the real broker (no outbox relay, so
    nothing it emits leaves the test database)."""
    started: list[ServiceRuntime] = []

    async def start(**overrides: Any) -> ServiceRuntime:
        settings = assessment_settings(**overrides)
        runtime = await start_consumers(SPEC, settings)
        started.append(runtime)
        return runtime

    try:
        yield start
    finally:
        for runtime in started:
            await runtime.stop()


# A hand-made fleet with known hardware: device id → (row, expected verdict, in scope).
D1 = date(2031, 3, 10)
D2 = date(2031, 3, 11)


def hand_made_fleet() -> dict[int, tuple[dict[str, Any], str, bool]]:
    blue = {"organization_id": 2, "organization_name": "Blue Ridge Law"}
    fleet = {
        1: (device(1, "ACME-READY"), "compatible", True),
        2: (device(2, "ACME-ON24H2", os_name="Windows 11 Professional Edition", os_build=26100, os_release_id="24H2"),
            "compatible", True),
        # Already on 25H2, although the processor is not supported: already installed wins.
        3: (device(3, "ACME-ON25H2", os_name="Windows 11 Professional Edition", os_build=26200, os_release_id="25H2",
                   cpu_model="Intel(R) Core(TM) i5-6500 CPU @ 3.20GHz"), "compatible", True),
        4: (device(4, "ACME-NOTPMDATA", has_tpm=None, tpm_enabled=None, tpm_version=None), "not_assessed", True),
        5: (device(5, "BR-TPMOFF", tpm_enabled=False, tpm_version="2.0", **blue), "compatible_after_fix", True),
        6: (device(6, "BR-SBOFF", secure_boot_enabled=False, **blue), "compatible_after_fix", True),
        7: (device(7, "BR-OLDCPU", cpu_model="Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz", **blue), "incompatible", True),
        8: (device(8, "ACME-2GB", ram_bytes=2 * GiB), "incompatible", True),
        9: (device(9, "ACME-SRV01", node_class="WINDOWS_SERVER", device_type="server",
                   os_name="Windows Server 2022 Standard Edition", os_build=20348, os_release_id="21H2"),
            "not_assessed", False),
        10: (device(10, "ACME-MAC", node_class="MAC", os_name="macOS Sonoma", os_build=None, os_release_id="14.5",
                    cpu_model="Apple M1", has_tpm=None, tpm_enabled=None, tpm_version=None,
                    secure_boot_available=None, secure_boot_enabled=None), "not_assessed", False),
        11: (device(11, "ACME-VM7", node_class="VMWARE_VM_GUEST", device_type="vm_guest", os_name=None),
             "not_assessed", False),
        12: (device(12, "BR-LEGACYBIOS", secure_boot_available=False, secure_boot_enabled=False, **blue),
             "incompatible", True),
        13: (device(13, "ACME-32BIT", os_architecture="32-bit"), "incompatible", True),
        # The replaced system passed AMD only on "3000"…"7000" substrings, so it failed this one.
        14: (device(14, "BR-RYZEN", cpu_model="AMD Ryzen 5 3600 6-Core Processor", **blue), "compatible", True),
        15: (device(15, "ACME-TPM12", tpm_version="1.2"), "incompatible", True),
        16: (device(16, "NOORG-PC", organization_id=None, organization_name=None), "compatible", True),
    }  # fmt: skip
    return fleet


# What the hand-made fleet's status must say (counted by hand, not by the code under test).
HAND_MADE_COUNTS = {
    "total_windows_devices": 13,
    "total_compatible_devices": 7,  # 1, 2, 3, 14, 16 compatible + 5, 6 after a fix
    "already_compatible_devices": 2,  # 2, 3
    "compatible_for_upgrade_devices": 5,  # 1, 14, 16, 5, 6
    "compatible_after_fix_devices": 2,  # 5, 6
    "incompatible_devices": 5,  # 7, 8, 12, 13, 15
    "not_assessed_devices": 1,  # 4
    "excluded_devices": 3,  # 9, 10, 11
}
