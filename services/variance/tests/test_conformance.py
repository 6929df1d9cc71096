"""Conformance with the spec (``spec/inventory-hub-api.md``) where an audit found the service apart from it:
exception endpoints return the latest data only, the exception list's documented order, vendor hostnames
on every device entry, and paths that are not the spec's (a trailing slash) answered with JSON, never a
redirect to the service's own address.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import text

from variance.catalog import TYPE_CODES

from .conftest import add_aliases, days_ago

VENDOR_NAMES = ("ninja_hostname", "threatlocker_hostname", "ninja_display_name", "threatlocker_display_name")


def appearing(sim: Any) -> tuple[int, dict[str, list[str]]]:
    """A later fleet day and the exceptions (per type) it has that fleet day 0 has not."""
    earliest = sim.truth(day=0)["variances"]
    for day in range(3, 12):
        later = sim.truth(day=day)["variances"]
        new = {code: sorted(set(later[code]) - set(earliest[code])) for code in TYPE_CODES}
        if sum(len(keys) for keys in new.values()) >= 2:
            return day, new
    raise AssertionError("the simulated fleet never gains exceptions")


async def test_exception_list_is_the_latest_report_newest_found_first(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=900, seed=21) as sim:
        vhub = await variance_hub(sim)
        client = vhub.client
        later_day, new = appearing(sim)
        first, second, third = days_ago(3), days_ago(2), days_ago(1)
        base = sim.truth(day=0)["variances"]
        later = sim.truth(day=later_day)["variances"]
        await add_aliases(vhub, sim.truth()["organization_aliases"])

        await vhub.collect(first)  # fleet day 0: found on `first`
        sim.set_day(later_day)
        await vhub.collect(second)  # the new ones are found on `second`

        # Sorted date_found DESC, then type, then hostname (response-shapes §4).
        listed = (await client.get("/api/exceptions", params={"limit": "1000"})).json()
        expected = sorted(
            (
                (second if key in new[code] else first).isoformat(),
                code,
                key,
            )
            for code in TYPE_CODES
            for key in later[code]
        )
        expected.sort(key=lambda item: (-int(item[0].replace("-", "")), item[1], item[2]))
        assert [(item["date_found"], item["type"], item["hostname"]) for item in listed] == expected
        assert listed[0]["date_found"] == second.isoformat()

        # Back to fleet day 0: the new exceptions are gone from the latest report.
        sim.set_day(0)
        await vhub.collect(third)
        gone = {(code, key) for code in TYPE_CODES for key in new[code]}
        current = {(code, key) for code in TYPE_CODES for key in base[code]}
        response = await client.get("/api/exceptions", params={"limit": "1000"})
        by_default = {(item["type"], item["hostname"]) for item in response.json()}
        # The spec: exception endpoints return the latest data only.
        assert by_default == current and not by_default & gone
        assert int(response.headers["x-total-count"]) == len(current)
        assert all(item["in_latest_report"] for item in response.json())
        explicit = (await client.get("/api/exceptions", params={"limit": "1000", "date": "latest"})).json()
        assert {(item["type"], item["hostname"]) for item in explicit} == current
        on_second = (await client.get("/api/exceptions", params={"limit": "1000", "date": second.isoformat()})).json()
        assert {(item["type"], item["hostname"]) for item in on_second} == current | gone
        everything = (await client.get("/api/exceptions", params={"limit": "1000", "date": "all"})).json()
        assert {(item["type"], item["hostname"]) for item in everything} == current | gone
        closed = [item for item in everything if (item["type"], item["hostname"]) in gone]
        assert all(item["in_latest_report"] is False and item["resolved"] is True for item in closed)
        # The other filters apply within the latest report.
        code, key = next(iter(sorted(current)))
        narrowed = (await client.get("/api/exceptions", params={"type": code, "hostname": key})).json()
        assert [(item["type"], item["hostname"]) for item in narrowed] == [(code, key)]
        assert (await client.get("/api/exceptions", params={"resolved": "true"})).json() == []


async def test_recent_manual_updates_carry_each_vendors_hostname(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=500, seed=13) as sim:
        vhub = await variance_hub(sim)
        await vhub.collect(days_ago(0))
        listed = (await vhub.client.get("/api/exceptions", params={"type": "display_name_mismatches"})).json()
        target = listed[0]
        assert target["ninja_hostname"] and target["threatlocker_hostname"]
        fixed = await vhub.client.post(
            f"/api/exceptions/{target['id']}/mark-manually-fixed",
            json={"updated_by": "erin", "update_type": "display_name_update"},
        )
        assert fixed.status_code == 200
        summary = (await vhub.client.get("/api/exceptions/status-summary")).json()
        update = summary["recent_manual_updates"][0]
        assert (update["exception_id"], update["hostname"], update["type"]) == (
            target["id"],
            target["hostname"],
            "DISPLAY_NAME_MISMATCH",
        )
        assert (update["updated_by"], update["update_type"]) == ("erin", "display_name_update")
        assert update["updated_at"].endswith("Z")
        assert {name: update[name] for name in VENDOR_NAMES} == {name: target[name] for name in VENDOR_NAMES}
        assert update["organization"] == target["organization"]


async def test_a_trailing_slash_is_a_json_404_not_a_redirect(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=150, seed=3) as sim:
        vhub = await variance_hub(sim)
        bare = (
            "/api/variance-report/latest/",
            "/api/variances/available-dates/",
            "/api/exceptions/",
            "/api/exceptions/status-summary/",
            "/api/devices/search/?q=abc",
        )
        for path in bare:
            response = await vhub.client.get(path)
            assert response.status_code == 404, path
            assert "location" not in response.headers, path
            assert response.json() == {"error": "Not found"}, path
        usage = await vhub.client.get("/api/ninja/available-dates/")
        assert usage.status_code == 404 and "location" not in usage.headers
        assert usage.json() == {"success": False, "error": {"code": "NOT_FOUND", "message": "Not found", "status": 404}}
        posted = await vhub.client.post("/api/exceptions/bulk-update/", json={"exception_ids": [1]})
        assert posted.status_code == 404 and posted.json() == {"error": "Not found"}
        # The spec's own paths still answer.
        assert (await vhub.client.get("/api/variance-report/latest")).status_code == 200
        assert (await vhub.client.get("/api/ninja/available-dates")).status_code == 200


async def test_available_dates_count_ninja_devices_without_vm_guests_before_the_report(
    vendor_sim, variance_hub
) -> None:
    with vendor_sim(devices=600, seed=8) as sim:
        vhub = await variance_hub(sim)
        truth = sim.truth()
        assert truth["ninja"]["vm_guest_count"] > 0
        await vhub.collect(days_ago(1))
        await vhub.collect(days_ago(0))
        # A date whose report is not computed (yet): its counts come from the snapshots alone.
        async with vhub.database.transaction() as session:
            await session.execute(text("DELETE FROM variance.reports WHERE report_date = :day"), {"day": days_ago(1)})
        dates = (await vhub.client.get("/api/variances/available-dates")).json()["available_dates"]
        by_day = {entry["date"]: entry for entry in dates}
        pending, computed = by_day[days_ago(1).isoformat()], by_day[days_ago(0).isoformat()]
        assert pending["report_available"] is False and computed["report_available"] is True
        expected = (truth["ninja"]["device_count_excluding_vm_guests"], truth["threatlocker"]["computer_count"])
        assert (pending["ninja_devices"], pending["threatlocker_devices"]) == expected
        assert (computed["ninja_devices"], computed["threatlocker_devices"]) == expected
        assert (pending["total_exceptions"], pending["unresolved_exceptions"]) == (0, 0)


async def test_bulk_update_echoes_the_ids_it_was_sent(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=300, seed=13) as sim:
        vhub = await variance_hub(sim)
        await vhub.collect(days_ago(0))
        ids = [item["id"] for item in (await vhub.client.get("/api/exceptions", params={"limit": "3"})).json()]
        sent = [ids[2], 987654, ids[0], ids[2]]
        answer = await vhub.client.post(
            "/api/exceptions/bulk-update", json={"exception_ids": sent, "action": "resolve", "updated_by": "fay"}
        )
        assert answer.status_code == 200
        assert answer.json() == {
            "success": True,
            "message": "Bulk resolve completed",
            "updated_count": 2,
            "exception_ids": sent,
            "updated_ids": sorted([ids[0], ids[2]]),
            "not_found": [987654],
            "updated_by": "fay",
        }
