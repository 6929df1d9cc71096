"""Audit routes: who is recorded, the status rules (a finished audit never reopens), list filters and
pagination, the latest audit by tenant name, and every bad input answering in the spec's error shape."""

from __future__ import annotations

import asyncio
import unicodedata
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import text

from hub_shared.db import Database

from .conftest import ALICE, BASE, assert_error, audit_with, count_rows, create_audit, finding, finish, identity_header


async def test_initiated_by_defaults_to_the_caller_the_gateway_vouched_for(client: httpx.AsyncClient) -> None:
    as_alice = (await client.post(f"{BASE}/audits", json={"tenant_name": "A", "tenant_id": "a"})).json()["data"]
    assert (as_alice["initiated_by"], as_alice["created_by"]) == (ALICE, ALICE)

    token = identity_header("token:scanner", "token", scopes=("tenantsweep:write",))
    as_token = await client.post(f"{BASE}/audits", json={"tenant_name": "A", "tenant_id": "a"}, headers=token)
    assert (as_token.json()["data"]["initiated_by"], as_token.json()["data"]["created_by"]) == (
        "token:scanner",
        "token:scanner",
    )
    # A name in the body is kept as initiated_by; created_by still records the verified caller.
    claimed = await client.post(
        f"{BASE}/audits",
        json={"tenant_name": "A", "tenant_id": "a", "initiated_by": "  tech@enersystems.com "},
        headers=token,
    )
    assert (claimed.json()["data"]["initiated_by"], claimed.json()["data"]["created_by"]) == (
        "tech@enersystems.com",
        "token:scanner",
    )


async def test_callers_without_a_valid_identity_or_scope_are_refused(
    anonymous: httpx.AsyncClient, database: Database
) -> None:
    body = {"tenant_name": "A", "tenant_id": "a"}
    assert_error(await anonymous.post(f"{BASE}/audits", json=body), 401, "UNAUTHORIZED")
    assert_error(await anonymous.get(f"{BASE}/audits"), 401, "UNAUTHORIZED")
    forged = identity_header(key="not-the-shared-signing-key")
    assert_error(await anonymous.post(f"{BASE}/audits", json=body, headers=forged), 401, "UNAUTHORIZED")
    expired = identity_header(ttl_seconds=-5)
    assert_error(await anonymous.get(f"{BASE}/overview", headers=expired), 401, "UNAUTHORIZED")
    reader = identity_header("token:dashboard", "token", scopes=("tenantsweep:read",))
    assert_error(await anonymous.post(f"{BASE}/audits", json=body, headers=reader), 403, "FORBIDDEN")
    assert (await anonymous.get(f"{BASE}/audits", headers=reader)).status_code == 200
    other_area = identity_header("token:qbr", "token", scopes=("qbr:write",))
    assert_error(await anonymous.get(f"{BASE}/audits", headers=other_area), 403, "FORBIDDEN")
    assert await count_rows(database, "audits") == 0


