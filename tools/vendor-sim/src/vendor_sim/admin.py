"""Admin routes under /_sim: ground truth, fleet day, faults, request statistics, token expiry."""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from vendor_sim.app import Simulator
from vendor_sim.faults import ROUTES, FaultRule


def _error(message: str, status: int = 400) -> Response:
    return JSONResponse({"error": message}, status_code=status)


def _day_param(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name)
    if raw is None:
        return None
    if not raw.isdigit():
        raise ValueError(f"{name} must be a non-negative integer")
    return int(raw)


def admin_router(sim: Simulator, *, prebuild: bool = False) -> APIRouter:
    router = APIRouter(prefix="/_sim")

    @router.get("/truth")
    async def truth(request: Request) -> Response:
        """Truth of `day` (default current); with from_day & to_day also the changes between them."""
        try:
            day = _day_param(request, "day")
            from_day = _day_param(request, "from_day")
            to_day = _day_param(request, "to_day")
        except ValueError as exc:
            return _error(str(exc))
        body = (await sim.index_async(day)).truth.to_json()
        if from_day is not None or to_day is not None:
            if from_day is None or to_day is None:
                return _error("from_day and to_day go together")
            changes = await run_in_threadpool(sim.changes, from_day, to_day)
            body["changes"] = changes.to_json()
        return JSONResponse(body)

    @router.get("/changes")
    async def changes(request: Request) -> Response:
        try:
            from_day = _day_param(request, "from_day")
            to_day = _day_param(request, "to_day")
        except ValueError as exc:
            return _error(str(exc))
        if from_day is None or to_day is None:
            return _error("from_day and to_day are required")
        # A full pass over two fleet days: seconds at 100k devices, so off the event loop.
        changes = await run_in_threadpool(sim.changes, from_day, to_day)
        return JSONResponse(changes.to_json())

    @router.get("/day")
    async def get_day() -> dict[str, Any]:
        return {"day": sim.day, "date": sim.truth_date(sim.day)}

    @router.post("/day")
    async def set_day(request: Request) -> Response:
        try:
            body = await request.json()
        except ValueError:
            return _error('body must be JSON like {"day": 3}')
        day = body.get("day") if isinstance(body, dict) else None
        if not isinstance(day, int) or isinstance(day, bool) or day < 0:
            return _error("day must be a non-negative integer")
        sim.set_day(day)
        if prebuild:
            sim.prebuild(day)
        return JSONResponse({"day": sim.day, "date": sim.truth_date(sim.day)})

    @router.get("/faults")
    async def list_faults() -> dict[str, Any]:
        return {"faults": sim.faults.active(), "routes": list(ROUTES)}

    @router.post("/faults")
    async def add_faults(request: Request) -> Response:
        """Body: one rule, a list of rules, or {"faults": [...]}. Rules are added to the active ones."""
        try:
            body = await request.json()
        except ValueError:
            return _error("body must be JSON")
        raw_rules = body.get("faults") if isinstance(body, dict) and "faults" in body else body
        if isinstance(raw_rules, dict):
            raw_rules = [raw_rules]
        if not isinstance(raw_rules, list):
            return _error('expected a fault rule, a list of rules, or {"faults": [...]}')
        try:
            rules = [FaultRule.model_validate(raw) for raw in raw_rules]
        except ValidationError as exc:
            return _error(str(exc))
        for rule in rules:
            sim.faults.add(rule)
        return JSONResponse({"faults": sim.faults.active()})

    @router.delete("/faults")
    async def clear_faults() -> dict[str, Any]:
        sim.faults.clear()
        return {"faults": []}

    @router.get("/stats")
    async def stats() -> dict[str, Any]:
        return sim.stats.to_json(sim.faults)

    @router.delete("/stats")
    async def reset_stats() -> dict[str, Any]:
        sim.stats.reset()
        sim.faults.fired.clear()
        return sim.stats.to_json(sim.faults)

    @router.post("/tokens/expire")
    async def expire_tokens() -> dict[str, Any]:
        return {"expired": sim.expire_tokens()}

    @router.get("/config")
    async def config() -> dict[str, Any]:
        """What a collector needs to talk to this simulator."""
        c = sim.config
        return {
            "devices": c.devices,
            "seed": c.seed,
            "day": sim.day,
            "reference_date": sim.fleet.reference_date.isoformat(),
            "ninja_client_id": c.ninja_client_id,
            "ninja_client_secret": c.ninja_client_secret,
            "token_ttl": c.token_ttl,
            "tpm_fields": list(c.tpm_fields),
            "tl_api_key": c.tl_api_key,
            "tl_parent_org_id": c.tl_parent_org_id,
            "internal_org_name": c.internal_org_name,
            "spare_exempt_locations": list(c.spare_exempt_locations),
            "cw_company_id": c.cw_company_id,
            "cw_public_key": c.cw_public_key,
            "cw_private_key": c.cw_private_key,
            "cw_client_id": c.cw_client_id,
            "cw_codebase": c.cw_codebase,
        }

    @router.get("/truth/connectwise")
    async def connectwise_truth(request: Request) -> Response:
        """The reactive-ticket figures of each `month` (repeatable, YYYY-MM) in `timezone` (default: the
        simulator's cw_timezone), for a definition (`boards`, `parent_only`, `closed_statuses` comma lists,
        `time_entry_date`); defaults are the replaced system's rules."""
        from vendor_sim.connectwise import Definition, help_desk_of, month_truth

        params = request.query_params
        months = params.getlist("month")
        if not months or not all(re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", month) for month in months):
            return _error("month=YYYY-MM is required (repeatable)")
        try:
            zone = ZoneInfo(params.get("timezone") or sim.config.cw_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            return _error("unknown timezone")
        defaults = Definition()

        def listed(name: str, default: tuple[str, ...]) -> tuple[str, ...]:
            raw = params.get(name)
            return tuple(item.strip() for item in raw.split(",") if item.strip()) if raw else default

        definition = Definition(
            boards=listed("boards", defaults.boards),
            parent_only=(params.get("parent_only") or "true").lower() in ("true", "1", "yes"),
            closed_statuses=listed("closed_statuses", defaults.closed_statuses),
            time_entry_date=params.get("time_entry_date") or defaults.time_entry_date,
        )
        if definition.time_entry_date not in ("timeStart", "dateEntered"):
            return _error("time_entry_date is timeStart or dateEntered")
        return JSONResponse({"months": [month_truth(help_desk_of(sim), m, zone, definition) for m in months]})

    @router.get("/health")
    async def health() -> dict[str, str]:
        return {"status": "ok"}

    return router
