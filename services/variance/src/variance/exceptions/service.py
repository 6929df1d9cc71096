"""The exceptions domain's door (no SQL, no HTTP): exceptions as the API shows them, who a change is
recorded against, and the lifecycle steps other domains run (the checks: ``lock``, ``after_collection``,
``record_report``), re-exported from ``lifecycle``.

Who: the gateway-vouched caller (``X-Hub-Identity``) when the request carries one; otherwise the name
the body gives (``resolved_by`` / ``updated_by``, for unauthenticated dashboard calls); otherwise the
replaced system's defaults. The history keeps which of the three it was.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.identity import Identity
from hub_shared.timefmt import rfc3339
from variance.catalog import BY_CODE, is_resolved
from variance.exceptions import repository as repo
from variance.exceptions.lifecycle import (
    PERSON_ACTIONS,
    Change,
    ReportSnapshots,
    after_collection,
    apply_person_change,
    lock,
    record_report,
    report_snapshots,
)
from variance.exceptions.repository import EXCEPTION_COLUMNS, ExceptionFilter

__all__ = [
    "PERSON_ACTIONS",
    "Change",
    "ExceptionFilter",
    "ReportSnapshots",
    "actor_of",
    "after_collection",
    "apply_change",
    "exception_history",
    "get_exception",
    "list_exceptions",
    "lock",
    "record_report",
    "report_snapshots",
    "status_summary",
]

MAX_ACTOR_LENGTH = 200


def actor_of(identity: Identity | None, claimed: str | None, default: str) -> tuple[str, str]:
    """``(who, source)`` with source ``identity``, ``request`` or ``default``."""
    if identity is not None and identity.authenticated:
        return identity.user, "identity"
    if claimed is not None and claimed.strip():
        return claimed.strip()[:MAX_ACTOR_LENGTH], "request"
    return default, "default"


def _ts(value: Any) -> str | None:
    return rfc3339(value) if value is not None else None


def _date(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def exception_view(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "date_found": _date(row["first_seen"]),
        "type": row["type"],
        "hostname": row["key"],
        "details": row["details"],
        "resolved": is_resolved(row["status"]),
        "variance_status": row["status"],
        "report_key": BY_CODE[row["type"]].report_key,
        "first_seen": _date(row["first_seen"]),
        "last_seen": _date(row["last_seen"]),
        "in_latest_report": row["present"],
        "organization": row["organization"],
        "vendor": row["vendor"],
        "display_name": row["display_name"] or "",
        "billing_status": row["billing_status"],
        "ninja_hostname": row["ninja_hostname"] or "",
        "threatlocker_hostname": row["threatlocker_hostname"] or "",
        "ninja_display_name": row["ninja_display_name"] or "",
        "threatlocker_display_name": row["threatlocker_display_name"] or "",
        "resolved_date": _date(row["resolved_date"]),
        "resolved_by": row["resolved_by"],
        "manually_updated_at": _ts(row["manually_updated_at"]),
        "manually_updated_by": row["manually_updated_by"],
        "update_type": row["update_type"],
        "old_value": row["old_value"],
        "new_value": row["new_value"],
        "notes": row["notes"],
        "status_changed_at": _ts(row["status_changed_at"]),
        "updated_at": _ts(row["updated_at"]),
    }


def history_view(row: RowMapping) -> dict[str, Any]:
    return {
        "id": row["id"],
        "changed_at": _ts(row["changed_at"]),
        "action": row["action"],
        "from_status": row["from_status"],
        "to_status": row["to_status"],
        "actor": row["actor"],
        "actor_source": row["actor_source"],
        "report_date": _date(row["report_date"]),
        "notes": row["notes"],
        "data": row["data"],
    }


def status_summary_view(summary: dict[str, Any], generated_at: str) -> dict[str, Any]:
    active: dict[str, dict[str, int]] = {}
    for row in summary["counts"]:
        active[row["type"]] = {"total": row["total"], "resolved": row["resolved"], "unresolved": row["unresolved"]}
    by_status: dict[str, dict[str, int]] = {}
    for row in summary["by_status"]:
        by_status.setdefault(row["status"], {})[row["type"]] = int(row["count"])
    recent = [
        {
            "exception_id": row["exception_id"],
            "hostname": row["key"],
            "ninja_hostname": row["ninja_hostname"] or "",
            "threatlocker_hostname": row["threatlocker_hostname"] or "",
            "ninja_display_name": row["ninja_display_name"] or "",
            "threatlocker_display_name": row["threatlocker_display_name"] or "",
            "organization": row["organization"],
            "type": row["type"],
            "updated_by": row["actor"],
            "updated_at": _ts(row["changed_at"]),
            "update_type": row["update_type"] or row["action"],
            "action": row["action"],
            "from_status": row["from_status"],
            "to_status": row["to_status"],
            "notes": row["notes"],
        }
        for row in summary["recent"]
    ]
    return {
        # The replaced system's outer key is always "active": the counts of the current report.
        "status_summary": {"active": active},
        "report_date": _date(summary["report_date"]),
        "by_variance_status": by_status,
        "recent_manual_updates": recent,
        "generated_at": generated_at,
    }


async def list_exceptions(
    session: AsyncSession, filters: ExceptionFilter, *, limit: int, offset: int
) -> tuple[list[dict[str, Any]], int]:
    rows, total = await repo.list_exceptions(session, filters, limit=limit, offset=offset)
    return [exception_view(row) for row in rows], total


async def get_exception(session: AsyncSession, exception_id: int) -> dict[str, Any] | None:
    """One exception with its full history (None: unknown id)."""
    row = await repo.get(session, exception_id)
    if row is None:
        return None
    history = await repo.history(session, exception_id)
    return {**exception_view(row), "history": [history_view(item) for item in history]}


async def exception_history(session: AsyncSession, exception_id: int) -> list[dict[str, Any]] | None:
    if await repo.get(session, exception_id) is None:
        return None
    return [history_view(item) for item in await repo.history(session, exception_id)]


async def apply_change(session: AsyncSession, ids: list[int], change: Change) -> list[RowMapping]:
    """A person's action on the exceptions that exist among ``ids`` (see ``lifecycle``); they, updated."""
    return await apply_person_change(session, ids, change, EXCEPTION_COLUMNS)


async def status_summary(session: AsyncSession, generated_at: str) -> dict[str, Any]:
    return status_summary_view(await repo.status_summary(session), generated_at)
