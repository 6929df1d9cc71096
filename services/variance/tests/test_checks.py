"""The six checks against simulator fleets: exactly the planted cases and nothing else; settings and the
alias map; idempotency (a redelivered event changes nothing, a repeated run gives the same report); the
batch's ``cv_`` job and ``variance.completed``.
"""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import text

from hub_shared.events import SnapshotCompleted, SnapshotCompletedEvent, dump_event
from hub_shared.metrics import BUS_CONSUMED
from variance.catalog import TYPE_CODES
from variance.checks.service import Skipped, run_checks

from .conftest import VarianceHub, add_aliases, days_ago, hub_today


async def report_keys(vhub: VarianceHub) -> dict[str, list[str]]:
    report = (await vhub.client.get("/api/variance-report/latest", params={"include_resolved": "true"})).json()
    return {
        code: sorted(item["hostname"] for item in report["exceptions_by_type"].get(code, [])) for code in TYPE_CODES
    }


async def state(vhub: VarianceHub) -> dict[str, Any]:
    """Everything a computation writes, minus timestamps and revisions."""
    async with vhub.database.transaction() as session:
        exceptions = (
            await session.execute(
                text(
                    "SELECT id, type, key, status, present, first_seen, last_seen, details FROM variance.exceptions "
                    "ORDER BY id"
                )
            )
        ).all()
        occurrences = (
            await session.execute(
                text(
                    "SELECT report_date, exception_id, status, details FROM variance.occurrences "
                    "ORDER BY report_date, exception_id"
                )
            )
        ).all()
        history = (
            await session.execute(
                text("SELECT exception_id, action, from_status, to_status FROM variance.exception_history ORDER BY id")
            )
        ).all()
        counts = (await session.execute(text("SELECT * FROM variance.report_counts ORDER BY 1, 2"))).all()
    return {"exceptions": exceptions, "occurrences": occurrences, "history": history, "counts": counts}


async def revision(vhub: VarianceHub) -> int:
    async with vhub.database.transaction() as session:
        return int((await session.execute(text("SELECT max(revision) FROM variance.reports"))).scalar_one())


async def test_each_check_finds_exactly_the_planted_cases(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=2000, seed=42) as sim:
        vhub = await variance_hub(sim)
        truth = sim.truth()
        assert all(truth["variances"][code] for code in TYPE_CODES)  # every check has planted cases
        await add_aliases(vhub, truth["organization_aliases"])
        await vhub.collect(hub_today())

        found = await report_keys(vhub)
        for code in TYPE_CODES:
            assert found[code] == truth["variances"][code], code
            assert len(found[code]) == len(set(found[code]))  # one exception per key
        # The hard negatives (NetBIOS truncation, long DNS names, case/space-only display differences,
        # blank Ninja display names, exempt spares, aliased organisations) are reported by no check.
        reported = {key for keys in found.values() for key in keys}
        negatives = {key for keys in truth["hard_negatives"].values() for key in keys}
        assert truth["hard_negatives"]["netbios_truncated"] and not reported & negatives
        for pair in truth["netbios_truncated"]:
            assert pair["tl_key"] not in found["MISSING_NINJA"]

        # Ninja duplicates list every record; ThreatLocker duplicates every agent.
        report = (await vhub.client.get("/api/variance-report/latest")).json()
        duplicate = report["exceptions_by_type"]["DUPLICATE_TL"][0]
        assert duplicate["details"]["count"] == len(duplicate["details"]["duplicate_hostnames"]) >= 2
        # The gateway's /api/status reads the published view.
        status = (await vhub.client.get("/api/status")).json()
        assert status["exception_counts"] == {code: len(keys) for code, keys in truth["variances"].items() if keys}
        assert status["total_exceptions"] == report["summary"]["unresolved_count"]


async def test_settings_and_the_alias_map_drive_the_spare_and_site_checks(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=1500, seed=8) as sim:
        vhub = await variance_hub(sim, hub_spare_exempt_locations=[])
        truth = sim.truth()
        await vhub.collect(hub_today())
        found = await report_keys(vhub)
        bare = truth["variances_without_settings"]
        assert found["SPARE_MISMATCH"] == bare["SPARE_MISMATCH"] != truth["variances"]["SPARE_MISMATCH"]
        assert found["SITE_MISMATCH"] == bare["SITE_MISMATCH"] != truth["variances"]["SITE_MISMATCH"]

        # Writing the alias map needs a gateway-vouched caller with variance:write.
        pair = truth["organization_aliases"][0]
        body = {"ninja_name": pair["ninja"], "threatlocker_name": pair["threatlocker"]}
        assert (await vhub.client.post("/api/organization-aliases", json=body)).status_code == 401
        denied = await vhub.direct.post(
            "/api/organization-aliases", json=body, headers=vhub.signed(scopes=("variance:read",))
        )
        assert denied.status_code == 403
        assert (await vhub.direct.post("/api/organization-aliases", json=body)).status_code == 401

        # Each alias recomputes the latest report at once; names compare trimmed and case-insensitively.
        for pair in truth["organization_aliases"]:
            body = {"ninja_name": f"  {pair['ninja'].upper()} ", "threatlocker_name": pair["threatlocker"].lower()}
            created = await vhub.direct.post("/api/organization-aliases", json=body, headers=vhub.signed())
            assert created.status_code == 201, created.text
            assert created.json()["created_by"] == "alice@example.com"
        duplicate = await vhub.direct.post("/api/organization-aliases", json=body, headers=vhub.signed())
        assert duplicate.status_code == 409
        assert (await report_keys(vhub))["SITE_MISMATCH"] == truth["variances"]["SITE_MISMATCH"]
        site_exception = next(
            item
            for item in (
                await vhub.client.get(
                    "/api/exceptions", params={"type": "SITE_MISMATCH", "status": "resolved", "date": "all"}
                )
            ).json()
        )
        assert site_exception["resolved_by"] == "collector"

        aliases = (await vhub.client.get("/api/organization-aliases")).json()
        assert aliases["total"] == len(truth["organization_aliases"])
        removed = await vhub.direct.delete(
            f"/api/organization-aliases/{aliases['aliases'][0]['id']}", headers=vhub.signed()
        )
        assert removed.status_code == 200 and removed.json()["recomputed"]["report_date"] == hub_today().isoformat()
        missing = await vhub.direct.delete("/api/organization-aliases/999999", headers=vhub.signed())
        assert missing.status_code == 404 and missing.json() == {"error": "Alias not found"}
        bad = await vhub.direct.post("/api/organization-aliases", json={"ninja_name": " "}, headers=vhub.signed())
        assert bad.status_code == 400 and "error" in bad.json()


