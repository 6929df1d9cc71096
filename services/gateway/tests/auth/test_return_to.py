"""Back to the page one was on after sign-in (``?return_to=``), and never to another site."""

from __future__ import annotations

import pytest

from gateway.auth.return_to import landing_url, safe_return_path

ALLOWED_EMAIL = "rmmiller@enersystems.com"

SAFE = [
    "/",
    "/variance?type=MISSING_NINJA&org=Acme%20Ltd",
    "/exceptions/42#history",
    "/qbr/smartnumbers?period=2025-Q4",
]
UNSAFE = [
    "", "https://evil.example/", "//evil.example/variance", "/\\evil.example", "\\\\evil.example", "/\t/evil.example",
    "javascript:alert(1)", "http:/evil.example", "variance", "/%2F%2Fevil.example", "/%5Cevil.example",
    "/api/auth/logout", "/api/collectors/run", "/api", " /variance", "/variance\n", "/" + "a" * 3000,
]  # fmt: skip


@pytest.mark.parametrize("value", SAFE)
def test_same_origin_paths_are_kept(value: str) -> None:
    assert safe_return_path(value) == value


@pytest.mark.parametrize("value", UNSAFE)
def test_absolute_other_origin_and_api_targets_are_refused(value: str) -> None:
    assert safe_return_path(value) is None


def test_the_path_lands_on_the_dashboard_origin() -> None:
    assert landing_url("https://hub.example.com/qbr", "/variance?x=1") == "https://hub.example.com/variance?x=1"
    assert landing_url("https://hub.example.com/qbr", None) == "https://hub.example.com/qbr"


async def test_sign_in_returns_to_the_page_it_was_started_from(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        started = await browser.get("/api/auth/microsoft/login", params={"return_to": "/variance?type=DUPLICATE_TL"})
        assert started.status_code == 302
        assert (
            browser.cookies.get("hub_login_return", path="/api/auth/microsoft") == "%2Fvariance%3Ftype%3DDUPLICATE_TL"
        )
        finished = await browser.get(await edge.consent(started.headers["location"], ALLOWED_EMAIL))
        assert finished.status_code == 302, finished.text
        # FRONTEND_URL is https://dashboards.example.com/qbr here: its origin, the requested page.
        assert finished.headers["location"] == "https://dashboards.example.com/variance?type=DUPLICATE_TL"
        assert "hub_login_return=" in finished.headers.get("set-cookie", "")  # dropped with the login state
        # A later sign-in without return_to lands on FRONTEND_URL again.
        again = await browser.get("/api/auth/microsoft/login")
        finished = await browser.get(await edge.consent(again.headers["location"], ALLOWED_EMAIL))
        assert finished.headers["location"] == "https://dashboards.example.com/qbr"


@pytest.mark.parametrize("value", ["https://evil.example/", "//evil.example", "/\\evil.example", "/api/auth/logout"])
async def test_an_unsafe_return_to_is_refused_before_the_provider(make_edge, value: str) -> None:
    async with make_edge() as edge, edge.client() as browser:
        refused = await browser.get("/api/auth/microsoft/login", params={"return_to": value})
        assert refused.status_code == 400
        assert refused.json()["error"] == "Invalid return_to"
        assert "location" not in refused.headers and "hub_login_state" not in refused.headers.get("set-cookie", "")


async def test_a_tampered_return_cookie_is_ignored_at_the_callback(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        started = await browser.get("/api/auth/microsoft/login", params={"return_to": "/variance"})
        browser.cookies.set("hub_login_return", "%2F%2Fevil.example%2F", path="/api/auth/microsoft")
        callback = await edge.consent(started.headers["location"], ALLOWED_EMAIL)
        finished = await browser.get(callback)
        assert finished.headers["location"] == "https://dashboards.example.com/qbr"
