"""ThreatLocker side of the simulator: auth headers, body validation, paging and the pagination header."""

from __future__ import annotations

import json

from vendor_sim import match_key


async def test_pages_of_500_with_pagination_header(sim_factory):
    async with sim_factory(devices=1500) as c:
        total = c.sim.truth().tl_computer_count
        assert total > 1000
        seen = []
        page = 1
        while True:
            response = await c.tl(c.tl_body(page))
            assert response.status_code == 200
            header = json.loads(response.headers["pagination"])
            rows = response.json()
            pages = -(-total // 500)
            assert header == {
                "currentPage": page,
                "itemsPerPage": 500,
                "totalItems": total,
                "totalPages": pages,
                "firstItem": (page - 1) * 500 + 1,
                "lastItem": min(page * 500, total),
            }
            assert len(rows) == header["lastItem"] - header["firstItem"] + 1
            seen.extend(rows)
            if page >= header["totalPages"]:
                break
            page += 1
        assert len(seen) == total
        assert len({r["computerId"] for r in seen}) == total
        names = [r["computerName"].casefold() for r in seen]
        assert names == sorted(names)
        beyond = await c.tl(c.tl_body(page + 1))
        assert beyond.json() == []
        descending = await c.tl(c.tl_body(1, isAscending=False))
        assert descending.json()[0]["computerId"] == seen[-1]["computerId"]


async def test_rows_carry_vendor_fields_and_quirks(sim_factory):
    async with sim_factory(devices=1000) as c:
        rows = await c.all_tl_computers()
        row = rows[0]
        assert {
            "computerId", "computerName", "hostname", "group", "computerGroupId", "organizationId",
            "organization", "osType", "operatingSystem", "action", "mode", "threatLockerVersion",
            "lastCheckin", "denyCountOneDay", "denyCountThreeDays", "denyCountSevenDays", "isDeleted",
        } <= row.keys()  # fmt: skip
        assert all(r["lastCheckin"].endswith("Z") for r in rows)
        assert {r["osType"] for r in rows} >= {1, 2}
        assert any("|" in r["computerName"] for r in rows)
        assert any(r["hostname"].lower().endswith(".corp.local") for r in rows)
        assert any(r["hostname"] != r["hostname"].upper() for r in rows)
        # The hostname and the computer name always carry the same match key.
        assert all(match_key(r["hostname"]) == match_key(r["computerName"]) for r in rows)


async def test_validation_and_auth_errors(sim_factory):
    async with sim_factory() as c:
        too_big = await c.tl(c.tl_body(1, 501))
        assert too_big.status_code == 400
        assert set(too_big.json()) == {"LoggerId", "StatusCode", "Message"}
        assert too_big.json()["StatusCode"] == 400
        unknown = await c.tl(c.tl_body(1, 100, includeEverything=True))
        assert unknown.status_code == 400
        assert "includeeverything" in unknown.json()["Message"]
        assert (await c.tl({"pageNumber": 1})).status_code == 400
        assert (await c.tl(c.tl_body(0))).status_code == 400
        assert (await c.tl(c.tl_body(1, pageSize="500"))).status_code == 400

        no_org = await c.tl(c.tl_body(1), headers={"Authorization": "sim-tl-key"})
        assert no_org.status_code == 401
        assert no_org.json()["StatusCode"] == 401
        no_token = await c.tl(c.tl_body(1), headers={"managedOrganizationId": c.tl_headers["managedOrganizationId"]})
        assert no_token.status_code == 401
        bearer = await c.tl(
            c.tl_body(1), headers={**c.tl_headers, "Authorization": "Bearer sim-tl-key"}
        )  # the portal takes the bare token
        assert bearer.status_code == 401
        wrong_org = await c.tl(c.tl_body(1), headers={**c.tl_headers, "managedOrganizationId": "1" * 32})
        assert wrong_org.status_code == 401


async def test_path_and_header_case_do_not_matter(sim_factory):
    async with sim_factory() as c:
        headers = {
            "AUTHORIZATION": "sim-tl-key",
            "ManagedOrganizationID": c.tl_headers["managedOrganizationId"].upper(),
        }
        expected = (await c.tl(c.tl_body(1, 50))).json()
        for path in (
            "/portalApi/computer/computergetbyallparameters",
            "/PORTALAPI/COMPUTER/COMPUTERGETBYALLPARAMETERS",
        ):
            response = await c.http.post(path, json=c.tl_body(1, 50), headers=headers)
            assert response.status_code == 200
            assert response.json() == expected
        # ASP.NET binds body field names case-insensitively too.
        pascal = await c.tl({"PageSize": 50, "PageNumber": 1, "ChildOrganizations": True})
        assert pascal.json() == expected


async def test_child_organisations_scope(sim_factory):
    async with sim_factory(devices=800) as c:
        truth = c.sim.truth()
        parent_only = await c.all_tl_computers(children=False)
        assert len(parent_only) == truth.tl_parent_org_computer_count > 0
        assert {r["organization"] for r in parent_only} == {"Summit Tech Partners"}

        orgs = (
            await c.http.post(
                "/portalapi/Organization/OrganizationGetChildOrganizationsByParameters",
                json={"pageNumber": 1, "pageSize": 500, "searchText": "", "isAscending": True},
                headers=c.tl_headers,
            )
        ).json()
        assert len(orgs) == len(truth.organizations) - 1
        counts = {o.threatlocker_name: o.threatlocker_computers for o in truth.organizations.values()}
        assert all(o["computerCount"] == counts[o["name"]] for o in orgs)
        aliased = {pair["threatlocker"] for pair in truth.organization_aliases}
        assert aliased <= {o["name"] for o in orgs}

        child = next(o for o in orgs if o["computerCount"] > 0)
        scoped = await c.tl(c.tl_body(1), headers={**c.tl_headers, "managedOrganizationId": child["organizationId"]})
        assert len(scoped.json()) == child["computerCount"]
        assert {r["organization"] for r in scoped.json()} == {child["name"]}


async def test_search_text_filters(sim_factory):
    async with sim_factory() as c:
        everything = await c.all_tl_computers()
        target = everything[10]["hostname"].split(".")[0]
        found = (await c.tl(c.tl_body(1, searchText=target.lower()))).json()
        assert everything[10]["computerId"] in {r["computerId"] for r in found}
        assert all(target.lower() in (r["computerName"] + r["hostname"]).lower() for r in found)
