"""The simulated ConnectWise Manage API: auth, conditions, /count, paging, faults, truth per month."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import pytest

from vendor_sim.connectwise import ConditionError, parse_conditions

from .conftest import SimClient

ROOT = "/v4_6_release/apis/3.0"
AUTH = {
    "Authorization": "Basic " + base64.b64encode(b"summitsim+sim-cw-public:sim-cw-private").decode(),
    "clientId": "sim-cw-client",
}
MARCH = "dateEntered>=[2025-03-01T06:00:00Z] AND dateEntered<[2025-04-01T05:00:00Z]"
REACTIVE = 'board/name IN ("Help Desk") AND parentTicketId = null'


async def cw(client: SimClient, path: str, headers: dict[str, str] | None = None, **params: Any):
    return await client.http.get(f"{ROOT}{path}", params=params, headers=AUTH if headers is None else headers)


@pytest.fixture
async def sim(sim_factory):
    async with sim_factory(devices=60, reference_date=date(2025, 12, 15)) as client:
        yield client


async def test_auth_needs_company_plus_public_key_private_key_and_a_client_id(sim) -> None:
    assert (await cw(sim, "/service/tickets/count")).status_code == 200
    no_client = {"Authorization": AUTH["Authorization"]}
    wrong = {**AUTH, "Authorization": "Basic " + base64.b64encode(b"summitsim+sim-cw-public:nope").decode()}
    for headers in ({}, no_client, wrong):
        response = await cw(sim, "/service/tickets/count", headers=headers)
        assert response.status_code == 401
        assert set(response.json()) == {"code", "message", "errors"} and response.headers["x-cw-request-id"]
    other = await sim.http.get("/v2020_1/apis/3.0/service/tickets", headers=AUTH)
    assert other.status_code == 404
    info = await sim.http.get("/login/companyinfo/summitsim")
    assert info.json()["Codebase"] == "v4_6_release/"


async def test_count_of_a_month_matches_the_truth(sim) -> None:
    truth = (await sim.http.get("/_sim/truth/connectwise", params={"month": "2025-03"})).json()["months"][0]
    assert truth["window_start"] == "2025-03-01T06:00:00Z" and truth["window_end"] == "2025-04-01T05:00:00Z"
    created = await cw(sim, "/service/tickets/count", conditions=f"{REACTIVE} AND {MARCH}")
    assert created.json() == {"count": truth["reactive_tickets_created"]}
    closed = await cw(
        sim,
        "/service/tickets/count",
        conditions=f'{REACTIVE} AND status/name IN (">Closed", ">Closed - No response", "Closed") '
        "AND closedDate>=[2025-03-01T06:00:00Z] AND closedDate<[2025-04-01T05:00:00Z]",
    )
    assert closed.json() == {"count": truth["reactive_tickets_closed"]}
    everything = (await cw(sim, "/service/tickets/count", conditions=MARCH)).json()["count"]
    assert everything > truth["reactive_tickets_created"]  # other boards and child tickets exist


async def test_paging_caps_at_1000_and_links_the_next_page(sim) -> None:
    first = await cw(sim, "/service/tickets", pageSize=5000, fields="id,board/name")
    rows = first.json()
    assert len(rows) == 1000 and set(rows[0]) == {"id", "board"} and set(rows[0]["board"]) == {"name"}
    assert 'rel="next"' in first.headers["link"]
    default = await cw(sim, "/service/tickets")
    assert len(default.json()) == 25
    total = (await cw(sim, "/service/tickets/count")).json()["count"]
    last = await cw(sim, "/service/tickets", pageSize=1000, page=(total - 1) // 1000 + 1)
    assert 'rel="next"' not in last.headers.get("link", "") and len(last.json()) == total - 1000 * ((total - 1) // 1000)


async def test_time_entries_and_search(sim) -> None:
    entries = await cw(sim, "/time/entries", pageSize=1000, conditions='chargeToType="ProjectTicket"')
    assert entries.status_code == 200 and {row["chargeToType"] for row in entries.json()} == {"ProjectTicket"}
    ids = [row["chargeToId"] for row in entries.json()[:5]]
    search = await sim.http.post(
        f"{ROOT}/service/tickets/search", json={"conditions": f"id IN ({','.join(map(str, ids))})"}, headers=AUTH
    )
    assert sorted(row["id"] for row in search.json()) == sorted(set(ids))  # project ids collide with tickets


async def test_faults_rate_limit_and_server_errors(sim) -> None:
    await sim.http.post("/_sim/faults", json=[{"kind": "rate_limit", "target": "cw", "count": 2, "retry_after": 3}])
    limited = await cw(sim, "/service/tickets/count")
    assert limited.status_code == 429 and limited.headers["retry-after"] == "3"
    await sim.http.delete("/_sim/faults")
    await sim.http.post("/_sim/faults", json={"kind": "server_error", "target": "cw.time_entries", "page": 2})
    assert (await cw(sim, "/time/entries", pageSize=10, page=1)).status_code == 200
    assert (await cw(sim, "/time/entries", pageSize=10, page=2)).status_code == 500


def test_conditions_subset() -> None:
    ticket = {
        "id": 7,
        "board": {"name": "Help Desk"},
        "status": {"name": '>Closed "x"'},
        "parentTicketId": None,
        "closedFlag": True,
        "actualHours": 1.5,
        "dateEntered": "2025-03-01T06:00:00Z",
    }
    cases = {
        'board/name="help desk"': True,  # the PSA's collation ignores case
        'board/name != "Help Desk"': False,
        "parentTicketId = null AND closedFlag = True": True,
        "parentTicketId != null OR (id IN (1, 7) AND actualHours > 1)": True,
        'status/name IN (">Closed \\"x\\"", "Closed")': True,
        "dateEntered<[2025-03-01T06:00:00Z]": False,
        "dateEntered>=[2025-03-01T06:00:00Z] AND dateEntered<[2025-04-01T05:00:00Z]": True,
        'board/name NOT IN ("Help Desk")': False,
        'board/name contains "desk"': True,
    }
    for text, expected in cases.items():
        assert parse_conditions(text)(ticket) is expected, text
    for bad in ('board/name = "open', "id IN (1, 2", "id ~ 3", "AND id = 1"):
        with pytest.raises(ConditionError):
            parse_conditions(bad)