async def test_redelivered_and_repeated_events_change_nothing_and_the_batch_job_is_reported(
    vendor_sim, variance_hub
) -> None:
    with vendor_sim(devices=800, seed=21) as sim:
        vhub = await variance_hub(sim)
        truth = sim.truth()
        await add_aliases(vhub, truth["organization_aliases"])
        await vhub.collect(hub_today())
        before = await state(vhub)
        rev = await revision(vhub)
        bus = vhub.runtime.bus
        assert bus is not None

        async with vhub.database.transaction() as session:
            seen = (await session.execute(text("SELECT event_id FROM variance.inbox LIMIT 1"))).scalar_one()

        def event(event_id: uuid.UUID) -> SnapshotCompletedEvent:
            data = SnapshotCompleted(vendor="ninja", snapshot_date=hub_today(), device_count=1)
            return SnapshotCompletedEvent(event_id=event_id, producer="tests", data=data)

        queue = f"{vhub.runtime.settings.amqp_queue_prefix}variance.snapshots"
        duplicates = BUS_CONSUMED.labels("variance", queue, "snapshot.completed", "duplicate")
        duplicates_before = duplicates._value.get()
        redelivered = event(seen)
        await bus.publish(
            dump_event(redelivered), routing_key=redelivered.type, message_id=str(seen), event_type=redelivered.type
        )
        # Wait until the consumer has seen the redelivery and recognised it, then nothing may have changed.
        for _ in range(150):
            if duplicates._value.get() > duplicates_before:
                break
            await asyncio.sleep(0.1)
        assert duplicates._value.get() == duplicates_before + 1
        assert await state(vhub) == before and await revision(vhub) == rev

        repeated = event(uuid.uuid4())
        await bus.publish(
            dump_event(repeated), routing_key=repeated.type, message_id=str(repeated.event_id), event_type=repeated.type
        )
        vhub.consumed += 1
        for _ in range(100):
            if await vhub.inbox_count() >= vhub.consumed:
                break
            await asyncio.sleep(0.1)
        assert await revision(vhub) == rev + 1  # recomputed ...
        assert await state(vhub) == before  # ... to the very same report, states and history

        # A batch with cross-vendor checks: the cv_ job completes with the report's numbers, and
        # variance.completed is announced through the outbox.
        batch = await vhub.collect(hub_today(), collectors=("threatlocker",), run_cross_vendor=True)
        jobs = {job["job_name"]: job for job in batch["collectors"]}
        cv = jobs["cross-vendor-checks"]
        total = sum(len(keys) for keys in truth["variances"].values())
        assert cv["job_id"].startswith("cv_") and cv["status"] == "completed", cv
        assert cv["message"] == f"Cross-vendor checks for {hub_today().isoformat()}: {total:,} exceptions"
        async with vhub.database.transaction() as session:
            payloads = (
                (await session.execute(text("SELECT payload FROM variance.outbox WHERE type = 'variance.completed'")))
                .scalars()
                .all()
            )
        assert payloads and payloads[-1]["data"]["batch_id"] == batch["batch_id"]
        assert payloads[-1]["data"]["counts"] == {code: len(keys) for code, keys in truth["variances"].items()}


async def test_a_computation_that_cannot_run_says_why(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=200, seed=9) as sim:
        vhub = await variance_hub(sim)
        async with vhub.database.transaction() as session:
            nothing = await run_checks(session, today=hub_today(), window_days=7, exempt_locations=[])
        assert nothing == Skipped("no date in the last 7 days has snapshots from both vendors")
        await vhub.collect(hub_today())
        async with vhub.database.transaction() as session:
            older = await run_checks(
                session, today=hub_today(), window_days=7, exempt_locations=[], report_date=days_ago(1)
            )
        newest = hub_today().isoformat()
        assert older == Skipped(f"{days_ago(1).isoformat()} is older than the newest report ({newest})")