@pytest.mark.parametrize(
    ("content", "code", "message"),
    [
        (b"", "MISSING_DATA", "Request body is required"),
        (b"{}", "MISSING_DATA", "Request body is required"),
        (b'{"tenant_name": "ACME"', "INVALID_JSON", "Malformed JSON body"),
        (b"\xff\xfe\x00garbage", "INVALID_JSON", "Malformed JSON body"),
        (b'{"tenant_name": NaN, "tenant_id": "x"}', "INVALID_JSON", "Malformed JSON body"),
        (b"[1, 2]", "INVALID_DATA", "Request body must be a JSON object"),
        (b'"ACME"', "INVALID_DATA", "Request body must be a JSON object"),
        (b'{"tenant_name": "ACME"}', "MISSING_FIELDS", "Both tenant_name and tenant_id are required"),
        (b'{"tenant_name": "  ", "tenant_id": "x"}', "MISSING_FIELDS", "Both tenant_name and tenant_id are required"),
        (b'{"tenant_name": 42, "tenant_id": "x"}', "INVALID_DATA", "tenant_name must be a string"),
        (b'{"tenant_name": ["A"], "tenant_id": "x"}', "INVALID_DATA", "tenant_name must be a string"),
        (b'{"tenant_name": "A\\u0000B", "tenant_id": "x"}', "INVALID_DATA", None),
        (b'{"tenant_name": "A\\ud800", "tenant_id": "x"}', "INVALID_DATA", None),
        (b'{"tenant_name": "A", "tenant_id": "x", "initiated_by": 7}', "INVALID_DATA", "initiated_by must be a string"),
        (b'{"tenant_name": "' + b"x" * 256 + b'", "tenant_id": "x"}', "INVALID_DATA", None),
    ],
)
async def test_bad_create_bodies_are_400_and_store_nothing(
    client: httpx.AsyncClient, database: Database, content: bytes, code: str, message: str | None
) -> None:
    response = await client.post(f"{BASE}/audits", content=content, headers={"content-type": "application/json"})
    body = assert_error(response, 400, code)
    if message is not None:
        assert body["error"]["message"] == message
    assert await count_rows(database, "audits") == 0


async def test_complete_fail_and_a_finished_audit_never_reopens(client: httpx.AsyncClient) -> None:
    audit_id = await create_audit(client)
    # While running: the summary may be set on its own; status is matched in any case.
    partial = await client.patch(f"{BASE}/audits/{audit_id}", json={"summary": {"High": 1}})
    assert (partial.json()["data"]["status"], partial.json()["data"]["summary"]) == ("running", {"High": 1})
    done = (await client.patch(f"{BASE}/audits/{audit_id}", json={"status": "COMPLETED"})).json()["data"]
    assert done["status"] == "completed" and done["completed_at"] is not None and done["summary"] == {"High": 1}

    # Repeating the finishing request is a safe retry: 200, nothing changes.
    again = await client.patch(f"{BASE}/audits/{audit_id}", json={"status": "completed", "summary": {"High": 1}})
    assert again.status_code == 200 and again.json()["data"] == done
    for change in ({"status": "running"}, {"status": "failed"}, {"summary": {"High": 2}}, {"error_message": "x"}):
        refused = assert_error(await client.patch(f"{BASE}/audits/{audit_id}", json=change), 409, "AUDIT_FINISHED")
        assert refused["error"]["message"].startswith(f"Audit {audit_id} is completed")
    assert "reopened" in (await client.patch(f"{BASE}/audits/{audit_id}", json={"status": "running"})).text
    assert (await client.get(f"{BASE}/audits/{audit_id}")).json()["data"]["status"] == "completed"

    failing = await create_audit(client, "Globex", "globex-1")
    failed = await client.patch(
        f"{BASE}/audits/{failing}", json={"status": "failed", "error_message": "Graph API throttled (429)"}
    )
    data = failed.json()["data"]
    assert (data["status"], data["error_message"], data["summary"]) == ("failed", "Graph API throttled (429)", None)
    assert data["completed_at"] is not None
    assert_error(await client.patch(f"{BASE}/audits/{failing}", json={"status": "completed"}), 409, "AUDIT_FINISHED")


