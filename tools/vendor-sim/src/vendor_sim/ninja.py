"""NinjaOne public API v2 as the simulator serves it: OAuth client credentials, keyset-paged lists,
detailed devices, custom fields (per device and the bulk cursor query). Paths under /v2 and /api/v2.
"""

from __future__ import annotations

import base64
import binascii
import bisect
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs

from fastapi import APIRouter, Request
from fastapi.responses import Response, StreamingResponse

from vendor_sim.app import JSON, Simulator, VendorError, instrumented, json_response, raise_server_error
from vendor_sim.fleet import Machine, SlotDay

API_PREFIXES = ("/v2", "/api/v2")
TOKEN_PATHS = ("/ws/oauth/token", "/oauth/token")
DEFAULT_SCOPE = "monitoring management"
STREAM_ABOVE = 2000
"""Pages larger than this (or unpaged requests) are streamed, so 100k devices never sit in memory."""
QUERY_PAGE_MIN, QUERY_PAGE_MAX, QUERY_PAGE_DEFAULT = 10, 10000, 1000
CURSOR_TTL = 600


def _int_param(request: Request, name: str, *, minimum: int = 0, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise VendorError(400, f"Invalid value for {name}: {raw!r}") from None
    if value < minimum or (maximum is not None and value > maximum):
        bound = f"between {minimum} and {maximum}" if maximum is not None else f">= {minimum}"
        raise VendorError(400, f"{name} must be {bound}")
    return value


# ------------------------------------------------------------------ device filter (df)
@dataclass(frozen=True)
class DeviceFacts:
    id: int
    organization_id: int
    location_id: int
    node_class: str


_DF_CLAUSE = re.compile(r"^\s*(org|loc|class|id)\s*(=|in)\s*(\(([^)]*)\)|\S+)\s*$", re.IGNORECASE)


def parse_device_filter(df: str | None) -> Callable[[DeviceFacts], bool]:
    """A subset of Ninja's device filter: `org|loc|class|id = X` or `in (X,Y)`, joined with AND."""
    if not df:
        return lambda facts: True
    tests: list[Callable[[DeviceFacts], bool]] = []
    for clause in re.split(r"\s+AND\s+", df.strip(), flags=re.IGNORECASE):
        match = _DF_CLAUSE.match(clause)
        if match is None:
            raise VendorError(400, f"Unsupported device filter: {clause!r}")
        field, op, single, listed = (
            match.group(1).lower(),
            match.group(2).lower(),
            match.group(3),
            match.group(4),
        )
        if (op == "in") != (listed is not None):
            raise VendorError(400, f"Unsupported device filter: {clause!r}")
        values = [v.strip() for v in (listed.split(",") if listed is not None else [single])]
        if field == "class":
            wanted_classes = {v.upper() for v in values}
            tests.append(lambda f, w=wanted_classes: f.node_class in w)  # type: ignore[misc]
            continue
        try:
            wanted = {int(v) for v in values}
        except ValueError:
            raise VendorError(400, f"Unsupported device filter: {clause!r}") from None
        attribute = {"org": "organization_id", "loc": "location_id", "id": "id"}[field]
        tests.append(lambda f, w=wanted, a=attribute: getattr(f, a) in w)  # type: ignore[misc]
    return lambda facts: all(test(facts) for test in tests)


def ninja_router(sim: Simulator) -> APIRouter:
    router = APIRouter()
    fleet = sim.fleet
    world = fleet.world

    def require_token(request: Request) -> None:
        header = request.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise VendorError(401, "Unauthorized: missing bearer token")
        if not sim.token_valid(token.strip()):
            raise VendorError(401, "Unauthorized: invalid or expired token")

    # ------------------------------------------------------------------ OAuth
    @instrumented(sim, "ninja.token", "ninja")
    async def token(request: Request) -> Response:
        content_type = request.headers.get("content-type", "")
        if "application/x-www-form-urlencoded" not in content_type:
            raise VendorError(400, "Expected a form-encoded body", oauth_error="invalid_request")
        form = {k: v[-1] for k, v in parse_qs((await request.body()).decode(), keep_blank_values=True).items()}
        client_id, client_secret = form.get("client_id"), form.get("client_secret")
        basic = request.headers.get("authorization", "")
        if basic.lower().startswith("basic "):
            try:
                decoded = base64.b64decode(basic[6:].strip()).decode()
                client_id, _, client_secret = decoded.partition(":")
            except (binascii.Error, UnicodeDecodeError):
                raise VendorError(401, "Malformed basic credentials", oauth_error="invalid_client") from None
        grant = form.get("grant_type")
        if grant not in ("client_credentials", "refresh_token"):
            raise VendorError(400, f"Unsupported grant_type {grant!r}", oauth_error="unsupported_grant_type")
        if client_id != sim.config.ninja_client_id or client_secret != sim.config.ninja_client_secret:
            raise VendorError(401, "Bad client credentials", oauth_error="invalid_client")
        raise_server_error(sim, "ninja.token", None)
        scope = form.get("scope") or DEFAULT_SCOPE
        if grant == "refresh_token":
            known = sim.refresh_scope(form.get("refresh_token", ""))
            if known is None:
                raise VendorError(400, "Unknown refresh token", oauth_error="invalid_grant")
            scope = known
        return json_response(sim.issue_token(scope))

    for path in TOKEN_PATHS:
        router.add_api_route(path, token, methods=["POST"], include_in_schema=path == TOKEN_PATHS[0])

    # --------------------------------------------------- organisations/locations
    def keyset_page(route: str, request: Request, items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], int]:
        """Items (ascending `id`) after `after`, at most pageSize; also the page number."""
        size = _int_param(request, "pageSize", minimum=1)
        after = _int_param(request, "after")
        ids = [item["id"] for item in items]
        start = 0 if after is None else bisect.bisect_right(ids, after)
        page = 1 if size is None else start // size + 1
        raise_server_error(sim, route, page)
        end = len(items) if size is None else start + size
        return items[start:end], page

    @instrumented(sim, "ninja.organizations", "ninja")
    async def organizations(request: Request) -> Response:
        require_token(request)
        rows, _ = keyset_page("ninja.organizations", request, [fleet.ninja_org(o) for o in world.orgs])
        return json_response(rows)

    @instrumented(sim, "ninja.locations", "ninja")
    async def locations(request: Request) -> Response:
        require_token(request)
        rows, _ = keyset_page("ninja.locations", request, [fleet.ninja_location(loc) for loc in world.locations])
        return json_response(rows)

    # ----------------------------------------------------------------- devices
    def facts(device_id: int, st: SlotDay, m: Machine) -> DeviceFacts:
        return DeviceFacts(device_id, world.orgs[st.org].ninja_id, st.location.id, m.kind.node_class)

    async def device_window(route: str, request: Request) -> tuple[Iterator[Any], int | None, int]:
        """The (id, machine, state, record) tuples of the requested page, honouring faults."""
        size = _int_param(request, "pageSize", minimum=1)
        after = _int_param(request, "after")
        keep = parse_device_filter(request.query_params.get("df"))
        day = sim.day
        cutoff: int | None = None
        truncate = sim.faults.take("truncate", route)
        needs_page = sim.faults.wants_page(route)
        if truncate is not None or needs_page:
            ids = (await sim.index_async(day)).ninja_ids
            if truncate is not None:
                limit = len(ids) - truncate.drop
                cutoff = ids[limit - 1] if limit > 0 else -1
            if needs_page:
                rank = 0 if after is None else bisect.bisect_right(ids, after)
                page = 1 if size is None else rank // size + 1
                raise_server_error(sim, route, page)
                repeat = sim.faults.take("repeat_page", route, page)
                if repeat is not None and size is not None:
                    # The vendor bug: this page's rows are the previous page's again.
                    previous_start = max(0, rank - size)
                    after = ids[previous_start - 1] if previous_start > 0 else None
        else:
            raise_server_error(sim, route, None)

        def rows() -> Iterator[Any]:
            count = 0
            for device_id, m, st, record in fleet.iter_ninja(day, after):
                if cutoff is not None and device_id > cutoff:
                    return
                if not keep(facts(device_id, st, m)):
                    continue
                yield device_id, m, st, record
                count += 1
                if size is not None and count >= size:
                    return

        return rows(), size, day

    def device_list(route: str, detailed: bool) -> Callable[[Request], Any]:
        @instrumented(sim, route, "ninja")
        async def handler(request: Request) -> Response:
            require_token(request)
            window, size, day = await device_window(route, request)
            devices = (fleet.ninja_device(m, st, record, day, detailed) for _, m, st, record in window)
            if sim.faults.take("unsorted_page", route) is not None:
                # Rows sorted by id are not promised: this page comes in descending id order.
                return json_response(sorted(devices, key=lambda device: device["id"], reverse=True))
            if size is not None and size <= STREAM_ABOVE:
                return json_response(list(devices))
            return StreamingResponse(_json_array(devices), media_type="application/json")

        return handler

    # ------------------------------------------------------------ custom fields
    @instrumented(sim, "ninja.device_custom_fields", "ninja")
    async def device_custom_fields(request: Request) -> Response:
        require_token(request)
        raw_id = request.path_params["device_id"]
        try:
            device_id = int(raw_id)
        except ValueError:
            raise VendorError(400, f"Invalid device id {raw_id!r}") from None
        raise_server_error(sim, "ninja.device_custom_fields", None)
        slot, record = fleet.slot_of_ninja_id(device_id)
        if slot < 0 or slot >= fleet.universe(sim.day):
            raise VendorError(404, f"Device {device_id} not found")
        m = fleet.machine(slot)
        st = fleet.day_state(m, sim.day)
        if st is None or not st.ninja_present or record >= m.ninja_count:
            raise VendorError(404, f"Device {device_id} not found")
        return json_response(fleet.custom_fields(m))

    @instrumented(sim, "ninja.custom_fields_query", "ninja")
    async def custom_fields_query(request: Request) -> Response:
        require_token(request)
        now = sim.config.clock()
        cursor_name = request.query_params.get("cursor")
        # Like the real API, every page is sized by its own request: a follow-up page asked with only the
        # cursor gets the default size (1,000) and every field, whatever the first page asked for.
        size = _int_param(request, "pageSize", minimum=QUERY_PAGE_MIN, maximum=QUERY_PAGE_MAX) or QUERY_PAGE_DEFAULT
        fields_param = request.query_params.get("fields")
        wanted = [f.strip() for f in fields_param.split(",") if f.strip()] if fields_param else None
        if cursor_name:
            state = _decode_cursor(cursor_name)
            if state["expires"] < now:
                raise VendorError(400, "Cursor expired")
        else:
            df = request.query_params.get("df") or ""
            parse_device_filter(df)
            state = {"day": sim.day, "after": None, "offset": 0, "size": size, "df": df, "expires": now + CURSOR_TTL}
        state = dict(state, size=size, fields=wanted)
        offset, day = state["offset"], state["day"]
        raise_server_error(sim, "ninja.custom_fields_query", offset // size + 1)
        keep = parse_device_filter(state["df"])
        wanted_fields = state["fields"]
        results: list[dict[str, Any]] = []
        last_id = state["after"]
        for device_id, m, st, record in fleet.iter_ninja(day, state["after"]):
            if not keep(facts(device_id, st, m)):
                continue
            values = fleet.custom_fields(m)
            if wanted_fields is not None:
                values = {k: v for k, v in values.items() if k in wanted_fields}
            device = fleet.ninja_device(m, st, record, day, detailed=False)
            results.append({"deviceId": device_id, "timestamp": device["lastUpdate"], "fields": values})
            last_id = device_id
            if len(results) >= size:
                break
        expires = now + CURSOR_TTL
        next_state = dict(state, after=last_id, offset=offset + len(results), expires=expires)
        cursor = {
            "name": _encode_cursor(next_state),
            "offset": offset,
            "count": len(results),
            "expires": expires,
        }
        return json_response({"cursor": cursor, "results": results})

    for prefix in API_PREFIXES:
        schema = prefix == API_PREFIXES[0]
        router.add_api_route(f"{prefix}/organizations", organizations, methods=["GET"], include_in_schema=schema)
        router.add_api_route(f"{prefix}/locations", locations, methods=["GET"], include_in_schema=schema)
        router.add_api_route(
            f"{prefix}/devices",
            device_list("ninja.devices", False),
            methods=["GET"],
            include_in_schema=schema,
        )
        router.add_api_route(
            f"{prefix}/devices-detailed",
            device_list("ninja.devices_detailed", True),
            methods=["GET"],
            include_in_schema=schema,
        )
        router.add_api_route(
            f"{prefix}/device/{{device_id}}/custom-fields",
            device_custom_fields,
            methods=["GET"],
            include_in_schema=schema,
        )
        router.add_api_route(
            f"{prefix}/queries/custom-fields", custom_fields_query, methods=["GET"], include_in_schema=schema
        )
    return router


def _json_array(items: Iterator[dict[str, Any]]) -> Iterator[bytes]:
    """A JSON array written in chunks (StreamingResponse body)."""
    yield b"["
    first = True
    chunk: list[str] = []
    for item in items:
        chunk.append(JSON.encode(item))
        if len(chunk) >= 200:
            yield ((b"" if first else b",") + ",".join(chunk).encode())
            first, chunk = False, []
    if chunk:
        yield ((b"" if first else b",") + ",".join(chunk).encode())
    yield b"]"


def _encode_cursor(state: dict[str, Any]) -> str:
    # Stateless: the cursor carries its own position, so the simulator keeps nothing per client.
    raw = json.dumps(state, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode_cursor(name: str) -> dict[str, Any]:
    try:
        padded = name + "=" * (-len(name) % 4)
        state = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(state, dict) or not {"day", "after", "offset", "size", "expires"} <= state.keys():
            raise ValueError
        return state
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise VendorError(400, "Unknown cursor") from None
