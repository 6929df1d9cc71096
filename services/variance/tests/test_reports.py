"""Report routes: the spec's shapes (and the replaced system's extra fields), data status, history views,
trends, device search, and the errors of each route in its envelope.
"""

from __future__ import annotations

import gzip

import httpx

from variance.catalog import TYPE_CODES, VARIANCE_TYPES

from .conftest import UNKNOWN_TYPE, add_aliases, days_ago

BLOCK_KEYS = [kind.report_key for kind in VARIANCE_TYPES]
ORG_ENTRY_KEYS = {
    "hostname",
    "vendor",
    "display_name",
    "organization",
    "billing_status",
    "action",
    "ninja_hostname",
    "threatlocker_hostname",
    "ninja_display_name",
    "threatlocker_display_name",
}


async def test_report_shapes_status_history_and_errors(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=900, seed=12) as sim:
        vhub = await variance_hub(sim)
        client = vhub.client

        # No data yet: out_of_sync is a status to display, not an error.
        empty = await client.get("/api/variance-report/latest")
        assert empty.status_code == 200
        body = empty.json()
        assert body["data_status"] == {
            "status": "out_of_sync",
            "message": "No matching data found between vendors",
            "latest_date": None,
        }
        assert body["report_date"] is None and all(
            body[key] == {"total_count": 0, "by_organization": {}} for key in BLOCK_KEYS
        )
        filtered = (await client.get("/api/variance-report/filtered")).json()
        assert filtered["status"] == "out_of_sync" and filtered["total_variances"] == 0
        export = await client.get("/api/variances/export/csv")
        assert export.status_code == 404 and export.json()["status"] == "out_of_sync"

        truth = sim.truth()
        await add_aliases(vhub, truth["organization_aliases"])
        await vhub.collect(days_ago(3))
        await vhub.collect(days_ago(0), collectors=("ninja",))
        latest = (await client.get("/api/variance-report/latest")).json()
        day = days_ago(3).isoformat()
        assert latest["report_date"] == day
        assert latest["data_status"] == {"status": "stale_data", "message": "Data is 3 days old", "latest_date": day}
        assert latest["collection_info"]["data_freshness"] == "stale"
        assert latest["collection_info"]["ninja_collected"].endswith("Z")
        assert latest["collection_info"]["report_date"] == day
        total = sum(len(keys) for keys in truth["variances"].values())
        assert latest["summary"] == {"total_exceptions": total, "unresolved_count": total, "resolved_count": 0}
        assert latest["exception_counts"] == {code: len(truth["variances"][code]) for code in TYPE_CODES}
        for kind in VARIANCE_TYPES:
            block = latest[kind.report_key]
            assert block["total_count"] == len(truth["variances"][kind.code])
            entries = [entry for entries in block["by_organization"].values() for entry in entries]
            assert sorted(entry["hostname"] for entry in entries) == truth["variances"][kind.code]
            for organization, group in block["by_organization"].items():
                assert all(set(entry) >= ORG_ENTRY_KEYS and entry["organization"] == organization for entry in group)
        spare = next(
            e for g in latest["devices_that_should_not_have_threatlocker"]["by_organization"].values() for e in g
        )
        assert spare["billing_status"] == "spare" and spare["ninja_hostname"] and spare["threatlocker_hostname"]
        display = latest["exceptions_by_type"]["DISPLAY_NAME_MISMATCH"][0]
        assert display["ninja_display_name"] != display["threatlocker_display_name"]
        assert latest["device_counts"] == {
            "Ninja": truth["ninja"]["device_count_excluding_vm_guests"],
            "ThreatLocker": truth["threatlocker"]["computer_count"],
        }

        # The by-date and historical reports have the latest report's structure.
        by_date = (await client.get(f"/api/variance-report/{day}")).json()
        historical = (await client.get(f"/api/variances/historical/{day}")).json()
        assert set(by_date) == set(latest) == set(historical)
        assert by_date["data_status"] == latest["data_status"]
        assert historical["data_status"] == {
            "status": "historical",
            "message": f"Historical data for {day}",
            "latest_date": day,
        }
        assert historical["exceptions_by_type"] == latest["exceptions_by_type"]

        filtered = (await client.get("/api/variance-report/filtered")).json()
        assert filtered["status"] == "stale_data" and filtered["analysis_date"] == day
        assert filtered["total_variances"] == total
        assert filtered["total_devices"] == {
            "ninja": truth["ninja"]["device_count_excluding_vm_guests"],
            "threatlocker": truth["threatlocker"]["computer_count"],
        }
        assert filtered["threatlocker_duplicates"]["devices"]
        items = [i for key in BLOCK_KEYS for group in filtered[key]["by_organization"].values() for i in group]
        assert len(items) == total and all(i["organization"] and i["action"] for i in items)
        assert all(
            i["organization"] != "Unknown"
            for g in filtered["devices_that_should_not_have_threatlocker"]["by_organization"].values()
            for i in g
        )
        assert filtered["data_quality"]["exception_types"] == [code for code in TYPE_CODES if truth["variances"][code]]

        dates = (await client.get("/api/variances/available-dates")).json()
        assert dates["total_dates"] == 1 and dates["date_range"] == {"earliest": day, "latest": day}
        entry = dates["available_dates"][0]
        assert (entry["ninja_devices"], entry["threatlocker_devices"], entry["total_exceptions"]) == (
            truth["ninja"]["device_count_excluding_vm_guests"],
            truth["threatlocker"]["computer_count"],
            total,
        )
        assert (entry["data_quality"], entry["days_old"]) == ("recent", 3)

        trends = (
            await client.get(
                "/api/variances/trends",
                params={"start_date": days_ago(10).isoformat(), "end_date": days_ago(0).isoformat()},
            )
        ).json()
        assert trends["trends_by_date"][day]["MISSING_NINJA"]["total"] == len(truth["variances"]["MISSING_NINJA"])
        assert trends["summary"]["total_exceptions"] == total and trends["date_range"]["days"] == 11
        one_type = (
            await client.get(
                "/api/variances/trends", params={"start_date": day, "end_date": day, "type": "site_mismatches"}
            )
        ).json()
        assert list(one_type["trends_by_type"]) == ["SITE_MISMATCH"]

        # Bodies are cached per revision: gzip for browsers, ETag revalidation.
        raw = await client.get("/api/variance-report/latest", headers={"accept-encoding": "gzip"})
        etag = raw.headers["etag"]
        again = await client.get("/api/variance-report/latest", headers={"if-none-match": etag})
        assert again.status_code == 304
        async with httpx.AsyncClient(base_url=vhub.url) as plain:
            zipped = await plain.get("/api/variance-report/latest", headers={"accept-encoding": "gzip"})
            assert zipped.headers["content-encoding"] == "gzip"
            identity = await plain.get("/api/variance-report/latest", headers={"accept-encoding": "identity"})
            assert "content-encoding" not in identity.headers and zipped.content == identity.content

        errors = [
            ("/api/variance-report/2025-02-30", 400, {"error": "Invalid date format. Use YYYY-MM-DD"}),
            ("/api/variance-report/yesterday", 400, {"error": "Invalid date format. Use YYYY-MM-DD"}),
            (
                f"/api/variance-report/{days_ago(0)}",
                400,
                {
                    "error": f"Insufficient data for {days_ago(0)}. Found 1 vendors, need 2.",
                    "status": "insufficient_data",
                },
            ),
            (
                "/api/variances/historical/2020-01-01",
                400,
                {"error": "Insufficient data for 2020-01-01. Found 0 vendors, need 2.", "status": "insufficient_data"},
            ),
            (
                "/api/variance-report/latest?include_resolved=perhaps",
                400,
                {"error": "Invalid value for include_resolved: use true or false"},
            ),
            ("/api/variances/trends", 400, {"error": "start_date and end_date are required"}),
            ("/api/variances/trends?start_date=2025-01-01", 400, {"error": "start_date and end_date are required"}),
            (
                "/api/variances/trends?start_date=2025-13-01&end_date=2025-12-01",
                400,
                {"error": "Invalid date format. Use YYYY-MM-DD"},
            ),
            (
                "/api/variances/trends?start_date=2025-12-02&end_date=2025-12-01",
                400,
                {"error": "start_date must be before end_date"},
            ),
            (
                "/api/variances/trends?start_date=2025-12-01&end_date=2025-12-01&type=bogus",
                400,
                {"error": UNKNOWN_TYPE.format("bogus")},
            ),
            ("/api/devices/search", 400, {"error": "Search term (q) is required"}),
            ("/api/devices/search?q=%20", 400, {"error": "Search term (q) is required"}),
            (
                "/api/devices/search?q=abc&vendor=sentinelone",
                400,
                {"error": "Invalid vendor: use ninja or threatlocker"},
            ),
            ("/api/devices/search?q=abc&limit=ten", 400, {"error": "Invalid value for limit: must be an integer"}),
            ("/api/variances/nothing", 404, {"error": "Not found"}),
        ]
        for path, status, body in errors:
            response = await client.get(path)
            assert response.status_code == status, path
            assert response.headers["content-type"].startswith("application/json")
            assert response.json() == body, path


