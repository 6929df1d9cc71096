"""``python -m collector_connectwise collect --from --to``: a backfill without the broker, progress on stderr;
``/configuration`` and the not-configured refusal."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from datetime import date
from decimal import Decimal

import httpx
from sqlalchemy import text

from collector_connectwise.definition import SPEC
from hub_shared.app import create_app
from hub_shared.runtime import ServiceRuntime

REFERENCE = date(2025, 12, 15)


def cw_env(sim, database_url: str) -> dict[str, str]:
    config = sim.sim.config
    env = {key: value for key, value in os.environ.items() if not key.startswith("CONNECTWISE_")}
    return {
        **env,
        "DATABASE_URL": database_url,
        "HUB_TIMEZONE": config.cw_timezone,
        "CONNECTWISE_SITE": sim.url,
        "CONNECTWISE_COMPANY_ID": config.cw_company_id,
        "CONNECTWISE_PUBLIC_KEY": config.cw_public_key,
        "CONNECTWISE_PRIVATE_KEY": config.cw_private_key,
        "CONNECTWISE_CLIENT_ID": config.cw_client_id,
        "LOG_LEVEL": "WARNING",
    }


def run(args: list[str], env: dict[str, str], cwd) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "collector_connectwise", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=170,
    )


async def test_backfill_command_collects_every_month_with_progress(
    vendor_sim, database, database_url, tmp_path
) -> None:
    with vendor_sim(devices=60, seed=14, reference_date=REFERENCE) as sim:
        env = cw_env(sim, database_url)
        result = await asyncio.to_thread(run, ["collect", "--from", "2025-01", "--to", "2025-04"], env, tmp_path)
        months = ["2025-01", "2025-02", "2025-03", "2025-04"]
        url = f"{sim.url}/_sim/truth/connectwise"
        truth = (await asyncio.to_thread(httpx.get, url, params={"month": months})).json()["months"]
        unconfigured = {key: value for key, value in env.items() if key != "CONNECTWISE_PRIVATE_KEY"}
        refused = await asyncio.to_thread(run, ["collect"], unconfigured, tmp_path)
        backwards = await asyncio.to_thread(run, ["collect", "--from", "2025-04", "--to", "2025-01"], env, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        f"{item['month']}: {item['reactive_tickets_created']} created, {item['reactive_tickets_closed']} closed, "
        f"{Decimal(str(item['reactive_time_spent'])).quantize(Decimal('0.01'))} h on reactive tickets"
        for item in truth
    ]
    progress = [line for line in result.stderr.splitlines() if line.startswith("ConnectWise collection: [")]
    assert progress[0].startswith(
        "ConnectWise collection: [  0%] ConnectWise collection started for 2025-01 to 2025-04"
    )
    assert any("counting 2025-03 (3 of 4)" in line for line in progress)
    assert progress[-1].startswith("ConnectWise collection: [100%] ConnectWise: 4 month(s) collected")
    assert refused.returncode == 2 and "set CONNECTWISE_PRIVATE_KEY" in refused.stderr
    assert backwards.returncode == 2 and "before" in backwards.stderr
    async with database.transaction() as session:
        rows = (await session.execute(text("SELECT count(*) FROM connectwise.monthly_snapshots"))).scalar_one()
        statuses = [
            row[0]
            for row in await session.execute(
                text("SELECT payload->'data'->>'status' FROM connectwise.outbox WHERE type = 'job.updated' ORDER BY id")
            )
        ]
        events = (
            await session.execute(
                text("SELECT count(*) FROM connectwise.outbox WHERE type = 'ticket_metrics.collected'")
            )
        ).scalar_one()
    assert rows == 4 and events == 4
    assert statuses[0] == "running" and statuses[-1] == "completed"


async def test_configuration_route_names_the_missing_settings(service_settings) -> None:
    settings = service_settings(SPEC, connectwise_site="api-na.myconnectwise.net", connectwise_company_id="acme")
    runtime = ServiceRuntime(SPEC, settings, run_worker=False)
    try:
        app = create_app(runtime)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://cw") as client:
            body = (await client.get("/configuration")).json()
    finally:
        await runtime.stop()
    assert body == {
        "configured": False,
        "missing": ["CONNECTWISE_PUBLIC_KEY", "CONNECTWISE_PRIVATE_KEY", "CONNECTWISE_CLIENT_ID"],
        "site": "api-na.myconnectwise.net",
        "months_back": 1,
        "definition": {
            "boards": ["Help Desk"],
            "parent_only": True,
            "closed_statuses": [">Closed", ">Closed - No response", "Closed"],
            "time_entry_date": "timeStart",
        },
    }
