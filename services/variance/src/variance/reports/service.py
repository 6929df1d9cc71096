"""The reports domain's door (no SQL, no HTTP): which report is the latest, the report bodies (latest, by
date, historical, filtered; rendered once per revision and kept in ``cache``), available dates, trends.

Field names follow the spec's "Variance Report Response" plus the replaced system's extra fields
(``reference/response-shapes.md`` §2), with its defects fixed: ``out_of_sync`` is a status to display
(HTTP 200), every per-type block is present and honours ``include_resolved``, the by-date and
historical reports have the same structure as latest, SITE_MISMATCH and Ninja duplicates get blocks of
their own, ``collection_info`` describes the report's own snapshots, timestamps are RFC 3339 UTC.

``summary`` always counts the whole date (total, unresolved, resolved); ``exception_counts``,
``exceptions_by_type`` and the blocks list what was asked for (unresolved only, unless
``include_resolved``), so they agree with one another.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.errors import ApiError
from hub_shared.logging import get_logger
from hub_shared.runtime import ServiceRuntime
from hub_shared.timefmt import rfc3339
from hub_shared.web import compose_object
from variance.catalog import BY_CODE, TYPE_CODES, VARIANCE_TYPES, data_status, date_quality, historical_status
from variance.reports import repository as repo
from variance.reports.cache import Rendered, cache_of
from variance.reports.repository import Latest, ReportRow
from variance.reports.tracker import forget_latest as _forget
from variance.reports.tracker import tracker_of
from variance.settings import VarianceSettings

log = get_logger(__name__)
AVAILABLE_DATES_WINDOW_DAYS = 30

EMPTY_OBJECT = b"{}"


@dataclass(frozen=True)
class ReportContext:
    today: date
    window_days: int
    retention_days: int

    @classmethod
    def of(cls, settings: VarianceSettings, today: date | None = None) -> ReportContext:
        """Today in HUB_TIMEZONE (the zone that defines snapshot dates) unless given."""
        return cls(
            today=today or datetime.now(settings.timezone).date(),
            window_days=settings.variance_report_window_days,
            retention_days=settings.variance_retention_days,
        )

    @property
    def since(self) -> date:
        return self.today - timedelta(days=self.window_days)


def collection_info(report: ReportRow | None, today: date) -> dict[str, Any]:
    if report is None:
        return {
            "ninja_collected": None,
            "threatlocker_collected": None,
            "last_collection": None,
            "data_freshness": "stale",
            "report_date": None,
        }
    moments = [m for m in (report.ninja_collected_at, report.threatlocker_collected_at) if m is not None]
    return {
        "ninja_collected": rfc3339(report.ninja_collected_at) if report.ninja_collected_at else None,
        "threatlocker_collected": (
            rfc3339(report.threatlocker_collected_at) if report.threatlocker_collected_at else None
        ),
        "last_collection": rfc3339(max(moments)) if moments else report.report_date.isoformat(),
        "data_freshness": "current" if (today - report.report_date).days <= 1 else "stale",
        "report_date": report.report_date.isoformat(),
    }


def summary_of(counts: dict[str, dict[str, int]]) -> dict[str, int]:
    return {
        "total_exceptions": sum(c["total"] for c in counts.values()),
        "unresolved_count": sum(c["unresolved"] for c in counts.values()),
        "resolved_count": sum(c["resolved"] for c in counts.values()),
    }


def block(listed: int, by_organization: bytes) -> bytes:
    return b'{"total_count":' + str(listed).encode() + b',"by_organization":' + by_organization + b"}"


async def report_body(
    session: AsyncSession,
    context: ReportContext,
    report: ReportRow | None,
    *,
    status: dict[str, Any],
    include_resolved: bool,
    pending: bool = False,
) -> bytes:
    """The full report structure for one date (``report`` None → an empty report)."""
    counts = await repo.counts(session, report.report_date) if report else {}
    parts = await repo.report_parts(session, report.report_date, include_resolved) if report else {}
    listed_key = "total" if include_resolved else "unresolved"
    by_type = (
        b"{"
        + b",".join(compose_object([(code, parts[code]["items"])])[1:-1] for code in TYPE_CODES if code in parts)
        + b"}"
    )
    pruned = report is not None and report.report_date < context.today - timedelta(days=context.retention_days)
    fields: list[tuple[str, Any]] = [
        ("report_date", report.report_date.isoformat() if report else None),
        ("data_status", status),
        ("summary", summary_of(counts)),
        ("exceptions_by_type", by_type),
        ("exception_counts", {code: counts.get(code, {}).get(listed_key, 0) for code in TYPE_CODES}),
        ("collection_info", collection_info(report, context.today)),
        (
            "device_counts",
            {
                "Ninja": report.ninja_devices if report else 0,
                "ThreatLocker": report.threatlocker_devices if report else 0,
            },
        ),
    ]
    for kind in VARIANCE_TYPES:
        part = parts.get(kind.code)
        fields.append((kind.report_key, block(part["listed"], part["orgs"]) if part else block(0, EMPTY_OBJECT)))
    fields += [
        ("include_resolved", include_resolved),
        ("device_level_data", not pruned),
        ("computed_at", rfc3339(report.computed_at) if report else None),
        ("report_revision", report.revision if report else 0),
        # The latest common date's report is still being computed (an older one is shown).
        ("report_pending", pending),
    ]
    return compose_object(fields)


def latest_status(latest: repo.Latest, context: ReportContext) -> dict[str, Any]:
    if latest.common_date is None:
        return data_status(None, context.today)
    if latest.report is None:
        return data_status(latest.common_date, context.today)
    return data_status(latest.report.report_date, context.today)


async def latest_body(
    session: AsyncSession, context: ReportContext, latest: repo.Latest, include_resolved: bool
) -> bytes:
    report = latest.report if latest.common_date is not None else None
    pending = latest.common_date is not None and (report is None or report.report_date != latest.common_date)
    return await report_body(
        session,
        context,
        report,
        status=latest_status(latest, context),
        include_resolved=include_resolved,
        pending=pending,
    )


async def dated_body(
    session: AsyncSession,
    context: ReportContext,
    report: ReportRow,
    *,
    current_date: date | None,
    historical: bool,
    include_resolved: bool,
) -> bytes:
    status = (
        data_status(report.report_date, context.today)
        if not historical and report.report_date == current_date
        else historical_status(report.report_date)
    )
    return await report_body(session, context, report, status=status, include_resolved=include_resolved)


def priority_actions(unresolved: dict[str, int]) -> list[str]:
    actions = []
    if unresolved.get("DISPLAY_NAME_MISMATCH", 0) > 50:
        actions.append(f"High priority: {unresolved['DISPLAY_NAME_MISMATCH']} display name mismatches need attention")
    if unresolved.get("MISSING_NINJA", 0) > 20:
        actions.append(f"Critical: {unresolved['MISSING_NINJA']} devices missing from Ninja")
    return actions


async def filtered_body(session: AsyncSession, context: ReportContext, latest: repo.Latest) -> bytes:
    """The dashboard's unresolved-only view, grouped by organisation (response-shapes §2, defects fixed)."""
    report = latest.report if latest.common_date is not None else None
    status = latest_status(latest, context)
    counts = await repo.counts(session, report.report_date) if report else {}
    actions = {kind.code: kind.action for kind in VARIANCE_TYPES}
    parts, organizations = await repo.filtered_parts(session, report.report_date, actions) if report else ({}, 0)
    unresolved = {code: counts.get(code, {}).get("unresolved", 0) for code in TYPE_CODES}
    day = report.report_date.isoformat() if report else None
    fields: list[tuple[str, Any]] = [
        ("analysis_date", day),
        ("report_date", day),
        (
            "total_devices",
            {
                "ninja": report.ninja_devices if report else 0,
                "threatlocker": report.threatlocker_devices if report else 0,
            },
        ),
        ("total_variances", sum(unresolved.values())),
        ("data_status", status),
        ("status", status["status"]),
    ]
    for kind in VARIANCE_TYPES:
        part = parts.get(kind.code)
        listed, orgs = (part["listed"], part["orgs"]) if part else (0, EMPTY_OBJECT)
        rendered = block(listed, orgs)
        if kind.code == "DUPLICATE_TL":
            # The replaced system listed duplicates flat under "devices"; both forms are served.
            flat = part["flat"] if part and part["flat"] else b"[]"
            rendered = rendered[:-1] + b',"devices":' + flat + b"}"
        fields.append((kind.report_key, rendered))
    fields += [
        (
            "actionable_insights",
            {"priority_actions": priority_actions(unresolved), "summary": {c: n for c, n in unresolved.items() if n}},
        ),
        ("collection_info", collection_info(report, context.today)),
        (
            "data_quality",
            {
                "total_exceptions": sum(unresolved.values()),
                "exception_types": [code for code in TYPE_CODES if unresolved[code]],
                "organizations_affected": organizations,
            },
        ),
        (
            "report_pending",
            latest.common_date is not None and (report is None or report.report_date != latest.common_date),
        ),
    ]
    return compose_object(fields)