async def test_device_search_spans_both_vendors_and_netbios_names(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=600, seed=4) as sim:
        vhub = await variance_hub(sim)
        truth = sim.truth()
        await vhub.collect(days_ago(1), collectors=("threatlocker",))
        await vhub.collect(days_ago(0), collectors=("ninja",))
        pair = truth["netbios_truncated"][0]
        found = (await vhub.client.get("/api/devices/search", params={"q": pair["tl_key"].upper()})).json()
        group = found["grouped_by_canonical_key"][pair["ninja_key"]]
        vendors = {entry["vendor"]: entry for entry in group}
        # Each vendor is searched in its own newest snapshot (ThreatLocker's is a day older).
        assert vendors["Ninja"]["snapshot_date"] == days_ago(0).isoformat()
        assert vendors["ThreatLocker"]["snapshot_date"] == days_ago(1).isoformat()
        assert vendors["Ninja"]["is_truncated"] is True and found["truncated_hostnames"] == 1
        assert found["warning"] == "Some hostnames may be truncated due to Ninja 15-character limit"
        assert vendors["Ninja"]["threatlocker_hostname"].lower() == pair["tl_key"]
        assert vendors["ThreatLocker"]["ninja_hostname"].lower() == pair["ninja_key"]
        assert set(found["vendors_found"]) == {"Ninja", "ThreatLocker"}

        only = (
            await vhub.client.get("/api/devices/search", params={"q": pair["ninja_key"], "vendor": "ThreatLocker"})
        ).json()
        assert {entry["vendor"] for group in only["grouped_by_canonical_key"].values() for entry in group} == {
            "ThreatLocker"
        }
        literal = (await vhub.client.get("/api/devices/search", params={"q": "%"})).json()
        assert literal["total_results"] == 0  # a wildcard is a character, not "everything"
        capped = (await vhub.client.get("/api/devices/search", params={"q": "-", "limit": "5"})).json()
        assert capped["total_results"] == 5 and capped["results_truncated"] is True


def test_gzip_bodies_round_trip() -> None:
    from variance.reports.cache import Rendered

    body = b'{"a":"' + b"x" * 5000 + b'"}'
    rendered = Rendered.of(body)
    assert rendered.gzipped is not None and gzip.decompress(rendered.gzipped) == body
    assert Rendered.of(b"{}").gzipped is None
