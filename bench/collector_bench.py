"""Collector benchmark: collection wall time, write throughput against the COPY ceiling, peak memory.

For each fleet size the simulator serves N Ninja devices (and the matching ThreatLocker fleet):
1. Full collection: ``python -m <collector> collect`` as a child process against the simulator — wall
   time, devices per second, peak RSS (the child's maximum resident set).
2. Write path vs ceiling, on the same machine and the same rows: the collector's own per-page work
   (map every raw device + COPY page by page) against a raw COPY of the already-mapped rows.

Run: ``.venv/bin/python bench/collector_bench.py [--sizes 10000,100000]``; results are appended to
``bench/RESULTS.md``.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import os
import platform
import subprocess
import sys
import time
import uuid
from datetime import UTC, date, datetime
from pathlib import Path

import httpx

from collector_ninja.client import NinjaClient
from collector_ninja.repository import store
from collector_ninja.service import PageMapper, prepare_mapper
from collector_ninja.settings import NinjaCollectorSettings
from hub_shared.db import Database
from hub_shared.devtools import drop_database, ensure_database, migrate_all
from vendor_sim.app import serve_in_thread
from vendor_sim.config import SimConfig

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql+asyncpg://postgres@127.0.0.1:5432")


async def write_path(database_url: str, sim_url: str) -> tuple[int, float, float, float]:
    """Rows/s of the same Ninja devices three ways: map + write, write only, raw COPY (the ceiling).

    "Write" is the collector's own COPY pipeline (batched COPYs, one in flight) fed from pages already
    in memory, so the simulator's speed does not count; "map + write" adds the per-device mapping.
    """
    settings = NinjaCollectorSettings(
        ninja_base_url=sim_url,
        ninja_client_id="sim-client",
        ninja_client_secret="sim-secret",
        database_url=database_url,
    )
    async with NinjaClient(settings) as client:
        mapper = await prepare_mapper(client, settings, date(2030, 1, 1))
        pages = [page async for page in client.device_pages()]
    total = sum(len(page) for page in pages)

    def mapped_for(day: date) -> PageMapper:
        return dataclasses.replace(mapper, snapshot_date=day, seen=set())

    database = Database(database_url)
    try:
        async with database.transaction() as session:  # earlier sizes used the same dates
            for day in (1, 2, 3):
                await store.clear_day(session, date(2030, 1, day))
        async with database.transaction() as session:
            day_mapper = mapped_for(date(2030, 1, 1))
            started = time.perf_counter()
            async with store.pipeline(session) as copier:
                for page in pages:
                    await copier.submit(day_mapper.rows(page))
            map_write = time.perf_counter() - started
        premapped = [mapped_for(date(2030, 1, 2)).rows(page) for page in pages]
        async with database.transaction() as session:
            started = time.perf_counter()
            async with store.pipeline(session) as copier:
                for rows in premapped:
                    await copier.submit(rows)
            write_only = time.perf_counter() - started
        third = mapped_for(date(2030, 1, 3))
        flat = [row for page in pages for row in third.rows(page)]
        async with database.transaction() as session:
            started = time.perf_counter()
            await store.copy_rows(session, flat)
            ceiling = time.perf_counter() - started
    finally:
        await database.dispose()
    return total, total / map_write, total / write_only, total / ceiling


def run_collector(package: str, env: dict[str, str]) -> tuple[float, int, str]:
    """Wall seconds, peak RSS in MB, last output line of one collector run in a child process.

    Peak RSS comes from GNU time around the child: the child's own rusage would also count the
    pages of this (large) parent process it was forked from.
    """
    started = time.perf_counter()
    result = subprocess.run(
        ["/usr/bin/time", "-f", "peak-rss-kb=%M", sys.executable, "-m", package, "collect"],
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    wall = time.perf_counter() - started
    if result.returncode != 0:
        raise RuntimeError(f"{package} failed: {result.stderr[-2000:]}")
    peak_kb = int(result.stderr.rsplit("peak-rss-kb=", 1)[1].split()[0])
    return wall, peak_kb // 1024, result.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="10000,100000")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",")]
    database_url = f"{SERVER}/hub_bench_{uuid.uuid4().hex[:8]}"
    asyncio.run(ensure_database(database_url))
    lines = [
        f"\n## Collectors — {datetime.now(UTC):%Y-%m-%d %H:%M} UTC\n",
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}. "
        "Simulator in-process (thread) on the same machine; its page generation is part of collection time.\n",
        "| devices | collector | wall s | devices/s | peak RSS MB | map+write rows/s | write rows/s "
        "| raw COPY rows/s | write/COPY | map+write/COPY |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    try:
        migrate_all(database_url)
        for size in sizes:
            with serve_in_thread(SimConfig(devices=size, seed=1)) as (url, sim):
                httpx.get(f"{url}/_sim/truth", timeout=600)  # build the day's index before timing
                env = {
                    **os.environ,
                    "DATABASE_URL": database_url,
                    "NINJA_BASE_URL": url,
                    "NINJA_CLIENT_ID": sim.config.ninja_client_id,
                    "NINJA_CLIENT_SECRET": sim.config.ninja_client_secret,
                    "THREATLOCKER_BASE_URL": f"{url}/portalapi/",
                    "THREATLOCKER_ORG_ID": sim.config.tl_parent_org_id,
                    "THREATLOCKER_API_KEY": sim.config.tl_api_key,
                    "NINJA_REQUESTS_PER_MINUTE": "100000",
                    "THREATLOCKER_REQUESTS_PER_MINUTE": "100000",
                    "LOG_LEVEL": "WARNING",
                }
                rows, map_write, write_only, ceiling = asyncio.run(write_path(database_url, url))
                for package, label in (
                    ("collector_ninja", "ninja"),
                    ("collector_threatlocker", "threatlocker"),
                ):
                    wall, peak_mb, summary = run_collector(package, env)
                    count = int(summary.split()[1])
                    rates = (
                        f"{map_write:,.0f} | {write_only:,.0f} | {ceiling:,.0f} | {write_only / ceiling:.0%} "
                        f"| {map_write / ceiling:.0%}"
                        if label == "ninja"
                        else "— | — | — | — | —"
                    )
                    lines.append(f"| {size:,} | {label} | {wall:.1f} | {count / wall:,.0f} | {peak_mb} | {rates} |")
                    print(lines[-1], flush=True)
                assert rows == size
    finally:
        asyncio.run(drop_database(database_url))
    lines.append(
        "\n*write* = the collector's COPY pipeline (batches of 5,000 rows, one COPY in flight) inside the "
        "snapshot transaction; *map+write* adds mapping each raw Ninja device to its row; *raw COPY* = one "
        "COPY of the same mapped rows (the ceiling). Pages come from memory, so simulator speed is excluded.\n"
    )
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by `make bench`; newest sections last.\n")
    with RESULTS.open("a") as results:
        results.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
