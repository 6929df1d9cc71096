"""Exception identity and lifecycle across collections and days, with who and when for every change."""

from __future__ import annotations

from typing import Any

from .conftest import UNKNOWN_TYPE, VarianceHub, add_aliases, days_ago


def find_days(sim: Any) -> tuple[int, int, str, str]:
    """Fleet days (first, second) and an exception key present on the first and gone on the second.

    The simulated fleet only accumulates exceptions as days pass, but it can be moved back in time: a
    later fleet day collected first, then an earlier one, makes conditions go away.
    """
    earliest = sim.truth(day=0)["variances"]
    for first in range(1, 10):
        later = sim.truth(day=first)["variances"]
        for code in ("SPARE_MISMATCH", "SITE_MISMATCH", "DISPLAY_NAME_MISMATCH", "MISSING_NINJA"):
            gone = sorted(set(later[code]) - set(earliest[code]))
            if gone:
                return first, 0, code, gone[0]
    raise AssertionError("the simulated fleet never changes")


async def exception_by_key(vhub: VarianceHub, code: str, key: str) -> dict[str, Any]:
    items = (
        await vhub.client.get("/api/exceptions", params={"type": code, "hostname": key, "limit": "50", "date": "all"})
    ).json()
    matches = [item for item in items if item["hostname"] == key]
    assert len(matches) == 1, (code, key, items)
    detail = (await vhub.client.get(f"/api/exceptions/{matches[0]['id']}")).json()
    return detail


async def test_resolved_stays_resolved_and_manual_fixes_are_verified_or_reopened(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=1200, seed=5) as sim:
        vhub = await variance_hub(sim)
        j, k, gone_code, gone_key = find_days(sim)
        truth_j, truth_k = sim.truth(day=j), sim.truth(day=k)
        await add_aliases(vhub, truth_j["organization_aliases"])
        planted = truth_j["planted"]
        resolved_key = planted["missing_ninja"][0]
        fixed_key = planted["display_name_mismatch"][0]
        assert resolved_key in truth_k["variances"]["MISSING_NINJA"]
        assert fixed_key in truth_k["variances"]["DISPLAY_NAME_MISMATCH"]

        sim.set_day(j)
        await vhub.collect(days_ago(2))
        resolved = await exception_by_key(vhub, "MISSING_NINJA", resolved_key)
        answer = await vhub.client.post(
            f"/api/exceptions/{resolved['id']}/resolve", json={"resolved_by": "bob", "notes": "known"}
        )
        assert answer.status_code == 200 and answer.json()["success"] is True
        assert answer.json()["message"] == "Exception resolved"

        # Collectors run again the same day: still resolved, same identity.
        await vhub.collect(days_ago(2))
        again = await exception_by_key(vhub, "MISSING_NINJA", resolved_key)
        assert (
            again["id"] == resolved["id"] and again["variance_status"] == "resolved" and again["resolved_by"] == "bob"
        )
        latest = (await vhub.client.get("/api/variance-report/latest")).json()
        assert resolved_key not in [i["hostname"] for i in latest["exceptions_by_type"].get("MISSING_NINJA", [])]
        assert latest["summary"]["resolved_count"] == 1

        # Manual fixes: one by a signed-in user (the gateway's identity wins over the body), one anonymous.
        fixed = await exception_by_key(vhub, "DISPLAY_NAME_MISMATCH", fixed_key)
        gone = await exception_by_key(vhub, gone_code, gone_key)
        body = {
            "updated_by": "mallory",
            "update_type": "display_name_update",
            "old_value": {"name": "a"},
            "new_value": {"name": "b"},
        }
        signed = await vhub.direct.post(
            f"/api/exceptions/{fixed['id']}/mark-manually-fixed", json=body, headers=vhub.signed("alice@example.com")
        )
        assert signed.status_code == 200 and signed.json()["updated_by"] == "alice@example.com"
        anonymous = await vhub.client.post(f"/api/exceptions/{gone['id']}/mark-manually-fixed", json=body)
        assert anonymous.json()["updated_by"] == "mallory" and anonymous.json()["updated_at"].endswith("Z")

        # Next day: the condition that went away is verified; the one that persists reopens; the
        # resolved one stays resolved.
        sim.set_day(k)
        await vhub.collect(days_ago(1))
        verified = await exception_by_key(vhub, gone_code, gone_key)
        reopened = await exception_by_key(vhub, "DISPLAY_NAME_MISMATCH", fixed_key)
        still = await exception_by_key(vhub, "MISSING_NINJA", resolved_key)
        assert verified["variance_status"] == "collector_verified" and verified["in_latest_report"] is False
        assert reopened["variance_status"] == "active" and reopened["resolved"] is False
        assert still["variance_status"] == "resolved" and still["id"] == resolved["id"]
        assert [h["action"] for h in reopened["history"]] == ["detected", "manually_fixed", "reopened"]
        assert reopened["history"][1]["actor"] == "alice@example.com"
        assert reopened["history"][1]["actor_source"] == "identity"
        assert [h["action"] for h in verified["history"]][-2:] == ["manually_fixed", "collector_verified"]
        assert verified["history"][-2]["actor"] == "mallory" and verified["history"][-1]["actor"] == "collector"
        assert all(h["changed_at"].endswith("Z") for h in verified["history"])
        assert [h["action"] for h in still["history"]] == ["detected", "resolved"]

        # Every exception that disappeared without a person's action is resolved by the collector
        # (device still there) or stale (device gone from both vendors).
        closed = (
            await vhub.client.get("/api/exceptions", params={"status": "closed", "limit": "1000", "date": "all"})
        ).json()
        automatic = [item for item in closed if item["id"] not in (resolved["id"], gone["id"])]
        assert automatic
        for item in automatic:
            assert item["variance_status"] in ("resolved", "stale")
            assert item["resolved_by"] == ("collector" if item["variance_status"] == "resolved" else None)
            assert item["in_latest_report"] is False

        # The report of day j still shows what it showed then (historical view).
        historical = (
            await vhub.client.get(f"/api/variances/historical/{days_ago(2)}", params={"include_resolved": "true"})
        ).json()
        assert historical["data_status"]["status"] == "historical"
        assert gone_key in [i["hostname"] for i in historical["exceptions_by_type"][gone_code]]

        # The same condition coming back reopens a verified exception (same identity).
        sim.set_day(j)
        await vhub.collect(days_ago(0))
        back = await exception_by_key(vhub, gone_code, gone_key)
        assert back["id"] == gone["id"] and back["variance_status"] == "active"
        assert back["history"][-1]["action"] == "reopened"


