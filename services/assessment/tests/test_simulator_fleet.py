"""End to end on a simulated fleet: gateway batch → Ninja collector → snapshot.completed → assessment.

The expected verdicts are derived here from the simulator's own hardware (its catalogue of processors,
OS builds, RAM, disks and TPM/Secure Boot profiles) with the domain rules applied by hand — a small
independent oracle, not the rules under test.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable
from typing import Any

from assessment.definition import SPEC
from hub_shared.app import create_app
from hub_shared.db import Database
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.plugin import purge_consumer_queues
from hub_shared.testing.servers import running_server

from .conftest import rows

# Every workstation processor the simulator draws from (vendor_sim.catalog.WORKSTATION_CPUS), judged by
# hand from domain-rules.md: Intel 8th gen+, Core Ultra, Core 5, Gemini Lake Celeron/Pentium Silver;
# AMD Zen+ and newer (Ryzen 2000 desktop non-G yes; 1000, 2000 G and mobile no); Qualcomm yes.
SUPPORTED_CPUS = {
    "Intel(R) Core(TM)2 Duo CPU     E8400  @ 3.00GHz": False,
    "Intel(R) Core(TM) i5-4590 CPU @ 3.30GHz": False,
    "Intel(R) Core(TM) i5-6500 CPU @ 3.20GHz": False,
    "Intel(R) Core(TM) i7-6700 CPU @ 3.40GHz": False,
    "Intel(R) Core(TM) i5-7200U CPU @ 2.50GHz": False,
    "Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz": False,
    "Intel(R) Core(TM) i5-8250U CPU @ 1.60GHz": True,
    "Intel(R) Core(TM) i7-8700 CPU @ 3.20GHz": True,
    "Intel(R) Core(TM) i5-8365U CPU @ 1.60GHz": True,
    "Intel(R) Core(TM) i5-9500 CPU @ 3.00GHz": True,
    "Intel(R) Core(TM) i7-10510U CPU @ 1.80GHz": True,
    "Intel(R) Core(TM) i5-10400 CPU @ 2.90GHz": True,
    "Intel(R) Core(TM) i7-10700 CPU @ 2.90GHz": True,
    "Intel(R) Core(TM) i5-1035G1 CPU @ 1.00GHz": True,
    "11th Gen Intel(R) Core(TM) i5-1135G7 @ 2.40GHz": True,
    "11th Gen Intel(R) Core(TM) i7-11700 @ 2.50GHz": True,
    "12th Gen Intel(R) Core(TM) i7-1255U": True,
    "12th Gen Intel(R) Core(TM) i5-12500": True,
    "13th Gen Intel(R) Core(TM) i7-1365U": True,
    "13th Gen Intel(R) Core(TM) i5-13500": True,
    "14th Gen Intel(R) Core(TM) i7-14700": True,
    "14th Gen Intel(R) Core(TM) i9-14900K": True,
    "Intel(R) Core(TM) Ultra 7 155H": True,
    "Intel(R) Core(TM) Ultra 5 125U": True,
    "Intel(R) Core(TM) 5 120U": True,
    "Intel(R) Celeron(R) CPU  N3060  @ 1.60GHz": False,
    "Intel(R) Celeron(R) N4020 CPU @ 1.10GHz": True,
    "Intel(R) Pentium(R) Silver N5030 CPU @ 1.10GHz": True,
    "AMD Phenom(tm) II X4 965 Processor": False,
    "AMD Ryzen 5 1600 Six-Core Processor": False,
    "AMD Ryzen 5 2500U with Radeon Vega Mobile Gfx": False,
    "AMD Ryzen 5 2400G with Radeon Vega Graphics": False,
    "AMD Ryzen 5 2600 Six-Core Processor": True,
    "AMD Ryzen 5 3600 6-Core Processor": True,
    "AMD Ryzen 5 3400G with Radeon Vega Graphics": True,
    "AMD Ryzen 7 3700U with Radeon Vega Mobile Gfx": True,
    "AMD Ryzen 7 4700U with Radeon Graphics": True,
    "AMD Ryzen 5 PRO 5650U with Radeon Graphics": True,
    "AMD Ryzen 5 5600X 6-Core Processor": True,
    "AMD Ryzen 7 5800H with Radeon Graphics": True,
    "AMD Ryzen 7 7730U with Radeon Graphics": True,
    "AMD Ryzen 5 7600 6-Core Processor": True,
    "AMD Ryzen 9 7950X 16-Core Processor": True,
    "Snapdragon(R) X Elite - X1E78100 - Qualcomm(R) Oryon(TM) CPU": True,
    "Snapdragon (TM) 8cx Gen 3 @ 3.0 GHz": True,
    "Microsoft SQ1 @ 3.0 GHz": True,
}


def firmware(tpm: tuple[str | None, ...]) -> str:
    """The TPM / Secure Boot custom fields → "ok", "fixable", "blocking" or "missing"."""
    has_tpm, enabled, version, boot_capable, boot_on = (value or "" for value in tpm)
    if not any((has_tpm, enabled, version, boot_capable, boot_on)):
        return "missing"  # fields never set, or set empty
    if has_tpm == "false" or version.startswith("1.") or boot_capable == "false":
        return "blocking"  # no TPM, TPM 1.2, or legacy BIOS
    if enabled == "false" or boot_on == "false":
        return "fixable"
    return "ok"


def expected_verdict(node_class: str, hw: Any) -> tuple[str, bool] | None:
    """(verdict, already installed) for a Windows workstation; None when out of scope."""
    if node_class != "WINDOWS_WORKSTATION" or hw is None:
        return None
    if hw.os.release in ("24H2", "25H2"):
        return "compatible", True
    state = firmware(hw.tpm)
    blocking = (
        not SUPPORTED_CPUS[hw.cpu.name]
        or hw.ram_gib < 4
        or hw.system_gib < 50  # a 64 GB drive shows ~59 GiB for C:
        or hw.os.architecture != "64-bit"
        or state == "blocking"
    )
    if blocking:
        return "incompatible", False
    if state == "missing":
        return "not_assessed", False
    return ("compatible_after_fix" if state == "fixable" else "compatible"), False


async def test_batch_reports_the_w24_job_and_counts_match_the_simulators_hardware(
    vendor_sim: Callable[..., Any],
    hub_factory: Callable[..., Any],
    database: Database,
    service_settings: Callable[..., Any],
) -> None:
    settings = service_settings(SPEC, job_heartbeat_seconds=1)
    await purge_consumer_queues(SPEC, settings)
    runtime = ServiceRuntime(SPEC, settings)
    with vendor_sim(devices=800, seed=24) as sim:
        async with running_server(create_app(runtime)) as assessment_url:
            hub = await hub_factory(sim, services=("collector_ninja",), gateway={"assessment_url": assessment_url})
            started = await hub.client.post(
                "/api/collectors/run", json={"collectors": ["ninja"], "run_cross_vendor": True}
            )
            assert started.status_code == 202, started.text
            jobs = {job["job_name"]: job["job_id"] for job in started.json()["collectors"]}
            w24 = jobs["windows-11-24h2-assessment"]
            assert w24.startswith("w24_")

            job = await wait_for_job(hub.client, w24)
            assert job["status"] == "completed", job
            assert job["progress_percent"] == 100
            assert "Windows 11 24H2" in job["message"]

            status = (await hub.client.get("/api/windows-11-24h2/status")).json()
        truth = sim.truth()

    fleet = sim.sim.fleet
    expected: dict[int, tuple[str, bool] | None] = {
        device_id: expected_verdict(m.kind.node_class, fleet.hardware(m.slot))
        for device_id, m, _, _ in fleet.iter_ninja(sim.sim.day, None)
    }
    stored = await rows(database, "SELECT device_id, verdict, already_installed FROM assessment.device_results")
    actual = {row[0]: (row[1], row[2]) for row in stored}
    # Every Windows workstation has its expected verdict; nothing else has a stored result.
    in_scope = {device_id: value for device_id, value in expected.items() if value is not None}
    mismatches = {key: (in_scope.get(key), actual.get(key)) for key in in_scope.keys() | actual.keys()
                  if in_scope.get(key) != actual.get(key)}  # fmt: skip
    assert not mismatches

    tally = Counter(value for value in expected.values() if value is not None)
    assert status["total_windows_devices"] == truth["ninja"]["windows_workstations"] == sum(tally.values())
    assert status["already_compatible_devices"] == tally[("compatible", True)]
    assert status["compatible_after_fix_devices"] == tally[("compatible_after_fix", False)]
    assert status["compatible_for_upgrade_devices"] == (
        tally[("compatible", False)] + tally[("compatible_after_fix", False)]
    )
    assert status["incompatible_devices"] == tally[("incompatible", False)]
    assert status["not_assessed_devices"] == tally[("not_assessed", False)]
    assert status["excluded_devices"] == sum(1 for value in expected.values() if value is None)
    # A realistic mix: every bucket is populated.
    assert all(tally[key] > 0 for key in [("compatible", True), ("compatible", False), ("incompatible", False),
                                          ("compatible_after_fix", False), ("not_assessed", False)])  # fmt: skip


async def wait_for_job(client: Any, job_id: str, timeout: float = 60) -> dict[str, Any]:
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        response = await client.get(f"/api/collectors/runs/job/{job_id}")
        if response.status_code == 200:
            job = response.json()
            job = job.get("job", job)
            if job["status"] in ("completed", "failed", "cancelled"):
                return dict(job)
        assert asyncio.get_running_loop().time() < deadline, f"job {job_id} did not finish: {response.text}"
        await asyncio.sleep(0.2)
