"""Exception routes (bare family; mutations answer success/flat): ``/api/exceptions`` (filters,
pagination), ``/status-summary``, ``/{id}``, ``/{id}/history``, ``POST /{id}/resolve``,
``/{id}/mark-manually-fixed``, ``/bulk-update``.

The list shows the current (latest) report's exceptions unless ``date`` names another report date or
``all`` (the spec: exception endpoints return the latest data only), sorted ``date_found`` DESC, then
type, then hostname.

Fixed against the replaced system: the list works (it always crashed) and validates every filter and
the pagination (400, never a 500); unknown ids are 404; ``reset_status`` really reopens; timestamps are
RFC 3339 UTC; every change is kept in the exception's history with who and when.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, BackgroundTasks, Body, Depends, Path, Query, Request
from fastapi.responses import JSONResponse
from sqlalchemy.engine import RowMapping

from hub_shared.errors import ApiError
from hub_shared.identity import Identity, current_identity
from hub_shared.timefmt import rfc3339
from hub_shared.web import DATE_FORMAT_MESSAGE, Session, error_responses, parse_date
from variance.catalog import ACTIVE, STATUSES, parse_variance_type
from variance.exceptions import service
from variance.exceptions.schemas import (
    NO_IDS,
    BulkUpdateBody,
    BulkUpdated,
    ExceptionDetail,
    ExceptionHistory,
    ExceptionView,
    ManualFixBody,
    ManuallyFixed,
    ResolveBody,
    Resolved,
    StatusSummary,
)
from variance.params import OptionalFlag, Text300, VarianceTypeFilter, day_or, int_text, one_of, today_of
from variance.reports import service as reports

router = APIRouter(prefix="/api/exceptions", tags=["exceptions"])
Caller = Annotated[Identity | None, Depends(current_identity)]
ExceptionId = Annotated[int, Path(ge=1, le=2**63 - 1)]
STATUS_ALIASES = {"open": (ACTIVE,), "unresolved": (ACTIVE,), "closed": tuple(s for s in STATUSES if s != ACTIVE)}
STATUS_CHOICES = (*STATUSES, *STATUS_ALIASES)
StatusFilter = Annotated[
    Literal["active", "resolved", "manually_fixed", "collector_verified", "stale", "open", "unresolved", "closed"],
    one_of(STATUS_CHOICES, lambda value: (f"Invalid status '{value}'. Use one of: {', '.join(STATUSES)}", {})),
]
DATE_CHOICE_MESSAGE = DATE_FORMAT_MESSAGE
NOT_FOUND = error_responses(404, descriptions={404: "Exception not found"})
LIST_HEADERS = {
    name: {"description": text, "schema": {"type": "string"}}
    for name, text in (
        ("x-total-count", "Exceptions matching the filters"),
        ("x-limit", "The page size used"),
        ("x-offset", "The offset used"),
    )
}


def _statuses(status: str | None, resolved: bool | None) -> tuple[str, ...] | None:
    chosen: tuple[str, ...] | None = None
    if status is not None:
        chosen = STATUS_ALIASES.get(status, (status,))
    if resolved is not None:
        closed = STATUS_ALIASES["closed"] if resolved else (ACTIVE,)
        chosen = tuple(s for s in (chosen or closed) if s in closed)
    return chosen


@router.get(
    "",
    summary="Exceptions of the current report (one per identity), newest first, filters, pagination",
    response_model=list[ExceptionView],
    responses={200: {"headers": LIST_HEADERS}, **error_responses(400)},
)
async def list_exceptions(
    session: Session,
    type: VarianceTypeFilter = None,
    status: Annotated[StatusFilter | None, Query(description="a state, or open/unresolved/closed")] = None,
    resolved: OptionalFlag = None,
    date: Annotated[
        str,
        Query(
            description="latest (default): the current report's exceptions; YYYY-MM-DD: that report's; all",
            json_schema_extra=day_or("latest", "all", message=DATE_CHOICE_MESSAGE),
        ),
    ] = "latest",
    organization: Text300 = None,
    hostname: Text300 = None,
    limit: Annotated[int, Query(ge=1, le=1000), int_text("limit", 1, 1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000), int_text("offset", 0, 10_000_000)] = 0,
) -> JSONResponse:
    kind = parse_variance_type(type)
    # The spec: exception endpoints return the latest data only, so the current report is the default.
    day = None
    if date == "latest":
        day = await reports.latest_report_date(session)
        if day is None:
            return JSONResponse([], headers={"x-total-count": "0", "x-limit": str(limit), "x-offset": str(offset)})
    elif date != "all":
        day = parse_date(date, DATE_CHOICE_MESSAGE)
    filters = service.ExceptionFilter(
        type_code=kind.code if kind else None,
        statuses=_statuses(status, resolved),
        report_date=day,
        organization=organization.strip() if organization and organization.strip() else None,
        hostname=hostname.strip() if hostname and hostname.strip() else None,
    )
    items, total = await service.list_exceptions(session, filters, limit=limit, offset=offset)
    return JSONResponse(items, headers={"x-total-count": str(total), "x-limit": str(limit), "x-offset": str(offset)})


@router.get(
    "/status-summary",
    summary="Counts of the current report by type, states, recent manual updates",
    response_model=StatusSummary,
)
async def status_summary(session: Session) -> dict[str, Any]:
    return await service.status_summary(session, rfc3339(datetime.now(UTC)))


@router.get(
    # ``:int`` so that the prefix's static paths (bulk-update) are not a GET of this one too (405 Allow).
    "/{exception_id:int}",
    summary="One exception with its full history",
    response_model=ExceptionDetail,
    responses=NOT_FOUND,
)
async def get_exception(session: Session, exception_id: ExceptionId) -> dict[str, Any]:
    found = await service.get_exception(session, exception_id)
    if found is None:
        raise ApiError(404, "Exception not found")
    return found


@router.get(
    "/{exception_id}/history",
    summary="Every state change of an exception, oldest first",
    response_model=ExceptionHistory,
    responses=NOT_FOUND,
)
async def exception_history(session: Session, exception_id: ExceptionId) -> dict[str, Any]:
    history = await service.exception_history(session, exception_id)
    if history is None:
        raise ApiError(404, "Exception not found")
    return {"exception_id": exception_id, "history": history}


def _change(request: Request, action: str, who: tuple[str, str], **fields: Any) -> service.Change:
    reports.forget_latest(request.app.state.runtime)
    return service.Change(
        action=action, actor=who[0], actor_source=who[1], now=datetime.now(UTC), today=today_of(request), **fields
    )


async def _apply_to_one(session: Session, exception_id: int, change: service.Change) -> RowMapping:
    changed = await service.apply_change(session, [exception_id], change)
    if not changed:
        raise ApiError(404, "Exception not found")
    return changed[0]


@router.post(
    "/{exception_id}/resolve", summary="Mark an exception resolved", response_model=Resolved, responses=NOT_FOUND
)
async def resolve(
    request: Request,
    session: Session,
    exception_id: ExceptionId,
    caller: Caller,
    background: BackgroundTasks,
    body: Annotated[ResolveBody | None, Body()] = None,
) -> dict[str, Any]:
    body = body or ResolveBody()
    who = service.actor_of(caller, body.resolved_by, "api_user")
    row = await _apply_to_one(session, exception_id, _change(request, "resolve", who, notes=body.notes))
    background.add_task(reports.warm_latest, request.app.state.runtime)
    return {
        "success": True,
        "message": "Exception resolved",
        "exception_id": exception_id,
        "hostname": row["key"],
        "type": row["type"],
        "variance_status": row["status"],
        "resolved_by": row["resolved_by"],
        "resolved_date": row["resolved_date"].isoformat() if row["resolved_date"] else None,
        "updated_at": rfc3339(row["updated_at"]),
    }


@router.post(
    "/{exception_id}/mark-manually-fixed",
    summary="Record a manual fix; the next collection verifies it",
    response_model=ManuallyFixed,
    responses=NOT_FOUND,
)
async def mark_manually_fixed(
    request: Request,
    session: Session,
    exception_id: ExceptionId,
    caller: Caller,
    background: BackgroundTasks,
    body: Annotated[ManualFixBody | None, Body()] = None,
) -> dict[str, Any]:
    body = body or ManualFixBody()
    who = service.actor_of(caller, body.updated_by, "dashboard_user")
    change = _change(
        request,
        "mark_manually_fixed",
        who,
        notes=body.notes,
        update_type=body.update_type,
        old_value=json.dumps(body.old_value),
        new_value=json.dumps(body.new_value),
        data=json.dumps({"update_type": body.update_type, "old_value": body.old_value, "new_value": body.new_value}),
    )
    row = await _apply_to_one(session, exception_id, change)
    background.add_task(reports.warm_latest, request.app.state.runtime)
    return {
        "success": True,
        "message": "Exception marked as manually fixed",
        "exception_id": exception_id,
        "hostname": row["key"],
        "type": row["type"],
        "variance_status": row["status"],
        "update_type": row["update_type"],
        "updated_by": row["manually_updated_by"],
        "updated_at": rfc3339(row["manually_updated_at"]),
    }


@router.post(
    "/bulk-update",
    summary="Apply one action to many exceptions",
    response_model=BulkUpdated,
    responses=error_responses(400),
)
async def bulk_update(
    request: Request,
    session: Session,
    caller: Caller,
    background: BackgroundTasks,
    body: Annotated[BulkUpdateBody, Body()],
) -> dict[str, Any]:
    if not body.exception_ids:
        raise ApiError(400, NO_IDS)
    who = service.actor_of(caller, body.updated_by, "dashboard_user")
    ids = sorted(set(body.exception_ids))
    fields: dict[str, Any] = {"notes": body.notes}
    if body.action == "mark_manually_fixed":
        fields.update(
            update_type=body.update_type,
            old_value="{}",
            new_value="{}",
            data=json.dumps({"update_type": body.update_type}),
        )
    changed = await service.apply_change(session, ids, _change(request, body.action, who, **fields))
    updated = [int(row["id"]) for row in changed]
    if updated:
        background.add_task(reports.warm_latest, request.app.state.runtime)
    return {
        "success": True,
        "message": f"Bulk {body.action} completed",
        "updated_count": len(updated),
        # The ids as the caller sent them (the replaced system echoed its request); which of them exist
        # and were updated is in updated_ids / not_found.
        "exception_ids": body.exception_ids,
        "updated_ids": updated,
        "not_found": sorted(set(ids) - set(updated)),
        "updated_by": who[0],
    }
