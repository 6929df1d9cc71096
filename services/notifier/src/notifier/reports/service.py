"""Scheduled reports: fetch the document from the owning service's API, e-mail it as an attachment.

The variance PDF and Excel files are the variance service's own exports (``/api/variances/export/pdf``,
``/excel``, with the ``variance_type`` filter). Windows 11 readiness, the QBR SmartNumbers of the last
quarter and the Ninja usage changes month over month have no file export; their JSON answers are
attached as they come (``.json``), so nothing of the owners' logic is copied here.

A schedule fires once per due time across replicas: the firing inserts ``report_runs (report_id,
due_at)`` (unique) under an advisory lock, and only the replica whose insert succeeds renders and sends.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

from croniter import croniter

from notifier.catalog import build_message
from notifier.settings import NotifierSettings
from notifier.upstream import Upstream

KINDS = {
    "variance_pdf": "Variance report (PDF)",
    "variance_excel": "Variance report (Excel)",
    "windows11_readiness": "Windows 11 24H2 readiness",
    "qbr_smartnumbers": "QBR SmartNumbers, last quarter",
    "usage_changes": "Usage changes, month over month",
}


@dataclass(frozen=True)
class Document:
    filename: str
    content_type: str
    content: bytes
    summary: str


def next_due(cron: str, after: datetime, settings: NotifierSettings) -> datetime:
    upcoming: datetime = croniter(cron, after.astimezone(settings.timezone)).get_next(datetime)
    return upcoming.astimezone(UTC)


def latest_due(cron: str, now: datetime, settings: NotifierSettings) -> datetime:
    """The most recent due time at or before ``now``."""
    previous: datetime = croniter(cron, now.astimezone(settings.timezone) + timedelta(seconds=1)).get_prev(datetime)
    return previous.astimezone(UTC)


def last_quarter(today: date) -> str:
    quarter = (today.month - 1) // 3 + 1
    year = today.year
    quarter -= 1
    if quarter == 0:
        year, quarter = year - 1, 4
    return f"{year}-Q{quarter}"


def _filename(disposition: str | None, default: str) -> str:
    match = re.search(r'filename="?([^";]+)"?', disposition or "")
    return match.group(1) if match else default


def _json_document(name: str, body: Any, summary: str) -> Document:
    content = json.dumps(body, indent=2, ensure_ascii=False).encode()
    return Document(f"{name}.json", "application/json", content, summary)


async def render(upstream: Upstream, settings: NotifierSettings, report: Mapping[Any, Any], now: datetime) -> Document:
    kind = report["kind"]
    stamp = now.astimezone(settings.timezone).date().isoformat()
    params = {"variance_type": report["variance_type"]} if report.get("variance_type") else None
    if kind in ("variance_pdf", "variance_excel"):
        fmt = "pdf" if kind == "variance_pdf" else "excel"
        response = await upstream.get("variance", f"/api/variances/export/{fmt}", params)
        extension = "pdf" if fmt == "pdf" else "xlsx"
        content_type = response.headers.get("content-type", "application/octet-stream").split(";")[0]
        name = _filename(response.headers.get("content-disposition"), f"variance-report-{stamp}.{extension}")
        which = report.get("variance_type") or "all types"
        return Document(name, content_type, response.content, f"The variance report ({which}) is attached.")
    if kind == "windows11_readiness":
        status = await upstream.json("assessment", "/api/windows-11-24h2/status")
        incompatible = await upstream.json("assessment", "/api/windows-11-24h2/incompatible")
        summary = (
            f"{status.get('total_compatible_devices', status.get('compatible_devices', '?'))} compatible, "
            f"{status.get('incompatible_devices', '?')} incompatible of {status.get('total_windows_devices', '?')} "
            "Windows devices."
        )
        return _json_document(f"windows11-readiness-{stamp}", {"status": status, "incompatible": incompatible}, summary)
    if kind == "qbr_smartnumbers":
        period = last_quarter(now.astimezone(settings.timezone).date())
        body = await upstream.json("qbr", "/api/qbr/smartnumbers", {"period": period})
        return _json_document(f"qbr-smartnumbers-{period}", body, f"The SmartNumbers of {period} are attached.")
    if kind == "usage_changes":
        dates_body = await upstream.json("variance", "/api/ninja/available-dates")
        dates = sorted((dates_body.get("data") or {}).get("dates") or [])
        if len(dates) < 2:
            raise ValueError("fewer than two Ninja snapshot dates are available")
        end = date.fromisoformat(dates[-1])
        month_before = end - timedelta(days=30)
        candidates = [d for d in dates[:-1] if date.fromisoformat(d) <= month_before]
        start = candidates[-1] if candidates else dates[0]
        body = await upstream.json("variance", "/api/ninja/usage-changes", {"start_date": start, "end_date": dates[-1]})
        return _json_document(
            f"usage-changes-{start}-to-{dates[-1]}", body, f"Usage changes from {start} to {dates[-1]} are attached."
        )
    raise ValueError(f"unknown report kind {kind!r}")


def report_message(report: Mapping[Any, Any], document: Document, now: datetime) -> dict[str, Any]:
    message = build_message(
        kind="report",
        title=f"{report['name']} ({KINDS.get(report['kind'], report['kind'])})",
        items=[],
        rule=None,
        occurred_at=now,
        summary=f"{document.summary} Attachment: {document.filename}.",
    )
    message["report"] = {"id": report["id"], "kind": report["kind"], "filename": document.filename}
    return message
