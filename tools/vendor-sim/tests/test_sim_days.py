"""Fleet days: moving to another day changes exactly the devices the change list names."""

from __future__ import annotations


def billing(device: dict) -> str:
    text = device["displayName"] + device["references"]["location"]["name"]
    return "spare" if "spare" in text.lower() else "billable"


async def fleet_state(c) -> dict[int, tuple[int, str]]:
    return {d["id"]: (d["organizationId"], billing(d)) for d in await c.all_ninja_devices()}


async def test_day_changes_match_served_differences(sim_factory):
    async with sim_factory(devices=1000) as c:
        start = await fleet_state(c)
        response = await c.http.post("/_sim/day", json={"day": 5})
        assert response.json() == {"day": 5, "date": "2025-03-08"}
        end = await fleet_state(c)
        changes = (await c.http.get("/_sim/changes", params={"from_day": 0, "to_day": 5})).json()

        assert changes["added"] == sorted(set(end) - set(start))
        assert changes["removed"] == sorted(set(start) - set(end))
        both = sorted(set(start) & set(end))
        assert changes["org_changed"] == [i for i in both if start[i][0] != end[i][0]]
        assert changes["billing_changed"] == [i for i in both if start[i][0] == end[i][0] and start[i][1] != end[i][1]]
        for kind in ("added", "removed", "org_changed", "billing_changed"):
            assert changes["counts"][kind] >= 3, kind
        # New devices get higher ids than any existing one, as in Ninja.
        assert min(changes["added"]) > max(start)
        directions = {(d["from_billing_status"], d["to_billing_status"]) for d in changes["billing_changed_details"]}
        assert directions == {("billable", "spare"), ("spare", "billable")}

        truth = (await c.http.get("/_sim/truth", params={"from_day": 0, "to_day": 5})).json()
        assert truth["day"] == 5
        assert truth["ninja"]["device_count"] == len(end) == 1000 + len(changes["added"]) - len(changes["removed"])
        assert truth["changes"]["added"] == changes["added"]


async def test_days_are_deterministic_and_reversible(sim_factory):
    async with sim_factory(devices=300) as c:
        day0 = await fleet_state(c)
        truth0 = c.sim.truth().to_json()
        await c.http.post("/_sim/day", json={"day": 9})
        day9 = await fleet_state(c)
        assert day9 != day0
        await c.http.post("/_sim/day", json={"day": 0})
        assert await fleet_state(c) == day0
        assert c.sim.truth().to_json() == truth0
        composed = c.sim.changes(0, 4).to_json()["added"] + c.sim.changes(4, 9).to_json()["added"]
        assert sorted(composed) == c.sim.changes(0, 9).to_json()["added"]
        assert (await c.http.post("/_sim/day", json={"day": -1})).status_code == 400
        assert (await c.http.post("/_sim/day", json={"day": "3"})).status_code == 400


async def test_changes_create_new_exceptions_and_planted_ones_persist(sim_factory):
    async with sim_factory(devices=2000) as c:
        before = c.sim.truth(0)
        after = c.sim.truth(10)
        planted_display = before.planted["display_name_mismatch"]
        assert planted_display <= after.variances["DISPLAY_NAME_MISMATCH"]
        # Devices removed from Ninja while ThreatLocker kept them now show up as missing in Ninja.
        assert len(after.variances["MISSING_NINJA"]) > len(before.variances["MISSING_NINJA"])
        assert len(after.variances["SPARE_MISMATCH"]) > len(before.variances["SPARE_MISMATCH"])
