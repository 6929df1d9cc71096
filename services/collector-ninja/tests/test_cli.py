"""``python -m collector_ninja collect``: a one-shot run without the broker."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys

from sqlalchemy import text


async def test_collect_command_writes_the_requested_snapshot_date(vendor_sim, database, database_url, tmp_path) -> None:
    with vendor_sim(devices=120, seed=6) as sim:
        env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "NINJA_BASE_URL": sim.ninja_url,
            "NINJA_CLIENT_ID": "sim-client",
            "NINJA_CLIENT_SECRET": "sim-secret",
            "LOG_LEVEL": "WARNING",
        }
        result = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "collector_ninja", "collect", "--snapshot-date", "2026-10-31"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "collected 120 Ninja devices"
        # Not a terminal: progress as plain lines on stderr (a bar only on a TTY), ending at 100%.
        progress = [line for line in result.stderr.splitlines() if line.startswith("Ninja collection: [")]
        assert progress[0].startswith("Ninja collection: [  0%] Ninja collection started for 2026-10-31")
        assert progress[-1].startswith("Ninja collection: [100%] Ninja: 120 devices collected for 2026-10-31")
        assert "\r" not in result.stderr
        failed = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "collector_ninja", "collect"],
            env={**env, "NINJA_CLIENT_SECRET": "wrong"},
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert failed.returncode == 1
    async with database.transaction() as session:
        rows = await session.execute(text("SELECT snapshot_date::text, device_count FROM ninja.snapshots"))
        outbox = await session.execute(
            text("SELECT payload->'data'->>'status' FROM ninja.outbox WHERE type = 'job.updated' ORDER BY id")
        )
        statuses = [row[0] for row in outbox]
    assert [tuple(row) for row in rows] == [("2026-10-31", 120)]
    assert statuses[0] == "running" and statuses.count("completed") == 1 and statuses[-1] == "failed"