async def test_two_finishing_requests_at_once_one_wins_the_other_sees_its_result(
    client: httpx.AsyncClient, database: Database
) -> None:
    """The audit row is locked before it is read, so a PATCH that waits behind another one re-reads the
    finished audit and answers 409; it never overwrites the first one's status, summary or completed_at."""
    audit_id = await create_audit(client)
    async with database.transaction() as other:
        # Another finishing request, mid-flight: it holds the row and has not committed yet.
        await other.execute(text("SELECT id FROM tenantsweep.audits WHERE id = :id FOR UPDATE"), {"id": audit_id})
        waiting = asyncio.create_task(
            client.patch(f"{BASE}/audits/{audit_id}", json={"status": "failed", "error_message": "timeout"})
        )
        done, _ = await asyncio.wait({waiting}, timeout=0.5)
        assert not done  # it waits for the row rather than reading the still-running audit
        await other.execute(
            text(
                "UPDATE tenantsweep.audits SET status = 'completed', completed_at = now(), "
                "summary = CAST(:summary AS jsonb) WHERE id = :id"
            ),
            {"id": audit_id, "summary": '{"Critical": 1}'},
        )
    refused = assert_error(await waiting, 409, "AUDIT_FINISHED")
    assert refused["error"]["message"] == f"Audit {audit_id} is completed; a finished audit cannot be changed"
    final = (await client.get(f"{BASE}/audits/{audit_id}")).json()["data"]
    assert (final["status"], final["summary"], final["error_message"]) == ("completed", {"Critical": 1}, None)

    # Both through the API, many times over: exactly one wins, and what is stored is the winner's answer.
    for round_ in range(10):
        contested = await create_audit(client, f"Race {round_}", f"race-{round_}")
        url = f"{BASE}/audits/{contested}"
        answers = await asyncio.gather(
            client.patch(url, json={"status": "completed", "summary": {"High": 2}}),
            client.patch(url, json={"status": "failed", "error_message": "boom"}),
        )
        assert sorted(answer.status_code for answer in answers) == [200, 409]
        winner = next(answer for answer in answers if answer.status_code == 200).json()["data"]
        assert (await client.get(url, params={"include_findings": "false"})).json()["data"] == {
            **winner,
            "findings_count": 0,
            "severity_summary": {},
        }


@pytest.mark.parametrize(
    ("path", "body", "status", "code"),
    [
        ("/audits/{id}", {"status": "done"}, 400, "INVALID_STATUS"),
        ("/audits/{id}", {"status": 3}, 400, "INVALID_STATUS"),
        ("/audits/{id}", {"summary": [1, 2]}, 400, "INVALID_DATA"),
        ("/audits/{id}", {"summary": "Critical: 1"}, 400, "INVALID_DATA"),
        ("/audits/{id}", {"error_message": {"a": 1}}, 400, "INVALID_DATA"),
        ("/audits/{id}", {"colour": "blue"}, 400, "MISSING_FIELDS"),
        ("/audits/{id}", {}, 400, "MISSING_DATA"),
        ("/audits/999999", {"status": "completed"}, 404, "NOT_FOUND"),
        ("/audits/abc", {"status": "completed"}, 400, "INVALID_ID"),
        ("/audits/0", {"status": "completed"}, 400, "INVALID_ID"),
        ("/audits/-4", {"status": "completed"}, 400, "INVALID_ID"),
        ("/audits/99999999999999999999", {"status": "completed"}, 400, "INVALID_ID"),
    ],
)
async def test_bad_updates_answer_in_the_spec_error_shape(
    client: httpx.AsyncClient, path: str, body: dict[str, object], status: int, code: str
) -> None:
    audit_id = await create_audit(client)
    response = await client.patch(BASE + path.format(id=audit_id), json=body)
    error = assert_error(response, status, code)
    if code == "INVALID_STATUS":
        assert error["error"]["message"] == "Status must be one of: running, completed, failed"
    if code == "NOT_FOUND":
        assert error["error"]["message"] == "Audit with ID 999999 not found"
    assert (await client.get(f"{BASE}/audits/{audit_id}")).json()["data"]["status"] == "running"


