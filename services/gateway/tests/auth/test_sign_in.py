"""Microsoft 365 / OpenID Connect sign-in against a local provider: the browser flow and its refusals."""

from __future__ import annotations

import time
from datetime import datetime
from http.cookies import Morsel, SimpleCookie
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
from sqlalchemy import func, select

from gateway.auth.models import auth_login_states, auth_sessions
from gateway.auth.service import hash_secret
from hub_shared.identity import verify_identity

ALLOWED_EMAIL = "rmmiller@enersystems.com"
SIGNING_KEY = "test-signing-key-0123456789"  # conftest's


def set_cookies(response: httpx.Response) -> dict[str, Morsel[str]]:
    """Every Set-Cookie of a response, parsed (name → morsel)."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return dict(jar)


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}


def with_query(url: str, **changes: str) -> str:
    parts = urlsplit(url)
    return parts._replace(query=urlencode({**query(url), **changes})).geturl()


async def count(edge: Any, table: Any) -> int:
    async with edge.runtime.database.transaction() as db:
        return int(await db.scalar(select(func.count()).select_from(table)))


async def test_browser_sign_in_yields_a_session_that_reaches_a_protected_service(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        started = await browser.get("/api/auth/microsoft/login")
        assert started.status_code == 302
        authorize = started.headers["location"]
        params = query(authorize)
        assert urlsplit(authorize).path == "/oauth2/authorize"
        assert params["response_type"] == "code"
        assert params["client_id"] == "inventory-hub-tests"
        assert params["redirect_uri"] == f"{edge.base}/api/auth/microsoft/callback"
        assert params["code_challenge_method"] == "S256" and len(params["code_challenge"]) == 43
        assert params["scope"] == "openid profile email"
        assert len(params["state"]) >= 40 and len(params["nonce"]) >= 40 and params["state"] != params["nonce"]
        login_cookie = set_cookies(started)["hub_login_state"]
        assert login_cookie.value == params["state"]
        assert login_cookie["httponly"] and login_cookie["samesite"] == "lax"
        assert login_cookie["path"] == "/api/auth/microsoft"
        # Only the state's hash is kept server-side, with the nonce and the PKCE verifier.
        async with edge.runtime.database.transaction() as db:
            stored = (await db.execute(select(auth_login_states))).one()
        assert stored.state_hash == hash_secret(params["state"]) and stored.nonce == params["nonce"]
        assert len(stored.code_verifier) == 64

        callback = await edge.consent(authorize, ALLOWED_EMAIL, "Ryan Miller")
        finished = await browser.get(callback)
        assert finished.status_code == 302, finished.text
        assert finished.headers["location"] == "https://dashboards.example.com/qbr"
        cookies = set_cookies(finished)
        session_cookie = cookies["session"]
        assert len(session_cookie.value) >= 43
        assert session_cookie["httponly"] and session_cookie["samesite"] == "lax" and session_cookie["path"] == "/"
        assert not session_cookie["secure"]  # SESSION_COOKIE_SECURE=false in this test
        assert int(session_cookie["max-age"]) == 8 * 3600
        assert cookies["hub_login_state"]["max-age"] == "0"  # the one-time login cookie is dropped
        assert await count(edge, auth_login_states) == 0  # and the pending login consumed
        async with edge.runtime.database.transaction() as db:
            row = (await db.execute(select(auth_sessions))).one()
        assert row.id_hash == hash_secret(session_cookie.value)  # the id itself is never stored
        assert row.email == ALLOWED_EMAIL and row.name == "Ryan Miller"
        assert (row.expires_at - row.created_at).total_seconds() == 8 * 3600

        status = await browser.get("/api/auth/status")
        assert status.status_code == 200
        body = status.json()
        assert body["authenticated"] is True
        assert body["user_email"] == ALLOWED_EMAIL
        assert body["user_name"] == "Ryan Miller"
        assert body["user"] == {"email": ALLOWED_EMAIL, "name": "Ryan Miller"}
        assert body["auth_method"] == "session"
        login_time = datetime.fromisoformat(body["login_time"].replace("Z", "+00:00"))
        assert body["login_time"].endswith("Z") and abs(time.time() - login_time.timestamp()) < 30

        before = time.time()
        reached = await browser.get("/api/qbr/smartnumbers?period=2025-Q4", headers={"x-hub-identity": "forged"})
        assert reached.status_code == 200
        assert reached.json() == {
            "success": True,
            "data": {"service": "qbr", "path": "/api/qbr/smartnumbers"},
        }
        seen = edge.upstreams.seen[-1]
        identity = seen["identity"]
        assert identity is not None, seen["header"]
        assert (identity.user, identity.email, identity.name) == (ALLOWED_EMAIL, ALLOWED_EMAIL, "Ryan Miller")
        assert identity.method == "session" and identity.scopes == ("*",)
        assert before + 55 <= identity.expires_at <= time.time() + 61
        # The service sees the signed identity, not the browser's credentials.
        assert seen["cookie"] is None and seen["authorization"] is None
        # Issue 17 finding 1: the header names its audience; replayed to another service it is refused.
        assert verify_identity(seen["header"], SIGNING_KEY, audience="qbr") == identity
        for other in ("tenantsweep", "variance", "assessment", "collector_ninja"):
            assert verify_identity(seen["header"], SIGNING_KEY, audience=other) is None
        await browser.get("/api/tenantsweep/audits")
        assert verify_identity(edge.upstreams.seen[-1]["header"], SIGNING_KEY, audience="tenantsweep") is not None


async def test_sign_in_compares_emails_case_insensitively(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        finished = await edge.sign_in(browser, "JMMILLER@enersystems.COM", "Jo Miller")
        assert finished.status_code == 302
        status = (await browser.get("/api/auth/status")).json()
        assert (status["user_email"], status["user_name"]) == ("jmmiller@enersystems.com", "Jo Miller")


async def test_someone_not_on_the_allow_list_is_refused_without_a_session(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        refused = await edge.sign_in(browser, "mallory@example.com")
        assert refused.status_code == 403
        assert refused.json() == {
            "error": "Access denied",
            "message": "Your account (mallory@example.com) is not authorized to access this dashboard. "
            "Please contact your administrator.",
        }
        assert "session" not in set_cookies(refused)
        assert await count(edge, auth_sessions) == 0
        status = await browser.get("/api/auth/status")
        assert (status.status_code, status.json()) == (401, {"authenticated": False})


async def test_an_id_token_signed_with_an_unpublished_key_is_refused(make_edge, smith) -> None:
    async with make_edge() as edge, edge.client() as browser:
        edge.provider.rewrite_id_token = smith.forge
        refused = await edge.sign_in(browser, ALLOWED_EMAIL)
        assert refused.status_code == 400
        assert refused.json() == {"error": "Invalid ID token", "details": refused.json()["details"]}
        assert refused.json()["details"].startswith("verification failed: bad_signature")
        assert "session" not in set_cookies(refused)
        assert await count(edge, auth_sessions) == 0


async def test_a_re_signed_token_passes_so_the_refusals_below_are_about_their_claims(make_edge, smith) -> None:
    async with make_edge() as edge, edge.client() as browser:
        edge.provider.rewrite_id_token = smith.resign()
        accepted = await edge.sign_in(browser, ALLOWED_EMAIL)
        assert accepted.status_code == 302 and "session" in set_cookies(accepted)


async def test_an_expired_id_token_is_refused(make_edge, smith) -> None:
    now = int(time.time())
    async with make_edge() as edge, edge.client() as browser:
        edge.provider.rewrite_id_token = smith.resign(iat=now - 7200, exp=now - 3600)
        refused = await edge.sign_in(browser, ALLOWED_EMAIL)
        assert (refused.status_code, refused.json()) == (
            400,
            {"error": "Invalid ID token", "details": "the ID token has expired"},
        )
        assert await count(edge, auth_sessions) == 0


async def test_an_id_token_for_another_audience_or_issuer_is_refused(make_edge, smith) -> None:
    async with make_edge() as edge, edge.client() as browser:
        edge.provider.rewrite_id_token = smith.resign(aud="some-other-app")
        refused = await edge.sign_in(browser, ALLOWED_EMAIL)
        assert refused.json() == {"error": "Invalid ID token", "details": "the aud claim is wrong"}
        edge.provider.rewrite_id_token = smith.resign(iss="https://login.example.net/evil/v2.0")
        refused = await edge.sign_in(browser, ALLOWED_EMAIL)
        assert refused.json() == {"error": "Invalid ID token", "details": "the iss claim is wrong"}
        assert await count(edge, auth_sessions) == 0


async def test_a_wrong_nonce_is_refused(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        authorize = await edge.begin(browser)
        # The provider is asked for a token bound to another nonce than the one this login stored.
        callback = await edge.consent(with_query(authorize, nonce="n-" + "x" * 40), ALLOWED_EMAIL)
        refused = await browser.get(callback)
        assert refused.status_code == 400
        assert refused.json() == {"error": "Invalid ID token", "details": "the nonce claim is wrong"}
        assert await count(edge, auth_sessions) == 0


async def test_a_wrong_replayed_or_foreign_state_is_refused(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        callback = await edge.consent(await edge.begin(browser), ALLOWED_EMAIL)
        tampered = await browser.get(with_query(callback, state="not-the-state-we-sent"))
        assert tampered.status_code == 400
        assert tampered.json()["error"] == "Invalid login state"

        # A callback in a browser that never started this sign-in (login CSRF): no matching cookie.
        async with edge.client() as victim:
            foreign = await victim.get(callback)
        assert (foreign.status_code, foreign.json()["error"]) == (400, "Invalid login state")

        callback = await edge.consent(await edge.begin(browser), ALLOWED_EMAIL)
        login_cookie = browser.cookies.get("hub_login_state")
        assert (await browser.get(callback)).status_code == 302
        browser.cookies.set("hub_login_state", login_cookie, path="/api/auth/microsoft")
        replayed = await browser.get(callback)
        assert replayed.status_code == 400
        assert replayed.json() == {
            "error": "Invalid login state",
            "details": "The sign-in expired or was already used; start again",
        }
        assert await count(edge, auth_sessions) == 1


async def test_a_provider_error_is_reported_as_json(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        await edge.begin(browser)
        answer = await browser.get(
            "/api/auth/microsoft/callback",
            params={"error": "access_denied", "error_description": "User declined"},
        )
        assert (answer.status_code, answer.json()) == (
            400,
            {"error": "Authentication failed", "details": "User declined"},
        )


async def test_without_oidc_settings_the_gateway_runs_and_sign_in_answers_503(make_edge) -> None:
    async with make_edge(oidc=False) as edge, edge.client() as browser:
        for path in ("/api/auth/microsoft/login", "/api/auth/microsoft/callback?code=x&state=y"):
            answer = await browser.get(path)
            assert answer.status_code == 503
            assert answer.json() == {
                "error": "Sign-in not configured",
                "message": "OIDC_ISSUER and OIDC_CLIENT_ID are not set",
            }
        status = await browser.get("/api/auth/status")
        assert (status.status_code, status.json()) == (401, {"authenticated": False})
        logout = await browser.get("/api/auth/logout")
        assert (logout.status_code, logout.headers["location"]) == (302, "https://dashboards.example.com/qbr")
        assert (await browser.get("/api/qbr/smartnumbers")).status_code == 401


async def test_the_session_cookie_is_secure_by_default(make_edge) -> None:
    """Secure and host-only cookies carry the ``__Host-`` prefix (issue 17 finding 10): a browser takes
    them only from this host, over https, with Path=/ and no Domain, so a sibling subdomain cannot plant
    its own login state or session (login CSRF)."""
    async with make_edge(session_cookie_secure=True) as edge, edge.client() as browser:
        started = await browser.get("/api/auth/microsoft/login?return_to=/variance")
        cookies = set_cookies(started)
        assert "hub_login_state" not in cookies and "hub_login_return" not in cookies
        for name in ("__Host-hub_login_state", "__Host-hub_login_return"):
            cookie = cookies[name]
            assert (cookie["secure"], cookie["path"], cookie["domain"]) == (True, "/", ""), name
        login_cookie = cookies["__Host-hub_login_state"]
        callback = await edge.consent(started.headers["location"], ALLOWED_EMAIL)
        # A browser sends Secure cookies only over HTTPS; this test speaks HTTP, so it sends it by hand.
        # A planted unprefixed login state (what a sibling subdomain could set) is not the one read.
        planted = await browser.get(callback, headers={"cookie": f"hub_login_state={login_cookie.value}"})
        assert planted.status_code == 400
        finished = await browser.get(callback, headers={"cookie": f"__Host-hub_login_state={login_cookie.value}"})
        assert finished.status_code == 302, finished.text
        session = set_cookies(finished)["__Host-session"]
        assert (session["secure"], session["path"], session["domain"]) == (True, "/", "")
        status = await browser.get("/api/auth/status", headers={"cookie": f"__Host-session={session.value}"})
        assert status.status_code == 200
        unprefixed = await browser.get("/api/auth/status", headers={"cookie": f"session={session.value}"})
        assert unprefixed.status_code == 401


async def test_a_configured_cookie_domain_keeps_the_plain_names(make_edge) -> None:
    """``__Host-`` forbids a Domain attribute: with SESSION_COOKIE_DOMAIN the names stay as configured."""
    async with make_edge(session_cookie_secure=True, session_cookie_domain="example.com") as edge:
        assert edge.settings.session_cookie == "session"
    async with make_edge(session_cookie_secure=False) as edge:
        assert edge.settings.session_cookie == "session"  # plain HTTP (make dev, compose on localhost)


# --- issue 17 finding 3: only a verified email signs in; no mutable fallbacks ---


async def test_an_unverified_email_does_not_sign_in(make_edge, smith) -> None:
    async with make_edge() as edge, edge.client() as browser:
        for verified in (False, "false"):
            edge.provider.rewrite_id_token = smith.resign(email_verified=verified)
            refused = await edge.sign_in(browser, ALLOWED_EMAIL)
            assert (refused.status_code, refused.json()) == (
                400,
                {"error": "Failed to get user profile", "details": "the provider has not verified the email address"},
            )
        edge.provider.rewrite_id_token = smith.resign(email_verified=True)
        assert (await edge.sign_in(browser, ALLOWED_EMAIL)).status_code == 302
        assert await count(edge, auth_sessions) == 1


async def test_the_mutable_username_claims_are_not_an_email(make_edge, smith) -> None:
    async with make_edge() as edge, edge.client() as browser:
        edge.provider.rewrite_id_token = smith.resign(email=None, preferred_username=ALLOWED_EMAIL, upn=ALLOWED_EMAIL)
        refused = await edge.sign_in(browser, ALLOWED_EMAIL)
        assert (refused.status_code, refused.json()["details"]) == (400, "the ID token carries no email address")
        assert await count(edge, auth_sessions) == 0