def available_dates_body(rows: list[Any], today: date, window_days: int) -> dict[str, Any]:
    dates = []
    for row in rows:
        days_old = (today - row["day"]).days
        dates.append(
            {
                "date": row["day"].isoformat(),
                "ninja_devices": int(row["ninja_devices"]),
                "threatlocker_devices": int(row["threatlocker_devices"]),
                "total_exceptions": int(row["total_exceptions"] or 0),
                "unresolved_exceptions": int(row["unresolved_exceptions"] or 0),
                "data_quality": date_quality(days_old),
                "days_old": days_old,
                "report_available": row["computed_at"] is not None,
            }
        )
    return {
        "available_dates": dates,
        "date_range": {
            "earliest": dates[-1]["date"] if dates else None,
            "latest": dates[0]["date"] if dates else None,
        },
        "total_dates": len(dates),
        "window_days": window_days,
    }


def trends_body(rows: list[Any], start: date, end: date) -> dict[str, Any]:
    by_date: dict[str, dict[str, dict[str, int]]] = {}
    by_type: dict[str, list[dict[str, Any]]] = {}
    totals = {"total": 0, "unresolved": 0, "resolved": 0}
    for row in rows:
        day = row["report_date"].isoformat()
        entry = {"total": int(row["total"]), "unresolved": int(row["unresolved"]), "resolved": int(row["resolved"])}
        by_date.setdefault(day, {})[row["type"]] = entry
        by_type.setdefault(row["type"], []).append({"date": day, **entry})
        for name in totals:
            totals[name] += entry[name]
    ordered_types = [code for code in TYPE_CODES if code in by_type]
    return {
        "trends_by_date": by_date,
        "trends_by_type": {code: by_type[code] for code in ordered_types},
        "summary": {
            "total_exceptions": totals["total"],
            "total_unresolved": totals["unresolved"],
            "total_resolved": totals["resolved"],
            "date_range": {"start": start.isoformat(), "end": end.isoformat()},
            "unique_dates": len(by_date),
            "unique_types": ordered_types,
        },
        "date_range": {"start_date": start.isoformat(), "end_date": end.isoformat(), "days": (end - start).days + 1},
        "type_labels": {code: BY_CODE[code].report_key for code in ordered_types},
    }