async def test_get_audit_filters_and_counts(client: httpx.AsyncClient) -> None:
    audit_id = await audit_with(
        client,
        [finding("A", "Critical"), finding("B", "Low", "pass"), finding("C", "Low"), finding("D", "Info", "pass")],
    )
    low = (await client.get(f"{BASE}/audits/{audit_id}", params={"severity": "low"})).json()["data"]
    assert [f["check_id"] for f in low["findings"]] == ["B", "C"]
    assert (low["findings_count"], low["severity_summary"]) == (2, {"Low": 2})
    several = (await client.get(f"{BASE}/audits/{audit_id}", params={"severity": "Info,critical"})).json()["data"]
    assert [f["check_id"] for f in several["findings"]] == ["A", "D"]
    # Without findings the counts stay (only the list is left out).
    bare = (await client.get(f"{BASE}/audits/{audit_id}", params={"include_findings": "FALSE"})).json()["data"]
    assert "findings" not in bare
    assert (bare["findings_count"], bare["severity_summary"]) == (4, {"Critical": 1, "Low": 2, "Info": 1})

    assert_error(await client.get(f"{BASE}/audits/{audit_id}", params={"severity": "Urgent"}), 400, "INVALID_SEVERITY")
    assert_error(
        await client.get(f"{BASE}/audits/{audit_id}", params={"include_findings": "maybe"}), 400, "INVALID_PARAMETER"
    )
    assert_error(await client.get(f"{BASE}/audits/{audit_id + 1000}"), 404, "NOT_FOUND")
    assert_error(await client.get(f"{BASE}/audits/1.5"), 400, "INVALID_ID")
    assert_error(await client.delete(f"{BASE}/audits/{audit_id}"), 405, "METHOD_NOT_ALLOWED")
    assert_error(await client.get(f"{BASE}/nothing-here"), 404, "NOT_FOUND")


async def test_list_filters_pagination_and_bad_parameters(client: httpx.AsyncClient) -> None:
    names = ["ACME Corp", "Acme 100% Solutions", "Globex", "Initech_Labs", "InitechXLabs"]
    ids = [await create_audit(client, name, f"tenant-{i}") for i, name in enumerate(names)]
    await finish(client, ids[2])

    async def listed(**params: str) -> dict[str, object]:
        response = await client.get(f"{BASE}/audits", params=params)
        assert response.status_code == 200, response.text
        data: dict[str, object] = response.json()["data"]
        return data

    def names_of(data: dict[str, object]) -> list[str]:
        return [audit["tenant_name"] for audit in data["audits"]]  # type: ignore[attr-defined]

    assert names_of(await listed(tenant_name="acme")) == ["Acme 100% Solutions", "ACME Corp"]
    # LIKE wildcards in the filter are literal characters.
    assert names_of(await listed(tenant_name="100%")) == ["Acme 100% Solutions"]
    assert names_of(await listed(tenant_name="h_l")) == ["Initech_Labs"]
    assert names_of(await listed(tenant_id="TENANT-2")) == ["Globex"]
    assert names_of(await listed(status="running", tenant_name="initech")) == ["InitechXLabs", "Initech_Labs"]
    page = await listed(limit="2", offset="1")
    assert (page["total_count"], page["limit"], page["offset"]) == (5, 2, 1)
    assert names_of(page) == ["Initech_Labs", "Globex"]
    assert (await listed(limit="500"))["limit"] == 200  # capped, as the spec says
    # However large: the cap applies, it is not a refusal (the first version refused above 10,000,000).
    for huge in ("10000001", "9" * 19, "9" * 30):
        assert (await listed(limit=huge))["limit"] == 200
    assert (await listed(offset="10"))["audits"] == []

    for params, code in (
        ({"status": "finished"}, "INVALID_STATUS"),
        ({"limit": "abc"}, "INVALID_PARAMETER"),
        ({"limit": "0"}, "INVALID_PARAMETER"),
        ({"limit": "1e3"}, "INVALID_PARAMETER"),
        ({"offset": "-1"}, "INVALID_PARAMETER"),
        ({"offset": "9" * 30}, "INVALID_PARAMETER"),
        ({"tenant_name": "x" * 300}, "INVALID_PARAMETER"),
    ):
        assert_error(await client.get(f"{BASE}/audits", params=params), 400, code)


