"""All SQL of the exception routes: listing with filters, history, and state changes made by people.

A change updates the identity, writes one history row per exception, updates the exception's row in the
report of its last occurrence (so that report shows the new state), refreshes that date's counts and
bumps its revision (which retires cached report bodies) — all in the caller's transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from variance.checks.repository import lock, notify_report_change, refresh_counts

EXCEPTION_COLUMNS = """
    e.id, e.type, e.key, e.status, e.present, e.first_seen, e.last_seen, e.organization, e.vendor,
    e.display_name, e.billing_status, e.ninja_hostname, e.threatlocker_hostname, e.ninja_display_name,
    e.threatlocker_display_name, e.details, e.resolved_date, e.resolved_by, e.manually_updated_at,
    e.manually_updated_by, e.update_type, e.old_value, e.new_value, e.notes, e.status_changed_at, e.updated_at
"""


@dataclass(frozen=True)
class ExceptionFilter:
    type_code: str | None = None
    statuses: tuple[str, ...] | None = None
    report_date: date | None = None
    organization: str | None = None
    hostname: str | None = None


def like_pattern(value: str) -> str:
    """A substring pattern with LIKE's wildcards taken literally (the replaced system did not escape)."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _where(filters: ExceptionFilter) -> tuple[str, dict[str, Any]]:
    clauses = ["true"]
    params: dict[str, Any] = {}
    if filters.type_code is not None:
        clauses.append("e.type = :type_code")
        params["type_code"] = filters.type_code
    if filters.statuses is not None:
        clauses.append("e.status = ANY(CAST(:statuses AS text[]))")
        params["statuses"] = list(filters.statuses)
    if filters.report_date is not None:
        clauses.append(
            "EXISTS (SELECT 1 FROM variance.occurrences o WHERE o.exception_id = e.id AND o.report_date = :day)"
        )
        params["day"] = filters.report_date
    if filters.organization is not None:
        clauses.append("lower(btrim(e.organization)) = lower(btrim(:organization))")
        params["organization"] = filters.organization
    if filters.hostname is not None:
        clauses.append(
            "(e.key ILIKE :host ESCAPE '\\' OR e.ninja_hostname ILIKE :host ESCAPE '\\' "
            "OR e.threatlocker_hostname ILIKE :host ESCAPE '\\')"
        )
        params["host"] = like_pattern(filters.hostname)
    return " AND ".join(clauses), params


async def list_exceptions(
    session: AsyncSession, filters: ExceptionFilter, *, limit: int, offset: int
) -> tuple[list[RowMapping], int]:
    where, params = _where(filters)
    total = (
        await session.execute(text(f"SELECT count(*) FROM variance.exceptions e WHERE {where}"), params)
    ).scalar_one()
    rows = await session.execute(
        text(
            f"SELECT {EXCEPTION_COLUMNS} FROM variance.exceptions e WHERE {where} "
            # date_found (first_seen) newest first, then type, then hostname (response-shapes §4).
            "ORDER BY e.first_seen DESC, e.type, e.key LIMIT :limit OFFSET :offset"
        ),
        {**params, "limit": limit, "offset": offset},
    )
    return list(rows.mappings()), int(total)


async def get(session: AsyncSession, exception_id: int) -> RowMapping | None:
    row = await session.execute(
        text(f"SELECT {EXCEPTION_COLUMNS} FROM variance.exceptions e WHERE e.id = :id"), {"id": exception_id}
    )
    return row.mappings().first()


async def history(session: AsyncSession, exception_id: int) -> list[RowMapping]:
    rows = await session.execute(
        text(
            "SELECT id, changed_at, action, from_status, to_status, actor, actor_source, report_date, notes, data "
            "FROM variance.exception_history WHERE exception_id = :id ORDER BY id"
        ),
        {"id": exception_id},
    )
    return list(rows.mappings())


# What each action sets, besides the status.
_ACTION_SETS = {
    "resolve": """
        status = 'resolved', resolved_date = :today, resolved_by = :actor,
        notes = coalesce(:notes, e.notes)""",
    "mark_manually_fixed": """
        status = 'manually_fixed', manually_updated_at = :now, manually_updated_by = :actor,
        update_type = :update_type, old_value = CAST(:old_value AS jsonb), new_value = CAST(:new_value AS jsonb),
        notes = coalesce(:notes, e.notes)""",
    "reset_status": """
        status = 'active', resolved_date = NULL, resolved_by = NULL, manually_updated_at = NULL,
        manually_updated_by = NULL, update_type = NULL, old_value = NULL, new_value = NULL""",
}
HISTORY_ACTIONS = {"resolve": "resolved", "mark_manually_fixed": "manually_fixed", "reset_status": "reset_status"}


