"""ThreatLocker Portal API as the simulator serves it: computers of the MSP's parent organisation and its
children (ordered by computer name, page-numbered, totals in a `pagination` header) and the child
organisations. Authentication is a bare API token plus a `managedOrganizationId` header.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from vendor_sim.app import Simulator, VendorError, instrumented, json_response, raise_server_error
from vendor_sim.world import Org

MAX_PAGE_SIZE = 500
ZERO_GUID = "00000000-0000-0000-0000-000000000000"
# Body fields of Computer/ComputerGetByAllParameters, lower-cased (ASP.NET binds names case-insensitively).
COMPUTER_FIELDS: dict[str, type | tuple[type, ...]] = {
    "searchtext": str,
    "searchby": (int, str),
    "computergroup": str,
    "orderby": str,
    "isascending": bool,
    "pagesize": int,
    "pagenumber": int,
    "childorganizations": bool,
    "action": str,
    "kindofaction": str,
    "showlastcheckin": bool,
    "showdeleted": bool,
    "isexport": bool,
}


def _read_body(raw: bytes) -> dict[str, Any]:
    try:
        body = json.loads(raw or b"{}")
    except (ValueError, UnicodeDecodeError):
        raise VendorError(400, "The request body is not valid JSON.") from None
    if not isinstance(body, dict):
        raise VendorError(400, "The request body must be a JSON object.")
    return {str(k).lower(): v for k, v in body.items()}


def _typed(body: dict[str, Any], name: str, kind: type | tuple[type, ...], default: Any) -> Any:
    value = body.get(name, default)
    if value is None:
        return default
    # bool is an int in Python; ASP.NET would not bind true to an int field.
    if (isinstance(value, bool) and kind is int) or not isinstance(value, kind):
        raise VendorError(400, f"The JSON value for '{name}' could not be converted.")
    return value


def pagination_header(page: int, size: int, total: int) -> str:
    start = (page - 1) * size
    has_rows = start < total
    return json.dumps(
        {
            "currentPage": page,
            "itemsPerPage": size,
            "totalItems": total,
            "totalPages": math.ceil(total / size),
            "firstItem": start + 1 if has_rows else 0,
            "lastItem": min(start + size, total) if has_rows else 0,
        },
        separators=(",", ":"),
    )


def threatlocker_router(sim: Simulator) -> APIRouter:
    router = APIRouter()
    fleet = sim.fleet
    world = fleet.world

    def scope_org(request: Request) -> Org:
        token = request.headers.get("authorization")
        if token is None or token.strip() != sim.config.tl_api_key:
            raise VendorError(401, "Unauthorized: invalid API token")
        managed = (request.headers.get("managedorganizationid") or "").strip().lower()
        org = world.org_by_tl_id.get(managed)
        if org is None:
            raise VendorError(401, "Unauthorized: unknown managedOrganizationId")
        return org

    @instrumented(sim, "tl.computers", "tl")
    async def computers(request: Request) -> Response:
        org = scope_org(request)
        body = _read_body(await request.body())
        unknown = sorted(set(body) - COMPUTER_FIELDS.keys())
        if unknown:
            raise VendorError(400, f"Unknown field(s): {', '.join(unknown)}")
        size = _typed(body, "pagesize", int, None)
        page = _typed(body, "pagenumber", int, None)
        if size is None or page is None:
            raise VendorError(400, "pageSize and pageNumber are required.")
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise VendorError(400, f"pageSize must be between 1 and {MAX_PAGE_SIZE}.")
        if page < 1:
            raise VendorError(400, "pageNumber must be 1 or more.")
        order_by = _typed(body, "orderby", str, "computername").lower() or "computername"
        if order_by != "computername":
            raise VendorError(400, f"orderBy {order_by!r} is not supported by the simulator.")
        ascending = _typed(body, "isascending", bool, True)
        children = _typed(body, "childorganizations", bool, False)
        search = _typed(body, "searchtext", str, "").strip().lower()
        group = _typed(body, "computergroup", str, ZERO_GUID).strip().lower() or ZERO_GUID
        action = _typed(body, "action", str, "").strip().lower()
        for name, kind in COMPUTER_FIELDS.items():
            _typed(body, name, kind, None)
        raise_server_error(sim, "tl.computers", page)

        day = sim.day
        index = await sim.index_async(day)
        refs: Sequence[int] = index.tl_refs
        if org.internal and not children:
            refs = [ref for ref, o in zip(index.tl_refs, index.tl_orgs, strict=True) if o == 0]
        elif not org.internal:
            refs = [ref for ref, o in zip(index.tl_refs, index.tl_orgs, strict=True) if o == org.index]
        if search or group != ZERO_GUID or action:

            def keep(ref: int) -> bool:
                row = render(ref, day)
                text = f"{row['computerName']}\n{row['hostname']}".lower()
                return (
                    (not search or search in text)
                    and (group == ZERO_GUID or row["computerGroupId"] == group)
                    and (not action or row["action"].lower() == action)
                )

            refs = [ref for ref in refs if keep(ref)]
        if not ascending:
            refs = list(reversed(refs))

        total = len(refs)
        truncate = sim.faults.take("truncate", "tl.computers")
        served = refs[: max(0, total - truncate.drop)] if truncate is not None else refs
        rows_page = page
        if sim.faults.take("repeat_page", "tl.computers", page) is not None:
            rows_page = page - 1
        start = (rows_page - 1) * size
        rows = [render(ref, day) for ref in served[start : start + size]]
        headers = {"pagination": pagination_header(page, size, total)}
        if not rows and sim.faults.take("empty_body", "tl.computers") is not None:
            return Response(b"", status_code=200, headers=headers)
        return json_response(rows, headers=headers)

    def render(ref: int, day: int) -> dict[str, Any]:
        slot, record = divmod(ref, 4)
        m = fleet.machine(slot)
        st = fleet.day_state(m, day)
        assert st is not None
        return fleet.tl_row(m, st, record, day)

    @instrumented(sim, "tl.organizations", "tl")
    async def child_organizations(request: Request) -> Response:
        org = scope_org(request)
        body = _read_body(await request.body())
        page = _typed(body, "pagenumber", int, 1)
        size = _typed(body, "pagesize", int, 100)
        if not 1 <= size <= MAX_PAGE_SIZE or page < 1:
            raise VendorError(400, f"pageSize must be between 1 and {MAX_PAGE_SIZE}; pageNumber 1 or more.")
        search = _typed(body, "searchtext", str, "").strip().lower()
        ascending = _typed(body, "isascending", bool, True)
        raise_server_error(sim, "tl.organizations", page)
        index = await sim.index_async()
        children = [o for o in world.orgs[1:] if org.internal and search in o.tl_name.lower()]
        children.sort(key=lambda o: o.tl_name.lower(), reverse=not ascending)
        start = (page - 1) * size
        rows = [
            {
                "organizationId": child.tl_id,
                "name": child.tl_name,
                "displayName": child.tl_name,
                "parentId": sim.config.tl_parent_org_id,
                "computerCount": index.truth.organizations[child.index].threatlocker_computers,
                "dateAdded": datetime.fromtimestamp(child.created, UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
                "isEnabled": True,
            }
            for child in children[start : start + size]
        ]
        headers = {"pagination": pagination_header(page, size, len(children))}
        return json_response(rows, headers=headers)

    router.add_api_route(
        "/portalapi/computer/computergetbyallparameters", computers, methods=["POST"], include_in_schema=True
    )
    router.add_api_route(
        "/portalapi/organization/organizationgetchildorganizationsbyparameters",
        child_organizations,
        methods=["POST"],
    )
    return router
