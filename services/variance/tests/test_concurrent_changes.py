"""A person's change and a computation never deadlock: the change waits for the computation's lock."""

from __future__ import annotations

import asyncio

from variance.exceptions.lifecycle import lock

from .conftest import hub_today


async def test_a_resolve_waits_for_a_running_computation_then_applies(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=300, seed=5) as sim:
        vhub = await variance_hub(sim)
        await vhub.collect(hub_today())
        exception_id = (await vhub.client.get("/api/exceptions", params={"limit": 1})).json()[0]["id"]

        async with vhub.database.transaction() as computation:
            await lock(computation)  # as a computation holds it while it rewrites exception rows
            resolving = asyncio.create_task(
                vhub.client.post(f"/api/exceptions/{exception_id}/resolve", json={"resolved_by": "dana"})
            )
            await asyncio.sleep(1.0)
            assert not resolving.done()  # queued behind the computation, not racing it
        response = await asyncio.wait_for(resolving, 10)
        assert response.status_code == 200, response.text
        after = (await vhub.client.get(f"/api/exceptions/{exception_id}")).json()
        assert (after["resolved"], after["resolved_by"]) == (True, "dana")
