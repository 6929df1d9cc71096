"""Wall-clock figures that tests used to assert (and that a loaded machine made flaky): measured here instead.

1. TenantSweep bulk findings: ``POST /api/tenantsweep/audits/<id>/findings/bulk`` with 5,000 and 12,000
   findings (each with a quoted multi-line value and JSON details, as the test sends), against the service's
   app on a real port and a throwaway database, called the way the gateway calls it (signed identity).
   Goal: 5,000 findings ≤ 5 s (the figure the test asserted).
2. The vendor simulator's ``delay`` fault: a ThreatLocker page with a 150 ms delay, and the next page after the
   fault is used up. Goal: delayed ≥ 150 ms, undelayed < 150 ms (the figures the test asserted).

Run: ``.venv/bin/python bench/timings_bench.py [--repeat 5]``; results are appended to ``bench/RESULTS.md``.
``BENCH_DATABASE_SERVER`` picks the PostgreSQL server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql+asyncpg://postgres@127.0.0.1:5432")
SIGNING_KEY = "bench-signing-key-" + uuid.uuid4().hex


def findings(count: int) -> list[dict[str, Any]]:
    severities = ["Critical", "High", "Medium", "Low", "Info"]
    return [
        {
            "check_id": f"CHECK_{i:05d}",
            "check_name": f"Check {i}",
            "severity": severities[i % 5],
            "status": ["pass", "fail", "warning", "error"][i % 4],
            "current_value": f'value {i}, "quoted"\nsecond line',
            "details": {"index": i, "tags": ["a", "b"]},
        }
        for i in range(count)
    ]


async def tenantsweep_bulk(database_url: str, sizes: list[int], repeat: int) -> dict[int, list[float]]:
    from hub_shared.app import create_app
    from hub_shared.identity import issue_identity, sign_identity
    from hub_shared.runtime import ServiceRuntime
    from hub_shared.testing.servers import running_server
    from tenantsweep.definition import SPEC
    from tenantsweep.settings import TenantSweepSettings

    settings = TenantSweepSettings(database_url=database_url, hub_internal_signing_key=SIGNING_KEY, log_json=False)
    runtime = ServiceRuntime(SPEC, settings, run_worker=False)
    identity = issue_identity("bench", "session", email="bench@example.com", name="bench", scopes=("*",))
    headers = {
        "x-hub-identity": sign_identity(identity, SIGNING_KEY, audience="tenantsweep"),
        "content-type": "application/json",
    }
    walls: dict[int, list[float]] = {}
    async with running_server(create_app(runtime)) as url, httpx.AsyncClient(base_url=url, timeout=120) as client:
        for size in sizes:
            body = json.dumps({"findings": findings(size)})
            for _ in range(repeat):
                created = await client.post(
                    "/api/tenantsweep/audits", json={"tenant_name": "Bench", "tenant_id": "bench"}, headers=headers
                )
                audit_id = created.json()["data"]["id"]
                started = time.perf_counter()
                response = await client.post(
                    f"/api/tenantsweep/audits/{audit_id}/findings/bulk", content=body, headers=headers
                )
                walls.setdefault(size, []).append(time.perf_counter() - started)
                assert response.status_code == 201, response.text
                assert response.json()["data"]["created_count"] == size
    return walls


async def simulator_delay(repeat: int) -> tuple[list[float], list[float]]:
    from vendor_sim.app import serve_in_thread
    from vendor_sim.config import SimConfig

    delayed: list[float] = []
    undelayed: list[float] = []
    config = SimConfig(devices=200, seed=1)
    with serve_in_thread(config) as (url, _sim):
        body = {
            "searchText": "", "searchBy": 1, "computerGroup": "00000000-0000-0000-0000-000000000000",
            "orderBy": "computername", "isAscending": True, "pageSize": 10, "pageNumber": 1,
            "childOrganizations": True, "action": "", "kindOfAction": "", "showLastCheckIn": True,
            "showDeleted": False, "isExport": False,
        }  # fmt: skip
        headers = {"Authorization": config.tl_api_key, "managedOrganizationId": config.tl_parent_org_id}
        async with httpx.AsyncClient(base_url=url, timeout=30) as client:
            for _ in range(repeat):
                fault = {"kind": "delay", "target": "tl.computers", "ms": 150, "count": 1}
                (await client.post("/_sim/faults", json=fault)).raise_for_status()
                for bucket in (delayed, undelayed):
                    started = time.perf_counter()
                    response = await client.post("/portalapi/Computer/ComputerGetByAllParameters", json=body,
                                                 headers=headers)  # fmt: skip
                    bucket.append(time.perf_counter() - started)
                    assert response.status_code == 200, response.text
    return delayed, undelayed


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from hub_shared.devtools import drop_database, ensure_database, migrate_all
    from hub_shared.logging import configure_logging

    configure_logging("bench", "WARNING", False)
    database_url = f"{SERVER}/hub_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_database(database_url))
    try:
        migrate_all(database_url)
        bulk = asyncio.run(tenantsweep_bulk(database_url, [5000, 12000], args.repeat))
    finally:
        asyncio.run(drop_database(database_url))
    delayed, undelayed = asyncio.run(simulator_delay(args.repeat))
    lines = [
        f"\n## Timings moved out of tests — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, PostgreSQL on "
        f"the same machine; load average {os.getloadavg()[0]:.1f} at the end. {args.repeat} repeats each.\n",
        "| measurement | median | max | goal |",
        "|---|---:|---:|---|",
    ]
    for size, walls in bulk.items():
        goal = ("met" if statistics.median(walls) <= 5 else "missed") if size == 5000 else "—"
        lines.append(
            f"| TenantSweep bulk, {size:,} findings (one request, COPY) | {statistics.median(walls):.2f} s "
            f"| {max(walls):.2f} s | {'≤ 5 s: ' + goal if size == 5000 else goal} |"
        )
    slow_ok = "met" if min(delayed) >= 0.15 else "missed"
    fast_ok = "met" if max(undelayed) < 0.15 else "missed"
    lines.append(
        f"| simulator, TL page with a 150 ms delay fault | {statistics.median(delayed) * 1000:.0f} ms "
        f"| {max(delayed) * 1000:.0f} ms | ≥ 150 ms: {slow_ok} |"
    )
    lines.append(
        f"| simulator, next TL page (fault used up) | {statistics.median(undelayed) * 1000:.1f} ms "
        f"| {max(undelayed) * 1000:.1f} ms | < 150 ms: {fast_ok} |"
    )
    print("\n".join(lines))
    with RESULTS.open("a") as results_file:
        results_file.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