# ----------------------------------------------------------------------------------------- the door


def _settings(runtime: ServiceRuntime) -> VarianceSettings:
    settings = runtime.settings
    assert isinstance(settings, VarianceSettings)
    return settings


async def latest_report_date(session: AsyncSession) -> date | None:
    """The newest computed report date (any age)."""
    return await repo.latest_report_date(session)


async def latest(runtime: ServiceRuntime, session: AsyncSession, context: ReportContext) -> Latest:
    """The latest common snapshot date and its newest report, from memory while nothing has changed."""
    since = context.since
    result: Latest = await tracker_of(runtime).get(since, lambda: repo.latest(session, since))
    return result


def forget_latest(runtime: ServiceRuntime) -> None:
    """This process changed a report: stop trusting what it knew at once (its NOTIFY follows at commit)."""
    _forget(runtime.state)


def _revision_key(latest: Latest) -> tuple[Any, ...]:
    report = latest.report
    return (latest.common_date, report.report_date if report else None, report.revision if report else 0)


async def render_latest(
    runtime: ServiceRuntime, session: AsyncSession, context: ReportContext, include_resolved: bool
) -> Rendered:
    found = await latest(runtime, session, context)
    key = ("latest", *_revision_key(found), include_resolved, context.today)
    return await cache_of(runtime).get_or_build(key, lambda: latest_body(session, context, found, include_resolved))


