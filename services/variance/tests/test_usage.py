"""Ninja usage changes between two dates against the simulator's own record of what changed."""

from __future__ import annotations

from .conftest import days_ago


async def test_usage_changes_list_exactly_the_changed_devices(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=1500, seed=17) as sim:
        vhub = await variance_hub(sim)
        start, end, last = days_ago(4), days_ago(2), days_ago(1)
        await vhub.collect(start, collectors=("ninja",))
        sim.set_day(9)
        await vhub.collect(end, collectors=("ninja",))
        expected = sim.truth(from_day=0, to_day=9)["changes"]
        assert all(expected["counts"].values()), expected["counts"]  # every kind of change happens

        params = {"start_date": start.isoformat(), "end_date": end.isoformat(), "detail_level": "full"}
        answer = await vhub.client.get("/api/ninja/usage-changes", params=params)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        assert body["success"] is True
        data = body["data"]
        changes = data["changes"]
        for kind in ("added", "removed", "org_changed", "billing_changed"):
            assert sorted(item["device_identity_id"] for item in changes[kind]) == sorted(expected[kind]), kind
            assert data["summary"]["changes"][kind] == expected["counts"][kind]
        moved = {item["id"]: item for item in expected["org_changed_details"]}
        for item in changes["org_changed"]:
            assert (item["from_organization"], item["to_organization"]) == (
                moved[item["device_identity_id"]]["from_organization"],
                moved[item["device_identity_id"]]["to_organization"],
            )
            assert item["change_date"] == end.isoformat()
        billing = {item["id"]: item for item in expected["billing_changed_details"]}
        for item in changes["billing_changed"]:
            wanted = billing[item["device_identity_id"]]
            assert (item["from_billing_status"], item["to_billing_status"]) == (
                wanted["from_billing_status"],
                wanted["to_billing_status"],
            )
        for item in changes["removed"]:
            assert item["last_seen_date"] == start.isoformat() and item["billing_status"] in ("billable", "spare")
        for item in changes["added"]:
            assert {"hostname", "ninja_hostname", "threatlocker_hostname", "display_name", "location_name"} <= set(item)

        summary = data["summary"]
        # Totals are the simulator's own fleet sizes on both days (VM guests are not billed, so not counted).
        assert summary["start_total_devices"] == sim.truth(day=0)["ninja"]["device_count_excluding_vm_guests"]
        assert summary["end_total_devices"] == sim.truth(day=9)["ninja"]["device_count_excluding_vm_guests"]
        assert summary["net_change"] == summary["end_total_devices"] - summary["start_total_devices"] != 0
        organizations = data["by_organization"]
        internal = sim.sim.config.internal_org_name
        assert internal not in organizations and list(organizations) == sorted(organizations, key=str.lower)
        assert sum(o["org_in"] for o in organizations.values()) == sum(o["org_out"] for o in organizations.values())

        # Each organisation's counts are the simulator's on both days (internal organisations left out).
        def per_org(day: int) -> dict[str, int]:
            orgs = sim.truth(day=day)["organizations"]
            return {o["name"]: o["devices_excluding_vm_guests"] for o in orgs if not o["internal"]}

        start_counts, end_counts = per_org(0), per_org(9)
        assert {name: o["start_count"] for name, o in organizations.items()} == {
            name: start_counts.get(name, 0) for name in organizations
        }
        assert {name: o["end_count"] for name, o in organizations.items()} == {
            name: end_counts.get(name, 0) for name in organizations
        }
        assert set(organizations) >= {name for name, count in end_counts.items() if count}
        for org in organizations.values():
            assert (
                org["end_count"] == org["start_count"] + org["added"] - org["removed"] + org["org_in"] - org["org_out"]
            )
        assert data["metadata"]["vendor_id"] == 3 and data["metadata"]["detail_level"] == "full"

        # Summary mode has no device lists; an organisation filter narrows everything to it.
        summary_only = (
            await vhub.client.get("/api/ninja/usage-changes", params={**params, "detail_level": "summary"})
        ).json()
        assert "changes" not in summary_only["data"] and summary_only["data"]["summary"] == summary
        target = changes["org_changed"][0]["to_organization"]
        narrowed = (
            await vhub.client.get("/api/ninja/usage-changes", params={**params, "organization_name": target.upper()})
        ).json()["data"]
        assert list(narrowed["by_organization"]) == [target]
        assert narrowed["metadata"]["organization_filter"] == target.upper()
        assert narrowed["summary"]["end_total_devices"] == organizations[target]["end_count"]
        for entries in narrowed["changes"].values():
            for item in entries:
                touched = (item.get("organization_name"), item.get("from_organization"), item.get("to_organization"))
                assert target in touched

        dates = (await vhub.client.get("/api/ninja/available-dates", params={"days": "10"})).json()
        assert dates == {
            "success": True,
            "data": {
                "dates": [start.isoformat(), end.isoformat()],
                "count": 2,
                "range": {"start": days_ago(10).isoformat(), "end": days_ago(0).isoformat()},
            },
        }

        errors = [
            ({}, 400, "MISSING_PARAMETERS"),
            ({"start_date": start.isoformat()}, 400, "MISSING_PARAMETERS"),
            ({"start_date": "2025-1-01", "end_date": end.isoformat()}, 400, "INVALID_DATE"),
            ({"start_date": end.isoformat(), "end_date": start.isoformat()}, 400, "INVALID_DATE_RANGE"),
            ({"start_date": start.isoformat(), "end_date": start.isoformat()}, 400, "INVALID_DATE_RANGE"),
            ({**params, "detail_level": "everything"}, 400, "INVALID_PARAMETER"),
            ({"start_date": start.isoformat(), "end_date": last.isoformat()}, 404, "NO_DATA"),
        ]
        for query, status, code in errors:
            response = await vhub.client.get("/api/ninja/usage-changes", params=query)
            assert response.status_code == status, query
            error = response.json()
            assert error["success"] is False and error["error"]["code"] == code and error["error"]["status"] == status
        bad_days = await vhub.client.get("/api/ninja/available-dates", params={"days": "0"})
        assert bad_days.status_code == 400 and bad_days.json()["error"]["code"] == "INVALID_PARAMETER"
        unknown = await vhub.client.get("/api/ninja/nothing-here")
        assert unknown.status_code == 404 and unknown.json()["success"] is False
