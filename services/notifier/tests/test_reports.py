"""Scheduled reports: the variance PDF and Excel files come from the variance service's own exports and
arrive as parseable e-mail attachments, on the cron schedule (once, however often the tick runs) and
on "send now"."""

from __future__ import annotations

import io
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

import openpyxl
from pypdf import PdfReader

from notifier.scheduler import tick

from .conftest import NotifierHandle
from .hubs import HUB_ZONE, days_ago, reports_evaluated, start_variance


def attachment(message):
    [part] = [p for p in message.iter_attachments()]
    return part.get_filename(), part.get_content_type(), part.get_content()


async def test_scheduled_variance_reports_arrive_as_pdf_and_xlsx(
    vendor_sim, hub_factory, service_settings, notifier_factory, smtp
) -> None:
    async with AsyncExitStack() as stack:
        sim = stack.enter_context(vendor_sim(devices=200, seed=7))
        hub = await start_variance(stack, sim, hub_factory, service_settings)
        notifier: NotifierHandle = await notifier_factory(smtp, variance_url=hub.url)
        await hub.collect(days_ago(1))
        await reports_evaluated(notifier, hub)

        pdf = await notifier.create(
            "/api/notifications/reports",
            {
                "name": "Weekly variance",
                "kind": "variance_pdf",
                "cron": "0 7 * * *",
                "recipients": ["boss@example.com"],
            },
        )
        xlsx = await notifier.create(
            "/api/notifications/reports",
            {
                "name": "Missing in Ninja",
                "kind": "variance_excel",
                "variance_type": "missing_in_ninja",
                "cron": "30 7 * * *",
                "recipients": ["ops@example.com"],
            },
        )
        assert pdf["next_due_at"] is not None

        # Tomorrow 07:45 local: both are due once; a second tick fires nothing.
        later = (datetime.now(HUB_ZONE) + timedelta(days=1)).replace(hour=7, minute=45).astimezone(UTC)
        assert (await tick(notifier.runtime, now=later))["reports"] == 2
        assert (await tick(notifier.runtime, now=later + timedelta(minutes=5)))["reports"] == 0
        await notifier.settled()
        mails = await smtp.wait_for(2)
        by_to = {m["To"]: m for m in mails}

        name, content_type, content = attachment(by_to["boss@example.com"])
        assert content_type == "application/pdf" and name.endswith(".pdf")
        reader = PdfReader(io.BytesIO(content))
        assert len(reader.pages) >= 1
        name, content_type, content = attachment(by_to["ops@example.com"])
        assert name.endswith(".xlsx")
        workbook = openpyxl.load_workbook(io.BytesIO(content))
        assert workbook.sheetnames

        # Send now: same document, no schedule change.
        now = await notifier.api.post(f"/api/notifications/reports/{xlsx['id']}/send-now")
        assert now.status_code == 200 and now.json()["data"]["status"] == "rendered", now.text
        await notifier.settled()
        await smtp.wait_for(3)
        detail = (await notifier.api.get(f"/api/notifications/reports/{xlsx['id']}")).json()["data"]
        assert [run["trigger"] for run in detail["runs"]] == ["manual", "schedule"]
        assert all(run["size_bytes"] > 0 for run in detail["runs"])
        reports = await notifier.deliveries(kind="report")
        assert len(reports) == 3 and {d["status"] for d in reports} == {"delivered"}
