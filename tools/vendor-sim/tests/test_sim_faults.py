"""Injected faults behave as documented, and the request counters show what happened."""

from __future__ import annotations

import json
import time


async def add_fault(c, **rule) -> None:
    response = await c.http.post("/_sim/faults", json=rule)
    assert response.status_code == 200, response.text


async def test_rate_limit_for_next_k_requests(sim_factory):
    async with sim_factory() as c:
        await c.login()
        await add_fault(c, kind="rate_limit", target="ninja", count=2, retry_after=7)
        for _ in range(2):
            limited = await c.ninja("/v2/organizations")
            assert limited.status_code == 429
            assert limited.headers["Retry-After"] == "7"
            assert limited.json()["resultCode"] == "FAILURE"
        assert (await c.ninja("/v2/organizations")).status_code == 200
        await add_fault(c, kind="rate_limit", target="tl", count=1)
        limited_tl = await c.tl(c.tl_body(1))
        assert limited_tl.status_code == 429
        assert limited_tl.json()["StatusCode"] == 429
        assert (await c.tl(c.tl_body(1))).status_code == 200

        stats = (await c.http.get("/_sim/stats")).json()
        assert stats["requests"]["ninja.organizations"] == 3
        assert stats["responses"]["ninja.organizations"] == {"429": 2, "200": 1}
        assert stats["responses"]["tl.computers"] == {"429": 1, "200": 1}
        assert stats["tokens_issued"] == 1
        assert stats["faults_fired"] == {"rate_limit": 3}
        reset = (await c.http.delete("/_sim/stats")).json()
        assert reset["total_requests"] == 0


async def test_server_error_on_one_page(sim_factory):
    async with sim_factory(devices=1000) as c:
        await add_fault(c, kind="server_error", target="ninja.devices_detailed", page=2, count=2, status=503)
        first = (await c.ninja("/v2/devices-detailed", pageSize=300)).json()
        after = first[-1]["id"]
        for _ in range(2):
            failed = await c.ninja("/v2/devices-detailed", pageSize=300, after=after)
            assert failed.status_code == 503
        second = await c.ninja("/v2/devices-detailed", pageSize=300, after=after)
        assert second.status_code == 200 and len(second.json()) == 300
        third = await c.ninja("/v2/devices-detailed", pageSize=300, after=second.json()[-1]["id"])
        assert third.status_code == 200

        await add_fault(c, kind="server_error", target="tl.computers", page=2)  # persistent
        assert (await c.tl(c.tl_body(1, 100))).status_code == 200
        for _ in range(3):
            failed_tl = await c.tl(c.tl_body(2, 100))
            assert failed_tl.status_code == 500
            assert failed_tl.json()["StatusCode"] == 500
        assert (await c.tl(c.tl_body(3, 100))).status_code == 200
        assert (await c.http.delete("/_sim/faults")).json() == {"faults": []}
        assert (await c.tl(c.tl_body(2, 100))).status_code == 200
        assert c.sim.stats.statuses["tl.computers"]["500"] == 3


async def test_delay(sim_factory):
    async with sim_factory() as c:
        await add_fault(c, kind="delay", target="tl.computers", ms=150, count=1)
        started = time.perf_counter()
        assert (await c.tl(c.tl_body(1, 10))).status_code == 200
        slow = time.perf_counter() - started
        # A delay is a lower bound whatever the machine's load; that the next request is not delayed shows in
        # the fault being used up and counted once (the undelayed latency itself is in `make bench`).
        assert slow >= 0.15
        assert (await c.http.get("/_sim/faults")).json()["faults"] == []
        assert (await c.tl(c.tl_body(1, 10))).status_code == 200
        assert (await c.http.get("/_sim/stats")).json()["faults_fired"] == {"delay": 1}


async def test_truncated_last_page(sim_factory):
    async with sim_factory(devices=1000) as c:
        truth = c.sim.truth()
        await add_fault(c, kind="truncate", target="tl.computers", drop=7)
        rows = await c.all_tl_computers(page_size=500)
        last = await c.tl(c.tl_body(2, 500))
        header = json.loads(last.headers["pagination"])
        assert header["totalItems"] == truth.tl_computer_count
        assert len(rows) == truth.tl_computer_count - 7
        assert len(last.json()) == header["lastItem"] - header["firstItem"] + 1 - 7

        await add_fault(c, kind="truncate", target="ninja.devices_detailed", drop=5)
        devices = await c.all_ninja_devices(page_size=300)
        assert len(devices) == truth.ninja_device_count - 5
        assert [d["id"] for d in devices] == list(c.sim.index().ninja_ids)[:-5]


async def test_repeat_page_and_empty_body(sim_factory):
    async with sim_factory() as c:
        await add_fault(c, kind="repeat_page", target="tl", page=2, count=1)
        page1 = (await c.tl(c.tl_body(1, 50))).json()
        page2 = (await c.tl(c.tl_body(2, 50))).json()
        assert page2 == page1
        assert (await c.tl(c.tl_body(2, 50))).json() != page1

        await add_fault(c, kind="empty_body", target="tl.computers")
        empty = await c.tl(c.tl_body(999, 50))
        assert empty.status_code == 200
        assert empty.content == b""
        assert json.loads(empty.headers["pagination"])["currentPage"] == 999


async def test_invalid_fault_rules_are_rejected(sim_factory):
    async with sim_factory() as c:
        for rule in (
            {"kind": "explode"},
            {"kind": "rate_limit", "target": "nowhere"},
            {"kind": "truncate", "target": "tl.computers"},
            {"kind": "server_error", "status": 404},
            {"kind": "delay", "ms": 10, "colour": "red"},
        ):
            assert (await c.http.post("/_sim/faults", json=rule)).status_code == 400, rule
        listed = await c.http.post(
            "/_sim/faults", json={"faults": [{"kind": "delay", "ms": 1}, {"kind": "rate_limit", "count": 3}]}
        )
        assert [f["kind"] for f in listed.json()["faults"]] == ["delay", "rate_limit"]
        assert (await c.http.get("/_sim/faults")).json()["faults"][1]["remaining"] == 3


async def test_faults_from_config(sim_factory):
    async with sim_factory(faults=[{"kind": "rate_limit", "target": "ninja.token", "count": 1}]) as c:
        first = await c.http.post(
            "/ws/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sim-client",
                "client_secret": "sim-secret",
            },
        )
        assert first.status_code == 429
        assert first.headers["Retry-After"] == "1"
        assert await c.login()
