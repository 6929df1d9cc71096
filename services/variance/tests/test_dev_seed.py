"""`make dev`'s demo seeding: the simulator's alias map goes into the hub through the public API, once."""

from __future__ import annotations

from datetime import timedelta

from hub_shared.devtools import seed_demo
from hub_shared.events import utcnow


async def test_seed_demo_loads_the_simulators_aliases_once(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=300, seed=6) as sim:
        vhub = await variance_hub(sim)
        expected = {(pair["ninja"], pair["threatlocker"]) for pair in sim.truth()["organization_aliases"]}
        assert expected
        gateway = str(vhub.client.base_url).rstrip("/")
        auth = vhub.hub.runtimes["gateway"].state["auth"]
        async with vhub.database.transaction() as db:
            token, _ = await auth.create_token(
                db, name="dev-seed", scopes=["variance:write"], expires_at=utcnow() + timedelta(hours=1)
            )
        assert await seed_demo(sim.url, gateway, token) == len(expected)
        listed = (await vhub.client.get("/api/organization-aliases")).json()["aliases"]
        assert {(alias["ninja_name"], alias["threatlocker_name"]) for alias in listed} == expected
        assert await seed_demo(sim.url, gateway, token) == 0  # a second start of make dev adds nothing
        assert len((await vhub.client.get("/api/organization-aliases")).json()["aliases"]) == len(expected)
