"""Text PostgreSQL cannot store (a NUL character, a lone surrogate) and JSON numbers it cannot hold
(NaN, Infinity) answer 400 in the route's envelope — never a 500 from the database."""

from __future__ import annotations

import json

from .conftest import days_ago


async def test_unstorable_query_values_and_bodies_answer_400(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=200, seed=3) as sim:
        vhub = await variance_hub(sim)
        await vhub.collect(days_ago(1))
        client = vhub.client
        exception_id = (await client.get("/api/exceptions", params={"limit": "1"})).json()[0]["id"]
        before = (await client.get(f"/api/exceptions/{exception_id}")).json()

        queries = [
            ("/api/devices/search", {"q": "ws\x00"}),
            ("/api/exceptions", {"hostname": "\x00"}),
            ("/api/exceptions", {"organization": "Acme\x00"}),
            (
                "/api/ninja/usage-changes",
                {
                    "organization_name": "\x00",
                    "start_date": days_ago(2).isoformat(),
                    "end_date": days_ago(1).isoformat(),
                },
            ),
        ]
        for path, params in queries:
            answer = await client.get(path, params=params)
            assert answer.status_code == 400, (path, params, answer.status_code, answer.text)
            body = answer.json()
            if path.startswith("/api/ninja"):
                assert body["success"] is False and body["error"]["status"] == 400, body
            else:
                assert "NUL" in body["error"], body

        bodies = [
            (f"/api/exceptions/{exception_id}/resolve", '{"notes": "known\\u0000"}'),
            (f"/api/exceptions/{exception_id}/resolve", '{"resolved_by": "bob\\ud800"}'),
            (f"/api/exceptions/{exception_id}/mark-manually-fixed", '{"update_type": "x\\u0000"}'),
            (f"/api/exceptions/{exception_id}/mark-manually-fixed", '{"old_value": {"name": "a\\u0000"}}'),
            (f"/api/exceptions/{exception_id}/mark-manually-fixed", '{"new_value": {"\\u0000": 1}}'),
            (f"/api/exceptions/{exception_id}/mark-manually-fixed", '{"old_value": NaN}'),
            (f"/api/exceptions/{exception_id}/mark-manually-fixed", '{"new_value": [Infinity]}'),
            ("/api/exceptions/bulk-update", json.dumps({"exception_ids": [exception_id], "notes": "n\u0000"})),
        ]
        for path, raw in bodies:
            answer = await client.post(path, content=raw, headers={"content-type": "application/json"})
            assert answer.status_code == 400, (path, raw, answer.status_code, answer.text)
        alias = await vhub.direct.post(
            "/api/organization-aliases",
            params={"recompute": "false"},
            content='{"ninja_name": "Acme\\u0000", "threatlocker_name": "ACME"}',
            headers={**vhub.signed(), "content-type": "application/json"},
        )
        assert alias.status_code == 400, alias.text

        # Nothing changed, and ordinary unicode is still accepted.
        after = (await client.get(f"/api/exceptions/{exception_id}")).json()
        assert after["variance_status"] == before["variance_status"] and after["history"] == before["history"]
        fine = await client.post(
            f"/api/exceptions/{exception_id}/mark-manually-fixed",
            json={"notes": "renamed 🙂 שלום", "old_value": {"name": "PC-01"}, "new_value": {"name": "PC-01 🙂"}},
        )
        assert fine.status_code == 200, fine.text
        detail = (await client.get(f"/api/exceptions/{exception_id}")).json()
        assert detail["notes"] == "renamed 🙂 שלום" and detail["new_value"] == {"name": "PC-01 🙂"}