async def test_latest_audit_by_tenant_name_with_spaces_unicode_and_slashes(client: httpx.AsyncClient) -> None:
    name = "Müller & Söhne GmbH / Zürich"
    old = await audit_with(client, [finding("A")], tenant_name=name, tenant_id="ms-1")
    newest = await audit_with(client, [finding("A", status="pass")], tenant_name=name, tenant_id="ms-1")
    await audit_with(client, [], tenant_name=name, tenant_id="ms-1", status=None)  # running: not counted
    await audit_with(client, [], tenant_name=name, tenant_id="ms-1", status="failed")  # failed: not counted
    other_case = await audit_with(client, [], tenant_name=name.upper(), tenant_id="ms-2")
    assert old < newest < other_case

    url = f"{BASE}/tenants/{quote(name, safe='')}/latest-audit"
    latest = (await client.get(url)).json()["data"]
    assert (latest["id"], latest["tenant_name"]) == (newest, name)  # the exact name wins over a newer other-case one
    assert [f["status"] for f in latest["findings"]] == ["pass"]
    # The same name typed in decomposed Unicode (as macOS sends it) is the same tenant.
    decomposed = unicodedata.normalize("NFD", name)
    assert decomposed != name
    assert (await client.get(f"{BASE}/tenants/{quote(decomposed, safe='')}/latest-audit")).json()["data"][
        "id"
    ] == newest
    # Only a case-insensitive match: the newest completed one of that spelling.
    lower = (await client.get(f"{BASE}/tenants/{quote(name.lower(), safe='')}/latest-audit")).json()["data"]
    assert lower["id"] == other_case
    bare = (await client.get(url, params={"include_findings": "false"})).json()["data"]
    assert "findings" not in bare and bare["findings_count"] == 1

    missing = assert_error(await client.get(f"{BASE}/tenants/Nobody%20Here/latest-audit"), 404, "NOT_FOUND")
    assert missing["error"]["message"] == "No completed audit found for tenant 'Nobody Here'"
    running_only = await create_audit(client, "Fresh Tenant", "fresh-1")
    assert running_only
    assert_error(await client.get(f"{BASE}/tenants/Fresh%20Tenant/latest-audit"), 404, "NOT_FOUND")
    assert_error(await client.get(f"{BASE}/tenants/%20%20/latest-audit"), 400, "MISSING_FIELDS")
    assert_error(await client.get(url, params={"severity": "nope"}), 400, "INVALID_SEVERITY")


async def test_the_tenant_name_limit_applies_to_the_name_as_stored_in_nfc(
    client: httpx.AsyncClient, database: Database
) -> None:
    # Decomposed (NFD, as macOS types it): 255 "é" are 510 code points sent, 255 stored.
    decomposed = unicodedata.normalize("NFD", "é" * 255)
    assert len(decomposed) == 510
    created = await client.post(f"{BASE}/audits", json={"tenant_name": decomposed, "tenant_id": "nfd"})
    assert created.status_code == 201, created.text
    assert created.json()["data"]["tenant_name"] == "é" * 255
    listed = await client.get(f"{BASE}/audits", params={"tenant_name": decomposed})
    assert listed.status_code == 200 and listed.json()["data"]["total_count"] == 1
    # U+0958 is one code point sent but two once normalised: 200 of them would be 400 stored.
    grows = "\u0958" * 200
    assert len(unicodedata.normalize("NFC", grows)) == 400
    response = await client.post(f"{BASE}/audits", json={"tenant_name": grows, "tenant_id": "grows"})
    body = assert_error(response, 400, "INVALID_DATA")
    assert body["error"]["message"] == "tenant_name is longer than 255 characters"
    assert await count_rows(database, "audits") == 1


async def test_a_wrong_method_names_every_method_of_the_path(client: httpx.AsyncClient) -> None:
    """GET and POST of /audits are two routes: the 405 of either path still lists both (and PATCH/GET)."""
    for path, allowed in (("/audits", "GET, POST"), ("/audits/1", "GET, PATCH")):
        response = await client.request("OPTIONS", BASE + path)
        assert_error(response, 405, "METHOD_NOT_ALLOWED")
        assert response.headers["allow"] == allowed
