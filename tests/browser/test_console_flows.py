"""What a person does in the console, in Chromium against the real stack (issue 13, "Done when")."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

DEV_USER = "dev@inventory-hub.local"
COLLECTION_TIMEOUT_MS = 180_000

# The first test of a session also waits for the stack (and the console build) to start.
pytestmark = pytest.mark.timeout(600)


def no_csp_violations(seen: Any) -> None:
    assert [text for text in seen.console_errors if "CSP violation" in text] == []


def test_sign_in_and_sign_out(console: Any, visit: Any) -> None:
    seen = visit()
    seen.goto("/overview")
    expect(seen.page.get_by_test_id("page-overview")).to_be_visible()
    seen.page.get_by_test_id("sign-in").first.click()
    seen.authorize()
    expect(seen.page.get_by_test_id("user-name")).to_have_text("Dev Operator")
    assert seen.page.url.startswith(f"{console.base}/overview")
    assert seen.context.request.get(f"{console.base}/api/auth/status").status == 200

    seen.page.get_by_test_id("user-menu").click()
    expect(seen.page.get_by_test_id("user-email")).to_have_text(DEV_USER)
    seen.page.get_by_test_id("sign-out").click()
    # The provider's sign-out page (RP-initiated logout) sends the browser back to the console.
    seen.page.wait_for_url(f"{console.issuer}/**")
    seen.page.get_by_role("button", name="End session").click()
    seen.page.wait_for_url(f"{console.base}/**")
    expect(seen.page.get_by_test_id("sign-in").first).to_be_visible()
    assert seen.context.request.get(f"{console.base}/api/auth/status").status == 401
    no_csp_violations(seen)


def test_a_collection_from_the_page_reaches_100_percent_and_its_report_is_the_truth(console: Any, visit: Any) -> None:
    seen = visit()
    seen.sign_in("/collections")
    page = seen.page
    expect(page.get_by_test_id("page-collections")).to_be_visible()
    page.get_by_test_id("run-collectors").click()
    card = page.get_by_test_id("current-batch")
    batch = card.locator('[data-testid^="batch-"][data-status]')
    expect(batch).to_be_visible()
    seen.shot("collections-running")
    expect(batch).to_have_attribute("data-status", "completed", timeout=COLLECTION_TIMEOUT_MS)
    jobs = batch.locator('[data-testid^="job-"][data-status]')
    assert jobs.count() >= 3  # both vendors and the cross-vendor checks
    for index in range(jobs.count()):
        expect(jobs.nth(index)).to_have_attribute("data-status", "completed")
    bars = card.get_by_role("progressbar")
    assert bars.count() >= jobs.count()
    for index in range(bars.count()):
        expect(bars.nth(index)).to_have_attribute("aria-valuenow", "100")
    seen.shot("collections")

    # The report the console shows is the simulator's ground truth (no alias map configured here).
    planted = console.truth()
    truth = {**planted["variances"], **planted["variances_without_settings"]}
    with console.api() as api:
        for _ in range(300):
            report = api.get("/api/variance-report/latest")
            if report.status_code == 200:
                break
            page.wait_for_timeout(200)
        assert report.status_code == 200, report.text
        by_type = report.json()["exceptions_by_type"]
    assert {code: len(rows) for code, rows in by_type.items() if rows} == {
        code: len(keys) for code, keys in truth.items() if keys
    }
    seen.goto("/overview")
    expect(page.get_by_test_id("overview-total-exceptions")).to_contain_text(str(sum(map(len, truth.values()))))
    for code, keys in truth.items():
        if keys:
            expect(page.get_by_test_id(f"overview-exception-{code}")).to_contain_text(str(len(keys)))
    seen.shot("overview")  # with the data of the collection just run
    no_csp_violations(seen)


def test_an_api_outage_shows_a_banner_not_a_blank_page(console: Any, collected: Any, visit: Any) -> None:
    seen = visit()
    console.stop_service("variance")
    try:
        seen.goto("/overview")
        banner = seen.page.get_by_test_id("api-error-banner")
        expect(banner).to_be_visible(timeout=30_000)
        expect(banner).to_have_attribute("role", "alert")
        expect(seen.page.get_by_role("heading", level=1)).to_be_visible()  # the page itself still stands
        expect(seen.page.get_by_role("navigation", name="Main")).to_be_visible()
        seen.shot("outage-banner")
    finally:
        console.start_service("variance")
    retry = seen.page.get_by_test_id("api-error-retry")
    with contextlib.suppress(PlaywrightTimeout):  # a background refetch may have cleared it already
        retry.click(timeout=3_000)
    expect(seen.page.get_by_test_id("api-error-banner")).to_be_hidden(timeout=30_000)
    total = sum(len(rows) for rows in collected["exceptions_by_type"].values())
    expect(seen.page.get_by_test_id("overview-total-exceptions")).to_contain_text(str(total))