async def render_filtered(runtime: ServiceRuntime, session: AsyncSession, context: ReportContext) -> Rendered:
    found = await latest(runtime, session, context)
    key = ("filtered", *_revision_key(found), context.today)
    return await cache_of(runtime).get_or_build(key, lambda: filtered_body(session, context, found))


async def warm_latest(runtime: ServiceRuntime) -> None:
    """After a change (run once the response is sent): render the default latest report now, so the
    dashboard's reload finds it ready instead of waiting for a 10k-exception body to be built."""
    try:
        async with runtime.database.transaction() as session:
            await render_latest(runtime, session, ReportContext.of(_settings(runtime)), False)
    except Exception as exc:  # only a warm-up: the next request builds it anyway
        log.warning("latest report warm-up failed", error=str(exc))


async def computed_report(session: AsyncSession, day: date) -> ReportRow:
    """The report of ``day``: 400 ``insufficient_data`` without both vendors' snapshots, 404
    ``not_computed`` before its computation."""
    vendors = await repo.vendors_with_snapshot(session, day)
    if vendors < 2:
        raise ApiError(
            400,
            f"Insufficient data for {day.isoformat()}. Found {vendors} vendors, need 2.",
            extra={"status": "insufficient_data"},
        )
    report = await repo.report_for(session, day)
    if report is None:
        raise ApiError(
            404, f"No variance report has been computed for {day.isoformat()}", extra={"status": "not_computed"}
        )
    return report


async def current_report(runtime: ServiceRuntime, session: AsyncSession, context: ReportContext) -> ReportRow:
    """The latest report; 404 ``out_of_sync`` when there is none."""
    found = await latest(runtime, session, context)
    if found.common_date is None or found.report is None:
        raise ApiError(404, "No matching data found between vendors", extra={"status": "out_of_sync"})
    return found.report


async def render_dated(
    runtime: ServiceRuntime,
    session: AsyncSession,
    context: ReportContext,
    day: date,
    *,
    include_resolved: bool,
    historical: bool,
) -> Rendered:
    report = await computed_report(session, day)
    found = await latest(runtime, session, context)
    current = found.report.report_date if found.common_date is not None and found.report else None
    key = ("dated", historical, day, report.revision, include_resolved, context.today, current == day)
    return await cache_of(runtime).get_or_build(
        key,
        lambda: dated_body(
            session, context, report, current_date=current, historical=historical, include_resolved=include_resolved
        ),
    )


async def available_dates(session: AsyncSession, today: date) -> dict[str, Any]:
    rows = await repo.available_dates(session, today - timedelta(days=AVAILABLE_DATES_WINDOW_DAYS))
    return available_dates_body(rows, today, AVAILABLE_DATES_WINDOW_DAYS)


async def trends(session: AsyncSession, start: date, end: date, code: str | None) -> dict[str, Any]:
    return trends_body(await repo.trends(session, start, end, code), start, end)
