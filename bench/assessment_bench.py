"""Windows 11 24H2 assessment benchmark: 600, 10k and 100k devices end to end, and ``POST /run``.

1. A throwaway database gets every migration and one Ninja snapshot per size, written with COPY exactly as
   the collector stores them: devices from the vendor simulator's fleet (its catalogue of real processor,
   OS, RAM, disk and TPM/Secure Boot situations), mapped by the collector's own ``map_device``.
2. Each size is assessed in its own child process (cold rule caches, its own peak RSS), through the
   service function ``assessment.runs.service.assess_snapshot``: stream the snapshot from
   ``ninja.snapshot_devices_v1``, assess every device, insert the results, write the run and the outbox
   event, commit. Wall time: first (cold) run and the median of the repeats. Memory: the child's peak RSS
   (interpreter and imports included; the baseline before the first run is shown too) and the Python heap
   peak of one extra run under tracemalloc (tracing slows Python code, so it is never timed).
3. ``POST /api/windows-11-24h2/run`` over HTTP (uvicorn on a real port) for the 600-device snapshot, which
   is the latest: cold request and median.

Run: ``.venv/bin/python bench/assessment_bench.py [--sizes 600,10000,100000] [--repeat 3]``; results are
appended to ``bench/RESULTS.md``. ``BENCH_DATABASE_SERVER`` picks the PostgreSQL server.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql+asyncpg://postgres@127.0.0.1:5432")
# Larger sizes get earlier dates, so the smallest (600) snapshot is the latest one POST /run assesses.
FIRST_DAY = date(2030, 1, 1)


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# --------------------------------------------------------------------------------------------- seeding


async def seed(database_url: str, size: int, day: date) -> None:
    """One Ninja snapshot of ``size`` simulated devices, COPYed as the collector writes it."""
    from collector_ninja.mapping import map_device
    from collector_ninja.repository import store
    from hub_shared.db import Database
    from vendor_sim.config import SimConfig
    from vendor_sim.fleet import Fleet

    config = SimConfig(devices=size, seed=1)
    fleet = Fleet(config)
    fields = list(config.tpm_fields)
    database = Database(database_url)
    try:
        async with database.transaction() as session:
            await store.clear_day(session, day)
            page: list[tuple[Any, ...]] = []
            count = 0
            for _device_id, machine, state, record in fleet.iter_ninja(0, None):
                raw = fleet.ninja_device(machine, state, record, 0, detailed=True)
                page.append(
                    map_device(
                        raw,
                        snapshot_date=day,
                        organizations={},
                        locations={},
                        custom_fields=fleet.custom_fields(machine),
                        tpm_fields=fields,
                    )
                )
                if len(page) == 5000:
                    await store.copy_rows(session, page)
                    count += len(page)
                    page = []
            await store.copy_rows(session, page)
            count += len(page)
            await store.record_snapshot(session, day, count, None, None)
        assert count == size, (count, size)
    finally:
        await database.dispose()


# ----------------------------------------------------------------------------------- child: one size


async def child(database_url: str, day: date, repeat: int) -> dict[str, Any]:
    from assessment.runs.service import assess_snapshot
    from hub_shared.db import Database

    database = Database(database_url)
    baseline = rss_mb()
    walls: list[float] = []
    cpus: list[float] = []
    summary = None
    try:
        for _ in range(repeat):
            started, cpu = time.perf_counter(), time.process_time()
            async with database.transaction() as session:
                summary = await assess_snapshot(session, day, trigger="cli", producer="bench")
            walls.append(time.perf_counter() - started)
            cpus.append(time.process_time() - cpu)
        peak_rss = rss_mb()
        tracemalloc.start()
        async with database.transaction() as session:
            await assess_snapshot(session, day, trigger="cli", producer="bench")
        heap_peak = tracemalloc.get_traced_memory()[1] / 1024 / 1024
        tracemalloc.stop()
    finally:
        await database.dispose()
    assert summary is not None
    return {
        "devices": summary.device_count,
        "windows": summary.counts["total_windows_devices"],
        "walls": walls,
        "cpus": cpus,
        "baseline_rss_mb": baseline,
        "peak_rss_mb": peak_rss,
        "heap_peak_mb": heap_peak,
    }


# ------------------------------------------------------------------------------------ POST /run


async def post_run(database_url: str, repeat: int) -> tuple[list[float], dict[str, Any]]:
    from assessment.definition import SPEC
    from assessment.settings import AssessmentSettings
    from hub_shared.app import create_app
    from hub_shared.runtime import ServiceRuntime
    from hub_shared.testing.servers import running_server

    settings = AssessmentSettings(database_url=database_url, log_level="WARNING")
    runtime = ServiceRuntime(SPEC, settings, run_worker=False)
    walls: list[float] = []
    body: dict[str, Any] = {}
    async with running_server(create_app(runtime)) as url, httpx.AsyncClient(base_url=url, timeout=300) as client:
        for _ in range(repeat):
            started = time.perf_counter()
            response = await client.post("/api/windows-11-24h2/run")
            walls.append(time.perf_counter() - started)
            response.raise_for_status()
            body = response.json()
    return walls, body


# ------------------------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="600,10000,100000")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", nargs=2, metavar=("DATABASE_URL", "DAY"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        result = asyncio.run(child(args.child[0], date.fromisoformat(args.child[1]), args.repeat))
        print(json.dumps(result))
        return

    os.environ.setdefault("LOG_LEVEL", "WARNING")
    from hub_shared.devtools import drop_database, ensure_database, migrate_all
    from hub_shared.logging import configure_logging

    configure_logging("bench", "WARNING", False)
    sizes = sorted((int(size) for size in args.sizes.split(",")), reverse=True)
    database_url = f"{SERVER}/hub_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_database(database_url))
    lines = [
        f"\n## Windows 11 24H2 assessment — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        "PostgreSQL on the same machine. Goal: 100k devices ≤ 5 s; `POST /run` for 600 devices ≤ 1 s "
        "(the replaced system: 2–5 minutes for 600).\n",
        "End to end through `assessment.runs.service.assess_snapshot`: stream the snapshot's hardware columns from "
        "`ninja.snapshot_devices_v1` in chunks of 5,000, assess every device, and per chunk one `INSERT … SELECT` "
        "that joins each device's outcome (distinct outcomes COPYed once to a scratch table) to its snapshot row "
        "— the database inserts one chunk while Python assesses the next; then the run and the outbox event, "
        "commit. Each size in its own process (cold rule caches); the date is re-assessed, so the previous "
        "results of that date are deleted too. Devices: the vendor simulator's fleet as the collector stores "
        "it; every device goes through the rules, Windows workstations get a stored result (servers, Macs, VM "
        "guests are only counted). *Python CPU* is the benchmark process's own CPU time (the rest of the wall "
        "time is PostgreSQL, partly overlapped); *load avg* is the machine's 1-minute load when the size "
        "finished — other work on this shared machine slows every figure.\n",
        "| devices | Windows workstations | cold s | median s | devices/s (median) | Python CPU s (median) "
        "| peak RSS MB (baseline) | Python heap peak MB | load avg |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    try:
        migrate_all(database_url)
        days = {size: FIRST_DAY + timedelta(days=index) for index, size in enumerate(sizes)}
        for size, day in days.items():
            started = time.perf_counter()
            asyncio.run(seed(database_url, size, day))
            print(f"seeded {size:,} devices in {time.perf_counter() - started:.1f} s", flush=True)
        results: dict[int, dict[str, Any]] = {}
        for size in sorted(sizes):
            output = subprocess.run(
                [sys.executable, __file__, "--repeat", str(args.repeat), "--child", database_url,
                 days[size].isoformat()],
                capture_output=True, text=True, check=True, timeout=1800, env={**os.environ},
            ).stdout  # fmt: skip
            result = json.loads(output.strip().splitlines()[-1])
            results[size] = result
            walls = result["walls"]
            median = statistics.median(walls[1:] or walls)
            cpu = statistics.median(result["cpus"][1:] or result["cpus"])
            lines.append(
                f"| {result['devices']:,} | {result['windows']:,} | {walls[0]:.3f} | {median:.3f} "
                f"| {result['devices'] / median:,.0f} | {cpu:.3f} | {result['peak_rss_mb']:.0f} "
                f"({result['baseline_rss_mb']:.0f}) | {result['heap_peak_mb']:.1f} | {os.getloadavg()[0]:.1f} |"
            )
            print(lines[-1], flush=True)
        smallest = min(sizes)
        walls, body = asyncio.run(post_run(database_url, max(args.repeat, 5)))
        assert body["snapshot_date"] == days[smallest].isoformat(), body
        lines.append(
            f"\n`POST /api/windows-11-24h2/run` over HTTP, latest snapshot = {smallest:,} devices "
            f"({body['results']['total_windows_devices']:,} Windows workstations): cold {walls[0] * 1000:.0f} ms, "
            f"median {statistics.median(walls[1:] or walls) * 1000:.0f} ms over {len(walls)} requests.\n"
        )
        print(lines[-1], flush=True)
    finally:
        asyncio.run(drop_database(database_url))
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by `make bench`; newest sections last.\n")
    with RESULTS.open("a") as results_file:
        results_file.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