async def test_bulk_update_reset_and_errors(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=500, seed=13) as sim:
        vhub = await variance_hub(sim)
        await vhub.collect(days_ago(0))
        items = (await vhub.client.get("/api/exceptions", params={"limit": "4"})).json()
        ids = [item["id"] for item in items]
        assert len(ids) == 4

        answer = await vhub.client.post(
            "/api/exceptions/bulk-update",
            json={"exception_ids": [*ids[:3], 987654], "action": "mark_manually_fixed", "updated_by": "carol"},
        )
        payload = answer.json()
        assert answer.status_code == 200 and payload["updated_count"] == 3 and payload["not_found"] == [987654]
        assert payload["message"] == "Bulk mark_manually_fixed completed" and payload["updated_by"] == "carol"
        fixed = (await vhub.client.get("/api/exceptions", params={"status": "manually_fixed"})).json()
        assert sorted(item["id"] for item in fixed) == sorted(ids[:3])

        reset = await vhub.client.post(
            "/api/exceptions/bulk-update", json={"exception_ids": ids[:2], "action": "reset_status"}
        )
        assert reset.json()["updated_count"] == 2
        reopened = (await vhub.client.get(f"/api/exceptions/{ids[0]}")).json()
        assert reopened["variance_status"] == "active" and reopened["resolved"] is False
        assert reopened["manually_updated_by"] is None
        summary = (await vhub.client.get("/api/exceptions/status-summary")).json()
        assert (
            summary["by_variance_status"]["manually_fixed"]
            and summary["recent_manual_updates"][0]["action"] == "reset_status"
        )
        assert summary["recent_manual_updates"][0]["updated_at"].endswith("Z")

        # The report follows the change at once (its cached body is retired).
        latest = (await vhub.client.get("/api/variance-report/latest")).json()
        assert latest["summary"]["resolved_count"] == 1
        listed = {i["id"] for entries in latest["exceptions_by_type"].values() for i in entries}
        assert ids[2] not in listed and ids[0] in listed

        errors = {
            "/api/exceptions/987654/resolve": (404, {"error": "Exception not found"}),
            "/api/exceptions/987654/mark-manually-fixed": (404, {"error": "Exception not found"}),
        }
        for path, (status, body) in errors.items():
            response = await vhub.client.post(path, json={})
            assert response.status_code == status, path
            assert response.json() == body
        # Messages written by pydantic keep its wording; they are pinned to the field they name.
        not_an_id = await vhub.client.post("/api/exceptions/abc/resolve", json={})
        assert not_an_id.status_code == 400
        assert not_an_id.json()["error"].startswith("Invalid value for exception_id: ")
        bad_bodies = [
            ({"exception_ids": []}, {"error": "No exception IDs provided"}),
        ]
        for body, expected in bad_bodies:
            response = await vhub.client.post("/api/exceptions/bulk-update", json=body)
            assert response.status_code == 400 and response.json() == expected
        invalid = await vhub.client.post(
            "/api/exceptions/bulk-update", json={"exception_ids": [1], "action": "explode"}
        )
        assert invalid.status_code == 400 and invalid.json()["error"] == "Invalid action"
        assert sorted(invalid.json()["allowed_actions"]) == ["mark_manually_fixed", "reset_status", "resolve"]
        for body, field in (({"exception_ids": ["1"]}, "exception_ids.0"), ({"exception_ids": "1"}, "exception_ids")):
            response = await vhub.client.post("/api/exceptions/bulk-update", json=body)
            assert response.status_code == 400
            assert response.json()["error"].startswith(f"Invalid value for {field}: ")
        malformed = await vhub.client.post(
            f"/api/exceptions/{ids[3]}/resolve", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert malformed.status_code == 400 and malformed.json() == {"error": "Malformed JSON body"}
        statuses = "active, resolved, manually_fixed, collector_verified, stale"
        for query, message in (
            ({"limit": "0"}, "Invalid value for limit: must be between 1 and 1000"),
            ({"limit": "x"}, "Invalid value for limit: must be an integer"),
            ({"offset": "-1"}, "Invalid value for offset: must be between 0 and 10000000"),
            ({"status": "gone"}, f"Invalid status 'gone'. Use one of: {statuses}"),
            ({"type": "nope"}, UNKNOWN_TYPE.format("nope")),
            ({"date": "2025-02-30"}, "Invalid date format. Use YYYY-MM-DD"),
            ({"resolved": "maybe"}, "Invalid value for resolved: use true or false"),
        ):
            response = await vhub.client.get("/api/exceptions", params=query)
            assert response.status_code == 400 and response.json() == {"error": message}, query
        page = await vhub.client.get("/api/exceptions", params={"limit": "2", "offset": "1"})
        assert [item["id"] for item in page.json()] == [item["id"] for item in items[1:3]]
        assert int(page.headers["x-total-count"]) >= 4
