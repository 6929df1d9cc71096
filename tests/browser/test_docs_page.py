"""``/docs`` renders in Chromium from the gateway's own files: no request leaves the gateway's origin and
the page's policy (``'self'`` only) blocks nothing Swagger UI needs (issue 15 item 3, issue 17 item 8)."""

from __future__ import annotations

from typing import Any

import pytest

# The first test of a session also waits for the stack (and the console build) to start.
pytestmark = pytest.mark.timeout(600)


def test_swagger_ui_renders_offline_with_a_self_only_policy(visit: Any) -> None:
    seen = visit()
    requested: list[str] = []
    seen.page.on("request", lambda request: requested.append(request.url))
    seen.goto("/docs")
    seen.page.locator(".opblock").first.wait_for()
    # Every public operation of the merged document (they render in one go, but give a loaded machine time).
    seen.page.wait_for_function("document.querySelectorAll('.opblock').length > 50", timeout=30_000)
    assert seen.page.get_by_text("/api/variance-report/latest").first.is_visible()
    assert requested and all(url.startswith(seen.stack.base + "/") for url in requested), requested
    assert [text for text in seen.console_errors if "CSP" in text] == []
    seen.shot("api-docs")
