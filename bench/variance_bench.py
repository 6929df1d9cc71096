"""Variance benchmark: cross-vendor check computation time and memory, and report latency via the gateway.

1. Computation, for each size N (devices per vendor): a throwaway database is migrated, one day of
   synthetic Ninja and ThreatLocker snapshot rows is loaded with COPY (as the collectors write them:
   no ANALYZE afterwards), then the variance service's own computation (``run_checks``: the six checks,
   the lifecycle, the report rows) runs twice — *first* (every exception is new) and *repeat* (the same
   date again: the steady state of a re-collection). Wall time of each, the Python process's peak
   traced memory during the computation, and PostgreSQL's temporary-file bytes.
2. Latency: a report with about 10,000 unresolved exceptions; the gateway and the variance service run
   as child processes (``python -m gateway serve --no-worker``, ``python -m variance serve --no-worker``);
   20 concurrent keep-alive clients fetch ``/api/variance-report/latest`` through the gateway, then
   straight from the variance service (gzip accepted, as browsers do; bodies read, not decoded),
   p50/p99 over all requests after a warm-up.

The synthetic fleet plants every variance type at fixed rates (about 3.7% of devices have one), NetBIOS
truncation (0.8%), ThreatLocker-only and Ninja-only devices; the expected count per type is checked.

Run: ``.venv/bin/python bench/variance_bench.py [--sizes 10000,100000,1000000] [--latency-exceptions 10000]``;
the section is appended to ``bench/RESULTS.md``. ``BENCH_DATABASE_SERVER`` overrides the PostgreSQL
server (default ``postgresql+asyncpg://postgres@127.0.0.1:5432``).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
import tracemalloc
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import asyncpg
import httpx
from sqlalchemy import text

from hub_shared.db import Database
from hub_shared.devtools import drop_database, ensure_database, migrate_all
from variance.checks.service import CheckResult, run_checks

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "RESULTS.md"
SERVER = os.environ.get("BENCH_DATABASE_SERVER", "postgresql+asyncpg://postgres@127.0.0.1:5432")
ZONE = ZoneInfo("America/Chicago")
CLIENTS = 20

NINJA_COLUMNS = [
    "snapshot_date", "device_id", "device_uid", "organization_id", "organization_name", "location_id",
    "location_name", "node_class", "device_type", "display_name", "system_name", "dns_name", "hostname",
    "match_key", "is_spare", "is_billable",
]  # fmt: skip
TL_COLUMNS = [
    "snapshot_date", "computer_id", "computer_name", "raw_hostname", "hostname", "match_key", "organization_id",
    "organization_name", "group_name",
]  # fmt: skip

# Planted cases: slot i has the case when i % modulus == remainder (disjoint remainders).
MISSING = (100, 1)  # ThreatLocker only
DUPLICATE_TL = (200, 3)  # a second ThreatLocker agent (domain suffix, other case)
DUPLICATE_NINJA = (250, 5)  # a second Ninja record (systemName only)
SPARE = (200, 7)  # "SPARE" in the Ninja display name, still in ThreatLocker
DISPLAY = (100, 9)  # ThreatLocker shows another user
SITE = (300, 11)  # ThreatLocker files it under another client
NETBIOS = (125, 13)  # long name: Ninja has the 15-character NetBIOS name only (not a variance)
NINJA_ONLY = (10, 4)  # no ThreatLocker agent (not a variance)


def planted(i: int, case: tuple[int, int]) -> bool:
    return i % case[0] == case[1]


def expected_counts(n: int) -> dict[str, int]:
    def count(case: tuple[int, int]) -> int:
        return sum(1 for i in range(case[1], n, case[0]))

    return {
        "MISSING_NINJA": count(MISSING),
        "DUPLICATE_TL": count(DUPLICATE_TL),
        "DUPLICATE_NINJA": count(DUPLICATE_NINJA),
        "SPARE_MISMATCH": count(SPARE),
        "DISPLAY_NAME_MISMATCH": count(DISPLAY),
        "SITE_MISMATCH": count(SITE),
    }


def host(i: int) -> str:
    name = f"C{i % 997:03d}-{i:08d}"
    return name + "-RECEPTION" if planted(i, NETBIOS) else name


def ninja_rows(n: int, day: date) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        if planted(i, MISSING):
            continue
        name = host(i)
        netbios = name[:15]
        org = i % 997
        display = f"{name} | SPARE" if planted(i, SPARE) else f"{name} | User {i % 89}"
        dns = None if planted(i, NETBIOS) else f"{name.lower()}.corp.local"
        shown = netbios if planted(i, NETBIOS) else name
        spare = planted(i, SPARE)
        place = (org, f"Client {org}", org * 10, "Main Office", "WINDOWS_WORKSTATION", "workstation")
        yield (day, 2 * i + 1000, None, *place, display, netbios, dns, shown, shown.lower(), spare, not spare)
        if planted(i, DUPLICATE_NINJA):
            yield (day, 2 * i + 1001, None, *place, display, netbios, None, netbios, netbios.lower(), False, True)


def tl_rows(n: int, day: date) -> Iterator[tuple[Any, ...]]:
    for i in range(n):
        if planted(i, NINJA_ONLY):
            continue
        name = host(i)
        org = (i + 1) % 997 if planted(i, SITE) else i % 997
        person = f"User {(i + 1) % 89}" if planted(i, DISPLAY) else f"User {i % 89}"
        computer_name = f"{name} | SPARE" if planted(i, SPARE) else f"{name} | {person}"
        yield (day, f"tl-{i}", computer_name, name, name, name.lower(), f"org-{org}", f"Client {org}", "Workstations")
        if planted(i, DUPLICATE_TL):
            yield (day, f"tl-{i}-b", computer_name, f"{name.lower()}.corp.local", name.lower(), name.lower(),
                   f"org-{org}", f"Client {org}", "Workstations")  # fmt: skip


async def seed(database_url: str, n: int, day: date) -> tuple[int, int]:
    """COPY one day of both vendors' snapshots (the tables behind the published views)."""
    connection = await asyncpg.connect(database_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        async with connection.transaction():
            for schema in ("ninja", "threatlocker"):
                await connection.execute(f"DELETE FROM {schema}.snapshot_devices WHERE snapshot_date = $1", day)
                await connection.execute(f"DELETE FROM {schema}.snapshots WHERE snapshot_date = $1", day)
            await connection.copy_records_to_table(
                "snapshot_devices", schema_name="ninja", columns=NINJA_COLUMNS, records=ninja_rows(n, day)
            )
            await connection.copy_records_to_table(
                "snapshot_devices", schema_name="threatlocker", columns=TL_COLUMNS, records=tl_rows(n, day)
            )
            counts = []
            for schema in ("ninja", "threatlocker"):
                count = await connection.fetchval(
                    f"SELECT count(*) FROM {schema}.snapshot_devices WHERE snapshot_date = $1", day
                )
                await connection.execute(
                    f"INSERT INTO {schema}.snapshots (snapshot_date, device_count) VALUES ($1, $2)", day, count
                )
                counts.append(int(count))
    finally:
        await connection.close()
    return counts[0], counts[1]


async def reset(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(
            text(
                "TRUNCATE ninja.snapshot_devices, ninja.snapshots, threatlocker.snapshot_devices, "
                "threatlocker.snapshots, variance.exceptions, variance.occurrences, variance.exception_history, "
                "variance.reports, variance.report_counts, variance.outbox CASCADE"
            )
        )


async def temp_bytes(database: Database) -> int:
    async with database.transaction() as session:
        value = await session.execute(
            text("SELECT temp_bytes FROM pg_stat_database WHERE datname = current_database()")
        )
        return int(value.scalar_one() or 0)


async def compute(database: Database, day: date) -> dict[str, Any]:
    before = await temp_bytes(database)
    tracemalloc.start()
    started = time.perf_counter()
    async with database.transaction() as session:
        result = await run_checks(session, today=day, window_days=7, exempt_locations=[])
    wall = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    await asyncio.sleep(0.6)  # pg_stat counters are flushed asynchronously
    assert isinstance(result, CheckResult), result
    return {"wall": wall, "peak_mb": peak / 2**20, "temp_mb": (await temp_bytes(database) - before) / 2**20,
            "counts": result.counts}  # fmt: skip


async def computation(database_url: str, sizes: list[int], day: date) -> list[dict[str, Any]]:
    database = Database(database_url, pool_size=2)
    rows = []
    try:
        for n in sizes:
            await reset(database)
            started = time.perf_counter()
            ninja, threatlocker = await seed(database_url, n, day)
            seeded = time.perf_counter() - started
            first = await compute(database, day)
            repeat = await compute(database, day)
            expected = expected_counts(n)
            assert first["counts"] == expected == repeat["counts"], (first["counts"], expected)
            rows.append({"n": n, "ninja": ninja, "threatlocker": threatlocker, "seed": seeded, "first": first,
                         "repeat": repeat, "exceptions": sum(expected.values())})  # fmt: skip
            print(
                f"  {n:>9,} devices/vendor: seed {seeded:6.1f} s | first {first['wall']:6.2f} s | "
                f"repeat {repeat['wall']:6.2f} s | {sum(expected.values()):,} exceptions",
                flush=True,
            )
    finally:
        await database.dispose()
    return rows


class RawConnection:
    """One keep-alive HTTP/1.1 connection that sends GETs and reads whole bodies (gzip accepted, not decoded)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str) -> None:
        self.reader, self.writer, self.host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> RawConnection:
        reader, writer = await asyncio.open_connection(host, port, limit=2**20)
        return cls(reader, writer, host)

    async def get(self, path: str) -> tuple[int, int]:
        request = f"GET {path} HTTP/1.1\r\nHost: {self.host}\r\nAccept-Encoding: gzip\r\n\r\n"
        self.writer.write(request.encode())
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split()[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
            return status, len(body)
        size = 0
        while True:  # chunked
            length = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            await self.reader.readexactly(length + 2)
            size += length
            if length == 0:
                return status, size

    def close(self) -> None:
        self.writer.close()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start(module: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", module, "serve", "--no-worker", "--port", str(port)],
        env={**os.environ, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


async def wait_healthy(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    async with httpx.AsyncClient() as client:
        while True:
            try:
                if (await client.get(url + "/health")).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not start")
            await asyncio.sleep(0.2)


async def latency(database_url: str, target: int, day: date, requests: int) -> dict[str, Any]:
    """p50/p99 of /api/variance-report/latest through the gateway, 20 clients, ~target exceptions."""
    n = round(target / (sum(expected_counts(100_000).values()) / 100_000))
    database = Database(database_url, pool_size=2)
    try:
        await reset(database)
        await seed(database_url, n, day)
        result = await compute(database, day)
    finally:
        await database.dispose()
    exceptions = sum(result["counts"].values())
    variance_port, gateway_port = free_port(), free_port()
    common = {"DATABASE_URL": database_url, "LOG_LEVEL": "WARNING", "HUB_TIMEZONE": "America/Chicago"}
    processes = [
        start("variance", variance_port, common),
        start(
            "gateway",
            gateway_port,
            {
                **common,
                "VARIANCE_URL": f"http://127.0.0.1:{variance_port}",
                "RATE_LIMIT_API_PER_MINUTE": "0",
                "COLLECTOR_SCHEDULE_ENABLED": "false",
            },
        ),
    ]
    try:
        base = f"http://127.0.0.1:{gateway_port}"
        await wait_healthy(f"http://127.0.0.1:{variance_port}")
        await wait_healthy(base)
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            cold_started = time.perf_counter()
            first = await client.get("/api/variance-report/latest", headers={"accept-encoding": "gzip"})
            cold = time.perf_counter() - cold_started
            assert first.status_code == 200, first.text[:300]
            report = first.json()
            assert report["summary"]["unresolved_count"] == exceptions
            raw_size = len(first.content)

        # Through the gateway (the goal), and to the variance service directly (its own share).
        via_gateway = await load(gateway_port, requests)
        direct = await load(variance_port, requests)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(10)
    return {
        "devices": n,
        "exceptions": exceptions,
        "cold_ms": cold * 1000,
        "json_mb": raw_size / 2**20,
        "gateway": via_gateway,
        "direct": direct,
    }


async def load(port: int, requests: int) -> dict[str, float]:
    """p50/p99 of ``requests`` GETs of the latest report spread over 20 keep-alive connections.

    The load comes from a minimal HTTP/1.1 client, so the measurement is the servers' time rather than a
    Python HTTP library's parsing of megabytes of body on the same two cores.
    """
    connections = [await RawConnection.open("127.0.0.1", port) for _ in range(CLIENTS)]
    for connection in connections:  # warm every connection
        await connection.get("/api/variance-report/latest")
    timings: list[float] = []
    sizes: list[int] = []
    queue = iter(range(requests))

    async def worker(connection: RawConnection) -> None:
        for _ in queue:
            started = time.perf_counter()
            status, size = await connection.get("/api/variance-report/latest")
            timings.append(time.perf_counter() - started)
            assert status == 200, status
            sizes.append(size)

    started = time.perf_counter()
    await asyncio.gather(*(worker(connection) for connection in connections))
    wall = time.perf_counter() - started
    for connection in connections:
        connection.close()
    timings.sort()
    return {
        "requests": len(timings),
        "p50_ms": statistics.median(timings) * 1000,
        "p99_ms": timings[min(len(timings) - 1, int(len(timings) * 0.99))] * 1000,
        "max_ms": timings[-1] * 1000,
        "rps": len(timings) / wall,
        "gzip_kb": statistics.mean(sizes) / 1024,
    }


def markdown(rows: list[dict[str, Any]], lat: dict[str, Any] | None) -> str:
    cores = os.cpu_count()
    lines = [
        "",
        f"## Variance — {datetime.now(UTC).strftime('%Y-%m-%d %H:%M')} UTC",
        "",
        f"Machine: {platform.machine()}, {cores} cores, Python {platform.python_version()}, PostgreSQL on the same "
        "machine (default settings). Command: `.venv/bin/python bench/variance_bench.py`.",
        "",
        "Computation (`run_checks`: six checks over the published views + lifecycle + report rows, one "
        "transaction). *first*: every exception new; *repeat*: the same date computed again (a re-collection). "
        "Goals: 100k ≤ 2 s, 1M ≤ 20 s.",
        "",
        "| devices/vendor | Ninja rows | TL rows | exceptions | first s | repeat s | Python peak MB | PG temp MB "
        "| goal |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    goals = {100_000: 2.0, 1_000_000: 20.0}
    for row in rows:
        worst = max(row["first"]["wall"], row["repeat"]["wall"])
        goal = goals.get(row["n"])
        verdict = "—" if goal is None else ("met" if worst <= goal else f"missed (≤ {goal:g} s)")
        peak = max(row["first"]["peak_mb"], row["repeat"]["peak_mb"])
        temp = max(row["first"]["temp_mb"], row["repeat"]["temp_mb"])
        lines.append(
            f"| {row['n']:,} | {row['ninja']:,} | {row['threatlocker']:,} | {row['exceptions']:,} | "
            f"{row['first']['wall']:.2f} | {row['repeat']['wall']:.2f} | {peak:.1f} | {temp:.0f} | {verdict} |"
        )
    if lat is not None:
        gateway, direct = lat["gateway"], lat["direct"]
        lines += [
            "",
            f"Report latency: `GET /api/variance-report/latest`, {lat['exceptions']:,} unresolved exceptions "
            f"({lat['devices']:,} devices/vendor), {CLIENTS} concurrent keep-alive clients, {gateway['requests']:,} "
            f"requests per row, gzip accepted (body {gateway['gzip_kb']:.0f} KB gzipped, {lat['json_mb']:.1f} MB "
            "JSON). Gateway and variance run as child processes (`serve --no-worker`) on the same two cores as the "
            f"clients and PostgreSQL. First request after a change (body rendered and gzipped): {lat['cold_ms']:.0f} "
            "ms; later requests are served from the per-revision cache.",
            "",
            "| path | p50 ms | p99 ms | max ms | requests/s | goal p99 ≤ 100 ms |",
            "|---|---:|---:|---:|---:|---|",
        ]
        for label, row in (("client → gateway → variance", gateway), ("client → variance (direct)", direct)):
            met = "met" if row["p99_ms"] <= 100 else "missed"
            lines.append(
                f"| {label} | {row['p50_ms']:.1f} | {row['p99_ms']:.1f} | {row['max_ms']:.1f} | {row['rps']:.0f} | "
                f"{met} |"
            )
    return "\n".join(lines) + "\n"


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="devices per vendor, comma-separated")
    parser.add_argument("--latency-exceptions", type=int, default=10_000, help="0 skips the latency part")
    parser.add_argument("--latency-requests", type=int, default=2000)
    parser.add_argument("--no-write", action="store_true", help="print the section instead of appending it")
    args = parser.parse_args()
    sizes = [int(size) for size in args.sizes.split(",") if size.strip()]
    database_url = f"{SERVER.rstrip('/')}/hub_bench_{uuid.uuid4().hex[:8]}"
    await ensure_database(database_url)
    try:
        await asyncio.to_thread(migrate_all, database_url)
        day = datetime.now(ZONE).date()
        print("computation:", flush=True)
        rows = await computation(database_url, sizes, day)
        lat = None
        if args.latency_exceptions > 0:
            print("latency:", flush=True)
            lat = await latency(database_url, args.latency_exceptions, day, args.latency_requests)
            for path in ("gateway", "direct"):
                row = lat[path]
                print(f"  {path}: p50 {row['p50_ms']:.1f} ms, p99 {row['p99_ms']:.1f} ms, {row['rps']:.0f} req/s")
    finally:
        await drop_database(database_url)
    section = markdown(rows, lat)
    if args.no_write:
        print(section)
        return
    if not RESULTS.exists():
        RESULTS.write_text("# Benchmark results\n\nAppended by `make bench`; newest sections last.\n")
    with RESULTS.open("a") as handle:
        handle.write(section)
    print(section)


if __name__ == "__main__":
    asyncio.run(main())
