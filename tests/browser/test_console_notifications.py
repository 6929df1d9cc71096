"""The notifications page (issue 16): rules, channels and the delivery log are listed; a channel is
created and tested from the page, and the test message reaches a real local webhook receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import expect

from .conftest import csp_violations

pytestmark = pytest.mark.timeout(600)


@pytest.fixture
def receiver() -> Iterator[tuple[str, list[dict[str, Any]]]]:
    received: list[dict[str, Any]] = []

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", "0"))
            received.append(
                {"headers": {k.lower(): v for k, v in self.headers.items()}, "body": self.rfile.read(length)}
            )
            self.send_response(204)
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", received
    finally:
        server.shutdown()


def test_the_notifications_page_lists_creates_and_tests_a_channel(console: Any, visit: Any, receiver: Any) -> None:
    url, received = receiver
    with console.api() as api:
        headers = {"origin": console.base}
        existing = api.post(
            "/api/notifications/channels",
            json={"name": "Ops hook", "kind": "webhook", "url": f"{url}/ops"},
            headers=headers,
        )
        assert existing.status_code == 201, existing.text
        rule = api.post(
            "/api/notifications/rules",
            json={
                "name": "Collections that fail",
                "condition": "collection_failed",
                "channel_ids": [existing.json()["data"]["id"]],
            },
            headers=headers,
        )
        assert rule.status_code == 201, rule.text

    seen = visit()
    seen.sign_in("/notifications")
    page = seen.page
    expect(page.get_by_test_id("page-notifications")).to_be_visible()
    expect(page.get_by_test_id("rule-row").filter(has_text="Collections that fail")).to_have_count(1)
    expect(page.get_by_test_id("channel-row").filter(has_text="Ops hook")).to_have_count(1)

    page.get_by_test_id("channel-name").fill("Browser hook")
    page.get_by_test_id("channel-kind").select_option("webhook")
    page.get_by_test_id("channel-target").fill(f"{url}/browser")
    page.get_by_test_id("channel-create").click()
    row = page.get_by_test_id("channel-row").filter(has_text="Browser hook")
    expect(row).to_have_count(1)
    row.get_by_test_id("channel-test").click()
    expect(page.get_by_test_id("channel-test-result")).to_contain_text("Test message sent to Browser hook")
    delivered = page.get_by_test_id("delivery-row").filter(has_text="Test message for channel Browser hook")
    expect(delivered).to_have_count(1)
    expect(delivered.get_by_test_id("delivery-status")).to_have_text("Delivered")
    seen.shot("notifications")

    assert len(received) == 1 and received[0]["headers"]["webhook-id"]
    assert b'"type":"notification.test"' in received[0]["body"]
    assert csp_violations(seen) == []
