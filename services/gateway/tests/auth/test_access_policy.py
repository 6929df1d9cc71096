"""The access policy table, and how the gateway applies it (401 JSON, the two "require" switches)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from gateway.auth.policy import AREAS, POLICY, Access, decide, rule_for, valid_scope
from gateway.edge.route_table import ROUTE_TABLE
from hub_shared.identity import issue_identity, sign_identity
from hub_shared.testing.servers import free_port
from hub_shared.testing.tcp_proxy import TcpProxy

UNAUTHENTICATED = {"error": "Authentication required", "message": "Please log in to access this resource"}

PUBLIC_PER_SPEC = [
    ("GET", "/api/health"),
    ("GET", "/api/status"),
    ("GET", "/api/collectors/status"),
    ("POST", "/api/collectors/run"),
    ("GET", "/api/variance-report/latest"),
    ("GET", "/api/variances/export/csv"),
    ("GET", "/api/exceptions"),
    ("POST", "/api/exceptions/12/resolve"),
    ("GET", "/api/devices/search"),
    ("GET", "/api/windows-11-24h2/status"),
    ("POST", "/api/windows-11-24h2/run"),
    ("GET", "/api/ninja/usage-changes"),
    ("GET", "/api/qbr/metrics/devices-by-client"),
    ("GET", "/api/qbr/metric-definitions"),
    ("GET", "/api/auth/status"),
    ("GET", "/docs"),
    ("GET", "/openapi.json"),
]
PROTECTED_PER_SPEC = [
    ("GET", "/api/qbr/metrics/monthly", "qbr:read"),
    ("GET", "/api/qbr/metrics/quarterly", "qbr:read"),
    ("GET", "/api/qbr/smartnumbers", "qbr:read"),
    ("GET", "/api/qbr/thresholds", "qbr:read"),
    ("POST", "/api/qbr/thresholds", "qbr:write"),
    ("POST", "/api/qbr/metrics/manual", "qbr:write"),
    ("POST", "/api/qbr/expenses/calculate", "qbr:write"),
    ("GET", "/api/qbr/test/smartnumbers", "qbr:read"),  # the replaced system's unauthenticated leak
    ("GET", "/api/qbr/metrics/devices-by-client/extra", "qbr:read"),  # exact rules do not leak downwards
    ("POST", "/api/tenantsweep/audits", "tenantsweep:write"),
    ("PATCH", "/api/tenantsweep/audits/3", "tenantsweep:write"),
    ("GET", "/api/tenantsweep/tenants/ACME/latest-audit", "tenantsweep:read"),
    ("GET", "/api/tenantsweep/audits/3/export/csv", "tenantsweep:read"),
]


@pytest.mark.parametrize(("method", "path"), PUBLIC_PER_SPEC)
def test_spec_public_routes_need_no_credentials(method: str, path: str) -> None:
    assert decide(method, path).requires_auth is False


@pytest.mark.parametrize(("method", "path", "scope"), PROTECTED_PER_SPEC)
def test_qbr_and_tenantsweep_need_a_session_or_a_scoped_token(method: str, path: str, scope: str) -> None:
    decision = decide(method, path)
    assert (decision.requires_auth, decision.scope) == (True, scope)


def test_the_two_switches() -> None:
    assert decide("GET", "/api/variance-report/latest", require_all=True).requires_auth is True
    assert decide("GET", "/api/variance-report/latest", require_for_writes=True).requires_auth is False
    assert decide("POST", "/api/exceptions/1/resolve", require_for_writes=True).requires_auth is True
    assert decide("POST", "/api/exceptions/1/resolve", require_for_writes=True).scope == "variance:write"
    # Sign-in and probes stay reachable whatever the switches say.
    for path in ("/api/auth/microsoft/login", "/api/auth/status", "/health", "/ready", "/metrics"):
        assert decide("GET", path, require_all=True).requires_auth is False


def test_aliases_are_readable_by_all_and_changed_only_by_the_signed_in() -> None:
    assert decide("GET", "/api/organization-aliases").requires_auth is False
    assert decide("POST", "/api/organization-aliases").requires_auth is True
    assert decide("DELETE", "/api/organization-aliases/4").scope == "variance:write"


def test_every_proxied_prefix_has_an_explicit_rule() -> None:
    for upstream in ROUTE_TABLE:
        rule = rule_for("GET", upstream.prefix + "/anything")
        assert rule.path != "/", f"{upstream.prefix} is only covered by the default rule"


def test_notifications_always_need_the_notifications_scopes() -> None:
    assert decide("GET", "/api/notifications/rules").requires_auth is True
    assert decide("GET", "/api/notifications/rules").scope == "notifications:read"
    assert decide("POST", "/api/notifications/channels/1/test").scope == "notifications:write"


def test_the_table_has_no_duplicate_rules_and_knows_its_areas() -> None:
    keys = [(rule.path, rule.exact, rule.methods) for rule in POLICY]
    assert len(keys) == len(set(keys))
    assert set(AREAS) == {
        "assessment",
        "collectors",
        "docs",
        "notifications",
        "ninja",
        "qbr",
        "status",
        "tenantsweep",
        "variance",
    }
    assert rule_for("GET", "/api/auth/status").access is Access.OPEN
    assert valid_scope("qbr:read") and valid_scope("*:write") and valid_scope("*")
    assert not valid_scope("qbr") and not valid_scope("payroll:read") and not valid_scope("qbr:admin")


async def test_protected_routes_answer_the_spec_401_without_credentials(make_edge) -> None:
    async with make_edge() as edge, edge.client() as anonymous:
        for method, path, _ in PROTECTED_PER_SPEC:
            refused = await anonymous.request(method, path, json={"x": 1})
            assert (refused.status_code, refused.json()) == (401, UNAUTHENTICATED), path
            assert refused.headers["content-type"] == "application/json"
        # Public routes of the same services pass straight through, with no identity header.
        reached = await anonymous.get("/api/qbr/metrics/devices-by-client?period=2025-11")
        assert reached.status_code == 200
        assert [(s["path"], s["header"]) for s in edge.upstreams.seen] == [("/api/qbr/metrics/devices-by-client", None)]


async def test_a_forged_identity_header_from_a_client_is_ignored(make_edge) -> None:
    forged = sign_identity(
        issue_identity("admin@evil.example", "session", scopes=("*",)), "guessed-key-0000000", audience="qbr"
    )
    async with make_edge() as edge, edge.client() as anonymous:
        refused = await anonymous.get("/api/qbr/smartnumbers", headers={"x-hub-identity": forged})
        assert refused.status_code == 401
        public = await anonymous.post("/api/exceptions/9/resolve", json={}, headers={"x-hub-identity": forged})
        assert public.status_code == 200
        assert edge.upstreams.seen[-1]["header"] is None  # dropped, not passed on


async def test_require_all_makes_every_route_need_credentials(make_edge) -> None:
    async with make_edge(auth_require_all=True) as edge, edge.client() as anonymous:
        for path in ("/api/variance-report/latest", "/api/qbr/metrics/devices-by-client", "/docs"):
            refused = await anonymous.get(path)
            assert (refused.status_code, refused.json()) == (401, UNAUTHENTICATED), path
        assert (await anonymous.get("/health")).status_code == 200
        assert (await anonymous.get("/api/auth/microsoft/login")).status_code == 302
        async with edge.client() as browser:
            assert (await edge.sign_in(browser, "rmmiller@enersystems.com")).status_code == 302
            assert (await browser.get("/api/variance-report/latest")).status_code == 200


async def test_require_for_writes_guards_state_changes_only(make_edge) -> None:
    async with make_edge(auth_require_for_writes=True) as edge, edge.client() as anonymous:
        assert (await anonymous.get("/api/exceptions")).status_code == 200
        refused = await anonymous.post("/api/exceptions/3/resolve", json={"resolved_by": "x"})
        assert (refused.status_code, refused.json()) == (401, UNAUTHENTICATED)
        assert [s["method"] for s in edge.upstreams.seen] == ["GET"]


async def test_when_the_credential_store_is_down_public_routes_still_work(make_edge, database_url) -> None:
    parts = urlsplit(database_url.replace("postgresql+asyncpg", "postgresql"))
    relay = await TcpProxy(parts.hostname or "127.0.0.1", parts.port or 5432).start()
    through_relay = database_url.replace(f"@{parts.hostname}:{parts.port}", f"@127.0.0.1:{relay.port}")
    try:
        async with make_edge(database_url=through_relay) as edge, edge.client() as browser:
            await relay.cut()
            browser.cookies.set("session", "whatever-the-browser-kept")
            public = await browser.get("/api/variance-report/latest")
            assert public.status_code == 200
            protected = await browser.get("/api/qbr/smartnumbers")
            assert (protected.status_code, protected.json()) == (
                503,
                {"error": "Authentication unavailable", "message": "Sign-in cannot be checked right now"},
            )
            assert protected.headers["retry-after"] == "5"
    finally:
        await relay.close()


async def test_an_unreachable_provider_makes_sign_in_answer_502(make_edge) -> None:
    async with make_edge(oidc_issuer=f"http://127.0.0.1:{free_port()}") as edge, edge.client() as browser:
        answer = await browser.get("/api/auth/microsoft/login")
        assert answer.status_code == 502
        body = answer.json()
        assert body["error"] == "Sign-in provider unavailable"
        assert body["details"].startswith("could not read the provider's discovery document")
