"""NinjaOne side of the simulator: OAuth, keyset paging, device shape, custom fields."""

from __future__ import annotations

import base64

import pytest


class FakeClock:
    def __init__(self) -> None:
        self.now = 1_000_000.0

    def __call__(self) -> float:
        return self.now


async def test_token_flow_and_bad_credentials(sim_factory):
    async with sim_factory() as c:
        ok = await c.http.post(
            "/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sim-client",
                "client_secret": "sim-secret",
            },
        )
        assert ok.status_code == 200
        body = ok.json()
        assert body["token_type"] == "Bearer"
        assert body["expires_in"] == 3600
        assert body["scope"] == "monitoring management"
        assert len(body["access_token"]) > 20

        bad = await c.http.post(
            "/ws/oauth/token",
            data={"grant_type": "client_credentials", "client_id": "sim-client", "client_secret": "nope"},
        )
        assert bad.status_code == 401
        assert bad.json()["error"] == "invalid_client"
        assert bad.json()["error_description"]

        grant = await c.http.post("/ws/oauth/token", data={"grant_type": "password"})
        assert grant.status_code == 400
        assert grant.json()["error"] == "unsupported_grant_type"

        basic = base64.b64encode(b"sim-client:sim-secret").decode()
        via_basic = await c.http.post(
            "/ws/oauth/token",
            data={"grant_type": "client_credentials", "scope": "monitoring"},
            headers={"Authorization": f"Basic {basic}"},
        )
        assert via_basic.status_code == 200
        assert via_basic.json()["scope"] == "monitoring"
        assert c.sim.stats.tokens_issued == 2


async def test_api_needs_valid_unexpired_token(sim_factory):
    clock = FakeClock()
    async with sim_factory(token_ttl=60, clock=clock) as c:
        missing = await c.http.get("/v2/organizations")
        assert missing.status_code == 401
        assert missing.json()["resultCode"] == "FAILURE"
        assert missing.json()["incidentId"]
        wrong = await c.http.get("/v2/organizations", headers={"Authorization": "Bearer forged"})
        assert wrong.status_code == 401

        token = await c.login()
        assert (await c.ninja("/v2/organizations")).status_code == 200
        clock.now += 59
        assert (await c.ninja("/api/v2/organizations")).status_code == 200
        clock.now += 2
        expired = await c.ninja("/v2/organizations")
        assert expired.status_code == 401

        # Refresh-on-401: a new token works again; the admin route expires everything at once.
        assert await c.login() != token
        assert (await c.ninja("/v2/organizations")).status_code == 200
        assert (await c.http.post("/_sim/tokens/expire")).json() == {"expired": 1}
        assert (await c.ninja("/v2/organizations")).status_code == 401


async def test_refresh_token_grant_with_offline_access(sim_factory):
    async with sim_factory() as c:
        first = await c.http.post(
            "/ws/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sim-client",
                "client_secret": "sim-secret",
                "scope": "monitoring offline_access",
            },
        )
        refresh = first.json()["refresh_token"]
        again = await c.http.post(
            "/ws/oauth/token",
            data={
                "grant_type": "refresh_token",
                "refresh_token": refresh,
                "client_id": "sim-client",
                "client_secret": "sim-secret",
            },
        )
        assert again.status_code == 200
        assert again.json()["scope"] == "monitoring offline_access"


@pytest.mark.parametrize("page_size", [1000, 333])
async def test_keyset_pagination_returns_every_device_once(sim_factory, page_size):
    async with sim_factory(devices=2000) as c:
        devices = await c.all_ninja_devices(page_size)
        ids = [d["id"] for d in devices]
        assert len(ids) == 2000 == c.sim.truth().ninja_device_count
        assert ids == sorted(set(ids))
        assert ids == list(c.sim.index().ninja_ids)


async def test_api_v2_alias_and_short_final_page(sim_factory):
    async with sim_factory(devices=120) as c:
        first = (await c.ninja("/api/v2/devices-detailed", pageSize=100)).json()
        rest = (await c.ninja("/api/v2/devices-detailed", pageSize=100, after=first[-1]["id"])).json()
        assert len(first) == 100
        assert len(rest) == 20
        beyond = await c.ninja("/v2/devices-detailed", pageSize=100, after=rest[-1]["id"])
        assert beyond.json() == []
        unpaged = await c.ninja("/v2/devices")
        assert [d["id"] for d in unpaged.json()] == [d["id"] for d in first + rest]
        assert "os" not in unpaged.json()[0] and "references" not in unpaged.json()[0]
        assert (await c.ninja("/v2/devices-detailed", pageSize="ten")).status_code == 400