@dataclass(frozen=True)
class Change:
    action: str
    actor: str
    actor_source: str
    now: datetime
    today: date
    notes: str | None = None
    update_type: str | None = None
    old_value: str | None = None  # JSON text
    new_value: str | None = None  # JSON text
    data: str | None = None  # JSON text for the history row


async def apply_change(session: AsyncSession, ids: list[int], change: Change) -> list[RowMapping]:
    """Apply a person's action to the exceptions that exist among ``ids``; returns them, updated."""
    sets = _ACTION_SETS[change.action]
    # A computation updates the same rows set-wise in its own order; taking its lock first means a person's
    # change and a computation (or two bulk changes) queue instead of deadlocking. Computations are short.
    await lock(session)
    statement = f"""
    WITH target AS (
        SELECT id, status AS old_status FROM variance.exceptions
        WHERE id = ANY(CAST(:ids AS bigint[])) FOR UPDATE
    ),
    changed AS (
        UPDATE variance.exceptions e SET {sets},
            status_changed_at = CASE WHEN e.status IS DISTINCT FROM t.new_status THEN :now ELSE e.status_changed_at END,
            updated_at = :now
        FROM (SELECT id, old_status,
                     CASE :action WHEN 'resolve' THEN 'resolved' WHEN 'mark_manually_fixed' THEN 'manually_fixed'
                                  ELSE 'active' END AS new_status
              FROM target) t
        WHERE e.id = t.id
        RETURNING e.id, t.old_status, e.status, e.last_seen
    ),
    logged AS (
        INSERT INTO variance.exception_history
            (exception_id, changed_at, action, from_status, to_status, actor, actor_source, report_date, notes, data)
        SELECT id, :now, :history_action, old_status, status, :actor, :actor_source, last_seen, :notes,
               CAST(:data AS jsonb)
        FROM changed
    ),
    shown AS (
        UPDATE variance.occurrences o SET status = c.status
        FROM changed c WHERE o.exception_id = c.id AND o.report_date = c.last_seen
    )
    SELECT id FROM changed
    """
    changed = await session.execute(
        text(statement),
        {
            "ids": ids,
            "action": change.action,
            "history_action": HISTORY_ACTIONS[change.action],
            "actor": change.actor,
            "actor_source": change.actor_source,
            "now": change.now,
            "today": change.today,
            "notes": change.notes,
            "update_type": change.update_type,
            "old_value": change.old_value,
            "new_value": change.new_value,
            "data": change.data,
        },
    )
    updated = [int(row[0]) for row in changed]
    if not updated:
        return []
    rows = await session.execute(
        text(
            f"SELECT {EXCEPTION_COLUMNS} FROM variance.exceptions e WHERE e.id = ANY(CAST(:ids AS bigint[])) "
            "ORDER BY e.id"
        ),
        {"ids": updated},
    )
    result = list(rows.mappings())
    dates = sorted({row["last_seen"] for row in result})
    await refresh_counts(session, dates)
    await touch_reports(session, dates)
    return result


async def touch_reports(session: AsyncSession, dates: list[date]) -> None:
    """New revision (cached bodies retire) and fresh unresolved totals for the dates' reports."""
    await session.execute(
        text(
            """
            UPDATE variance.reports r SET
                revision = r.revision + 1,
                unresolved_exceptions = (SELECT coalesce(sum(c.unresolved), 0) FROM variance.report_counts c
                                         WHERE c.report_date = r.report_date)
            WHERE r.report_date = ANY(CAST(:dates AS date[]))
            """
        ),
        {"dates": dates},
    )
    await notify_report_change(session)


async def status_summary(session: AsyncSession) -> dict[str, Any]:
    latest = (await session.execute(text("SELECT max(report_date) FROM variance.reports"))).scalar_one_or_none()
    counts = await session.execute(
        text("SELECT type, total, unresolved, resolved FROM variance.report_counts WHERE report_date = :day"),
        {"day": latest},
    )
    by_status = await session.execute(
        text("SELECT status, type, count(*) FROM variance.exceptions GROUP BY status, type ORDER BY status, type")
    )
    recent = await session.execute(
        text(
            """
            SELECT h.exception_id, e.key, e.type, h.actor, h.changed_at, h.action, h.notes,
                   h.data ->> 'update_type' AS update_type, h.from_status, h.to_status, e.organization,
                   e.ninja_hostname, e.threatlocker_hostname, e.ninja_display_name, e.threatlocker_display_name
            FROM variance.exception_history h JOIN variance.exceptions e ON e.id = h.exception_id
            WHERE h.actor_source <> 'collector'
            ORDER BY h.id DESC LIMIT 20
            """
        )
    )
    return {
        "report_date": latest,
        "counts": list(counts.mappings()),
        "by_status": list(by_status.mappings()),
        "recent": list(recent.mappings()),
    }
