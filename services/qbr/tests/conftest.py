"""Fixtures of the qbr tests: the app in process, signed callers, hand-made Ninja snapshots written
through the collector's own code path, and the service's consumer on the real broker.

- ``qbr``: the QBR app (routes only, no broker) with ``HUB_INTERNAL_ORGANIZATIONS = Summit Tech
  Partners``; tables are emptied after each test (the ``database`` fixture).
- ``write_snapshot(database, day, devices)``: a Ninja snapshot as the collector writes it (its mapping
  and its snapshot store), from raw NinjaOne device records built by ``ninja_device``.
- ``bus_runtime``: the service with its consumer on the session's broker names (queue purged first).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
import pytest
import pytest_asyncio
from sqlalchemy import text

from collector_ninja.mapping import map_device
from collector_ninja.repository import store
from hub_shared.app import create_app
from hub_shared.cli import main as cli_main
from hub_shared.db import Database
from hub_shared.identity import issue_identity, sign_identity
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.plugin import start_consumers
from qbr.definition import SPEC
from qbr.settings import QbrSettings

INTERNAL = "Summit Tech Partners"
ALICE = "alice@example.com"
# Ninja organisations and locations of the hand-made snapshots (id → name).
ORGANIZATIONS = {1: INTERNAL, 2: "ChillCo Inc.", 3: "NNW Oil", 4: "Blue Ridge Law", 5: "Spares Only LLC"}
LOCATIONS = {10: "Main Office", 11: "Spare Shelf", 20: "Plant", 30: "Downtown", 50: "Warehouse"}


def ninja_device(device_id: int, organization: int, node_class: str, *, location: int = 10, name: str = "") -> dict:
    """A raw NinjaOne ``devices-detailed`` record (what the collector maps)."""
    hostname = f"HOST-{device_id}"
    return {
        "id": device_id,
        "uid": f"uid-{device_id}",
        "organizationId": organization,
        "locationId": location,
        "nodeClass": node_class,
        "displayName": name or hostname,
        "systemName": hostname,
        "dnsName": f"{hostname}.example.local",
    }


async def write_snapshot(database: Database, day: date, devices: Iterable[dict[str, Any]]) -> int:
    """Replace the Ninja snapshot of ``day`` the way the collector does (its mapping and snapshot store)."""
    rows = [
        map_device(
            raw,
            snapshot_date=day,
            organizations=ORGANIZATIONS,
            locations=LOCATIONS,
            custom_fields=None,
            tpm_fields=["hastpm", "tpmenabled", "tpmversion", "securebootavailable", "securebootenabled"],
        )
        for raw in devices
    ]
    async with database.transaction() as session:
        await store.lock(session)
        await store.clear_day(session, day)
        await store.copy_rows(session, rows)
        await store.record_snapshot(session, day, len(rows), None, None)
    return len(rows)


def signed(settings: QbrSettings, user: str = ALICE, scopes: tuple[str, ...] = ("*",)) -> dict[str, str]:
    """The identity header the gateway sends for a signed-in person (or a token with ``scopes``)."""
    identity = issue_identity(user, "session", email=user, scopes=scopes)
    return {"x-hub-identity": sign_identity(identity, settings.hub_internal_signing_key, audience="qbr")}


@dataclass
class QbrApp:
    http: httpx.AsyncClient
    settings: QbrSettings
    database: Database

    @property
    def alice(self) -> dict[str, str]:
        return signed(self.settings)

    async def get(self, path: str, **params: Any) -> httpx.Response:
        return await self.http.get(path, params=params, headers=self.alice)

    async def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.post(path, json=body, headers=self.alice if headers is None else headers)

    async def manual(self, period: str, metrics: dict[str, float | int], **extra: Any) -> httpx.Response:
        body = {
            "period": period,
            "metrics": [{"metric_name": name, "metric_value": value} for name, value in metrics.items()],
            **extra,
        }
        return await self.post("/api/qbr/metrics/manual", body)

    async def rows(self, sql: str, **params: Any) -> list[Any]:
        async with self.database.transaction() as session:
            return list((await session.execute(text(sql), params)).mappings())


@pytest_asyncio.fixture
async def qbr_settings(service_settings: Callable[..., Any]) -> Callable[..., QbrSettings]:
    def build(**overrides: Any) -> QbrSettings:
        settings = service_settings(SPEC, **{"hub_internal_organizations": [INTERNAL], **overrides})
        assert isinstance(settings, QbrSettings)
        return settings

    return build


@pytest_asyncio.fixture
async def qbr(database: Database, qbr_settings: Callable[..., QbrSettings]) -> AsyncIterator[QbrApp]:
    settings = qbr_settings()
    runtime = ServiceRuntime(SPEC, settings, run_worker=False)
    app = create_app(runtime)
    try:
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://qbr") as http:
            yield QbrApp(http, settings, database)
    finally:
        await runtime.database.dispose()


@pytest_asyncio.fixture
async def bus_runtime(
    database: Database, qbr_settings: Callable[..., QbrSettings]
) -> AsyncIterator[Callable[..., Awaitable[ServiceRuntime]]]:
    """``await bus_runtime()``: the service's consumer on the real broker (no HTTP)."""
    started: list[ServiceRuntime] = []

    async def start(**overrides: Any) -> ServiceRuntime:
        settings = qbr_settings(**overrides)
        runtime = await start_consumers(SPEC, settings)
        started.append(runtime)
        return runtime

    try:
        yield start
    finally:
        for runtime in started:
            await runtime.stop()


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 15) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        assert asyncio.get_running_loop().time() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)