async def test_device_shape_follows_vendor_facts(sim_factory):
    async with sim_factory(devices=600) as c:
        devices = await c.all_ninja_devices()
        orgs = {o["id"]: o for o in (await c.ninja("/v2/organizations")).json()}
        locations = {loc["id"]: loc for loc in (await c.ninja("/v2/locations")).json()}
        classes = {d["nodeClass"] for d in devices}
        assert {
            "WINDOWS_WORKSTATION",
            "WINDOWS_SERVER",
            "MAC",
            "VMWARE_VM_GUEST",
            "HYPERV_VMM_GUEST",
        } <= classes
        for d in devices:
            assert isinstance(d["id"], int)
            assert len(d["systemName"]) <= 15 and d["systemName"] == d["systemName"].upper()
            assert d["netbiosName"] == d["systemName"]
            for stamp in ("created", "lastContact", "lastUpdate"):
                assert isinstance(d[stamp], float)
            assert d["references"]["organization"] == orgs[d["organizationId"]]
            assert d["references"]["location"] == locations[d["locationId"]]
            assert locations[d["locationId"]]["organizationId"] == d["organizationId"]
            agent = d["nodeClass"] not in ("VMWARE_VM_GUEST", "HYPERV_VMM_GUEST", "VMWARE_VM_HOST")
            assert ("os" in d) == agent
            if agent:
                assert {"manufacturer", "name", "architecture", "buildNumber", "releaseId"} <= d["os"].keys()
                assert 2 <= d["memory"]["capacity"] / 1024**3 <= 64
                processor = d["processors"][0]
                assert {"name", "maxClockSpeed", "numCores", "numLogicalCores"} <= processor.keys()
                system_volume = d["volumes"][0]
                assert 32 <= system_volume["capacity"] / 1024**3 <= 1024
                assert d["system"]["totalPhysicalMemory"] == d["memory"]["capacity"]
        with_dns = [d for d in devices if "dnsName" in d]
        assert 0 < len(with_dns) < len(devices)
        assert any("." in d["dnsName"] for d in with_dns)
        cpu_names = {d["processors"][0]["name"] for d in devices if "processors" in d}
        assert "AMD Ryzen 5 3600 6-Core Processor" in cpu_names or len(cpu_names) > 20
        builds = {(d["os"]["buildNumber"], d["os"]["releaseId"]) for d in devices if "os" in d}
        assert {("19045", "22H2"), ("22631", "23H2"), ("26100", "24H2")} <= builds


async def test_custom_fields_per_device_and_bulk_query(sim_factory):
    fields = ("has_tpm", "tpm_on", "tpm_ver", "sb_avail", "sb_on")
    async with sim_factory(devices=400, tpm_fields=fields) as c:
        devices = await c.all_ninja_devices()
        windows = [d for d in devices if d["nodeClass"].startswith("WINDOWS")]
        per_device = {}
        for d in windows[:60]:
            response = await c.ninja(f"/v2/device/{d['id']}/custom-fields")
            assert response.status_code == 200
            per_device[d["id"]] = response.json()
            assert set(response.json()) <= set(fields)
        values = [v for cf in per_device.values() for v in cf.values()]
        assert {"true", "false"} <= set(values)
        assert any(cf == {} for cf in per_device.values())  # the script never ran → insufficient data
        mac = next(d for d in devices if d["nodeClass"] == "MAC")
        assert (await c.ninja(f"/v2/device/{mac['id']}/custom-fields")).json() == {}
        assert (await c.ninja("/v2/device/999999999/custom-fields")).status_code == 404

        rows = []
        response = await c.ninja("/v2/queries/custom-fields", fields="has_tpm,tpm_ver", pageSize=150)
        while True:
            assert response.status_code == 200
            body = response.json()
            assert body["cursor"]["offset"] == len(rows)
            assert body["cursor"]["count"] == len(body["results"])
            rows.extend(body["results"])
            if len(body["results"]) < 150:
                break
            response = await c.ninja("/v2/queries/custom-fields", cursor=body["cursor"]["name"])
        assert [r["deviceId"] for r in rows] == [d["id"] for d in devices]
        by_id = {r["deviceId"]: r for r in rows}
        for device_id, cf in per_device.items():
            assert by_id[device_id]["fields"] == {k: v for k, v in cf.items() if k in ("has_tpm", "tpm_ver")}
        versions = {r["fields"].get("tpm_ver") for r in rows}
        assert {"2.0", "1.2", ""} <= versions
        assert (await c.ninja("/v2/queries/custom-fields", pageSize=9)).status_code == 400
        assert (await c.ninja("/v2/queries/custom-fields", cursor="garbage!")).status_code == 400


async def test_device_filter(sim_factory):
    async with sim_factory() as c:
        devices = await c.all_ninja_devices()
        org_id = devices[0]["organizationId"]
        filtered = await c.ninja("/v2/devices-detailed", df=f"org = {org_id} AND class in (WINDOWS_WORKSTATION)")
        expected = [
            d["id"] for d in devices if d["organizationId"] == org_id and d["nodeClass"] == "WINDOWS_WORKSTATION"
        ]
        assert [d["id"] for d in filtered.json()] == expected
        assert expected
        assert (await c.ninja("/v2/devices-detailed", df="online")).status_code == 400
