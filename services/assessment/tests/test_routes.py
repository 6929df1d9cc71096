"""The Windows 11 24H2 routes: empty state, history across dates, and JSON 400/404 on bad input."""

from __future__ import annotations

import httpx
import pytest

from hub_shared.db import Database

from .conftest import D1, D2, device, hand_made_fleet, scalar, seed_snapshot

GiB = 1024**3


async def test_status_before_any_assessment_is_all_zero(client: httpx.AsyncClient) -> None:
    body = (await client.get("/api/windows-11-24h2/status")).json()
    assert body["total_windows_devices"] == 0
    assert body["compatible_devices"] == body["total_compatible_devices"] == 0
    assert body["compatibility_rate"] == 0 and isinstance(body["compatibility_rate"], int)
    assert body["last_assessment"] is None


async def test_newly_incompatible_device_is_flagged_and_history_is_kept(
    database: Database, client: httpx.AsyncClient
) -> None:
    fleet = hand_made_fleet()
    await seed_snapshot(database, D1, [fleet[1][0], fleet[7][0]])
    assert (await client.post("/api/windows-11-24h2/run")).status_code == 200
    await seed_snapshot(database, D2, [device(1, "ACME-READY", ram_bytes=2 * GiB), fleet[7][0]])
    assert (await client.post("/api/windows-11-24h2/run")).json()["snapshot_date"] == D2.isoformat()

    status = (await client.get("/api/windows-11-24h2/status")).json()
    assert status["newly_incompatible_devices"] == 1 and status["previous_assessment_date"] == D1.isoformat()
    listed = (await client.get("/api/windows-11-24h2/incompatible")).json()["incompatible_devices"]
    assert {d["hostname"]: d["newly_incompatible"] for d in listed} == {"ACME-READY": True, "BR-OLDCPU": False}
    history = (await client.get("/api/windows-11-24h2/history/1")).json()
    assert [(h["snapshot_date"], h["verdict"]) for h in history["history"]] == [
        (D2.isoformat(), "incompatible"),
        (D1.isoformat(), "compatible"),
    ]
    # An earlier date stays readable.
    earlier = (await client.get("/api/windows-11-24h2/status", params={"date": D1.isoformat()})).json()
    assert earlier["snapshot_date"] == D1.isoformat() and earlier["incompatible_devices"] == 1


async def test_run_without_a_snapshot_is_a_json_404(client: httpx.AsyncClient, database: Database) -> None:
    response = await client.post("/api/windows-11-24h2/run")
    assert response.status_code == 404
    body = response.json()
    assert body["status"] == "error" and body["error"] == "No Ninja snapshot has been collected yet"
    assert await scalar(database, "SELECT count(*) FROM assessment.runs") == 0


@pytest.mark.parametrize(
    "path",
    [
        "/api/windows-11-24h2/incompatible?date=2031-13-01",
        "/api/windows-11-24h2/incompatible?date=20310310",
        "/api/windows-11-24h2/compatible?date=yesterday",
        "/api/windows-11-24h2/status?date=2031-02-30",
        "/api/windows-11-24h2/incompatible?limit=0",
        "/api/windows-11-24h2/incompatible?limit=abc",
        "/api/windows-11-24h2/compatible?limit=100001",
        "/api/windows-11-24h2/not-assessed?offset=-1",
        "/api/windows-11-24h2/incompatible?organization=%20%20",
        "/api/windows-11-24h2/compatible?include_already_installed=maybe",
        "/api/windows-11-24h2/history/abc",
        "/api/windows-11-24h2/history/0",
    ],
)
async def test_bad_input_is_a_json_400(validating_client: httpx.AsyncClient, path: str) -> None:
    response = await validating_client.get(path)
    assert response.status_code == 400, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert isinstance(response.json()["error"], str)


async def test_unknown_dates_and_devices_are_json_404(validating_client: httpx.AsyncClient) -> None:
    client = validating_client
    for path in ("/api/windows-11-24h2/status?date=2031-01-01", "/api/windows-11-24h2/incompatible?date=2031-01-01",
                 "/api/windows-11-24h2/history/42"):  # fmt: skip
        response = await client.get(path)
        assert response.status_code == 404 and "error" in response.json()


@pytest.mark.parametrize("path", ["/incompatible", "/compatible", "/not-assessed"])
@pytest.mark.parametrize("organization", ["Acme\x00", "\x00"])
async def test_organization_postgresql_cannot_store_is_a_400(
    database: Database, client: httpx.AsyncClient, path: str, organization: str
) -> None:
    await seed_snapshot(database, D1, [hand_made_fleet()[1][0]])
    assert (await client.post("/api/windows-11-24h2/run")).status_code == 200
    answer = await client.get(f"/api/windows-11-24h2{path}", params={"organization": organization})
    assert answer.status_code == 400, answer.text
    assert "NUL" in answer.json()["error"]