def error_of(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """The QBR error envelope with this status and code (asserted), as a dict."""
    assert response.status_code == status, response.text
    body: dict[str, Any] = response.json()
    assert body["success"] is False and body["error"]["code"] == code and body["error"]["status"] == status, body
    return body


def hand_made_fleet() -> list[dict[str, Any]]:
    """A Ninja fleet whose seats and endpoints per client were counted by hand (see EXPECTED_CLIENTS)."""
    return [
        # The MSP's own organisation: left out entirely.
        ninja_device(1, 1, "WINDOWS_WORKSTATION"),
        ninja_device(2, 1, "WINDOWS_WORKSTATION"),
        ninja_device(3, 1, "WINDOWS_SERVER"),
        # ChillCo: 3 Windows + 1 Mac workstation = 4 seats; + server + VM host = 6 endpoints.
        ninja_device(10, 2, "WINDOWS_WORKSTATION"),
        ninja_device(11, 2, "WINDOWS_WORKSTATION"),
        ninja_device(12, 2, "WINDOWS_WORKSTATION"),
        ninja_device(13, 2, "MAC"),
        ninja_device(14, 2, "WINDOWS_SERVER"),
        ninja_device(15, 2, "VMWARE_VM_HOST"),
        ninja_device(16, 2, "VMWARE_VM_GUEST"),  # a VM guest is not a billed device
        ninja_device(17, 2, "WINDOWS_WORKSTATION", location=11),  # at the spare shelf
        ninja_device(18, 2, "WINDOWS_WORKSTATION", name="Spare laptop"),  # "spare" in its name
        ninja_device(19, 2, "NMS_SWITCH"),  # network gear is not an endpoint
        # NNW Oil: 2 Linux workstations = 2 seats; + a Linux server = 3 endpoints.
        ninja_device(20, 3, "LINUX_WORKSTATION", location=20),
        ninja_device(21, 3, "LINUX_WORKSTATION", location=20),
        ninja_device(22, 3, "LINUX_SERVER", location=20),
        # Blue Ridge Law has only a VM guest, Spares Only only a spare: neither is listed.
        ninja_device(30, 4, "HYPERV_VMM_GUEST", location=30),
        ninja_device(50, 5, "WINDOWS_WORKSTATION", location=11),
    ]


EXPECTED_CLIENTS = [
    {"client_name": "ChillCo Inc.", "seats": 4, "endpoints": 6},
    {"client_name": "NNW Oil", "seats": 2, "endpoints": 3},
]


async def collect(app: QbrApp, day: date) -> Any:
    """Count a Ninja snapshot into its month, as the consumer does (same service function)."""
    from qbr.devices.service import collect_snapshot

    async with app.database.transaction() as session:
        return await collect_snapshot(session, app.settings, day)


async def run_cli(settings: QbrSettings, capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The service's command line in process (``hub_shared.cli.main`` with the qbr spec): exit code, out, err."""
    capsys.readouterr()  # only what the command prints
    # The command configures logging for the process; WARNING keeps request logs of later tests quiet.
    quiet = settings.model_copy(update={"log_level": "WARNING"})
    try:
        await asyncio.to_thread(cli_main, SPEC, list(argv), quiet)
        code = 0
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    captured = capsys.readouterr()
    return code, captured.out, captured.err
