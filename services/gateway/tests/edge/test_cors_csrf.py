"""CORS with credentials for the dashboard's origins only, and the CSRF origin check on session writes."""

from __future__ import annotations

from datetime import timedelta

from gateway.auth.service import utcnow

DASHBOARD = "https://dashboards.example.com"
EVIL = "https://evil.example"


async def test_preflight_allows_patch_for_the_dashboard(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        answer = await browser.options(
            "/api/tenantsweep/audits/4",
            headers={
                "origin": DASHBOARD,
                "access-control-request-method": "PATCH",
                "access-control-request-headers": "content-type,x-request-id",
            },
        )
        assert answer.status_code == 204
        assert answer.headers["access-control-allow-origin"] == DASHBOARD
        assert answer.headers["access-control-allow-credentials"] == "true"
        assert answer.headers["access-control-allow-methods"] == "GET, POST, PUT, PATCH, DELETE, OPTIONS"
        assert answer.headers["access-control-allow-headers"] == "content-type, x-request-id"
        assert answer.headers["access-control-max-age"] == "86400"
        assert answer.headers["vary"] == "Origin"
        assert edge.upstreams.seen == []  # a preflight never reaches a service


async def test_preflight_is_refused_for_other_origins_methods_and_headers(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        cases = [
            ({"origin": EVIL, "access-control-request-method": "PATCH"}, f"Origin {EVIL} is not allowed"),
            ({"origin": "null", "access-control-request-method": "GET"}, "Origin null is not allowed"),
            ({"origin": DASHBOARD, "access-control-request-method": "TRACE"}, "Method TRACE is not allowed"),
            (
                {
                    "origin": DASHBOARD,
                    "access-control-request-method": "POST",
                    "access-control-request-headers": "x-hub-identity",
                },
                "Header(s) x-hub-identity are not allowed",
            ),
        ]
        for headers, problem in cases:
            answer = await browser.options("/api/tenantsweep/audits/4", headers=headers)
            assert answer.status_code == 403
            assert answer.json() == {
                "success": False,
                "error": {
                    "code": "CORS_REFUSED",
                    "message": f"CORS preflight refused: {problem}",
                    "status": 403,
                },
            }
            assert "access-control-allow-origin" not in answer.headers
        bare = await browser.options(
            "/api/variance-report/latest", headers={"origin": EVIL, "access-control-request-method": "GET"}
        )
        assert bare.json() == {"error": f"CORS preflight refused: Origin {EVIL} is not allowed"}


async def test_responses_carry_cors_headers_only_for_allowed_origins(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        allowed = await browser.get("/api/qbr/metrics/devices-by-client", headers={"origin": DASHBOARD})
        assert allowed.headers["access-control-allow-origin"] == DASHBOARD
        assert allowed.headers["access-control-allow-credentials"] == "true"
        exposed = allowed.headers["access-control-expose-headers"]
        assert "X-RateLimit-Remaining" in exposed and "Retry-After" in exposed
        # Errors too, so the dashboard can read the 401 and redirect to login.
        refused = await browser.get("/api/qbr/smartnumbers", headers={"origin": DASHBOARD})
        assert refused.status_code == 401 and refused.headers["access-control-allow-origin"] == DASHBOARD
        other = await browser.get("/api/qbr/metrics/devices-by-client", headers={"origin": EVIL})
        assert other.status_code == 200 and "access-control-allow-origin" not in other.headers
        assert other.headers["vary"] == "Origin"


async def test_a_cross_origin_post_with_a_session_cookie_is_refused(make_edge) -> None:
    async with make_edge() as edge, edge.client() as browser:
        assert (await edge.sign_in(browser, "rmmiller@enersystems.com")).status_code == 302
        csrf = {
            "success": False,
            "error": {
                "code": "CSRF_REJECTED",
                "message": "Cross-origin request refused: a signed-in request that changes data must come "
                "from the dashboard",
                "status": 403,
            },
        }
        for headers in ({"origin": EVIL}, {"referer": f"{EVIL}/page"}, {}, {"origin": "null"}):
            refused = await browser.post("/api/qbr/thresholds", json={"x": 1}, headers=headers)
            assert (refused.status_code, refused.json()) == (403, csrf), headers
        # Public routes too: the cookie would make it the signed-in person's action.
        public = await browser.post("/api/exceptions/5/resolve", json={}, headers={"origin": EVIL})
        assert public.status_code == 403 and public.json()["error"] == csrf["error"]["message"]
        assert edge.upstreams.seen == []

        for headers in (
            {"origin": DASHBOARD},
            {"referer": f"{DASHBOARD}/qbr/settings"},
            {"origin": edge.base},  # the gateway's own pages (Swagger UI)
        ):
            passed = await browser.post("/api/qbr/thresholds", json={"x": 1}, headers=headers)
            assert passed.status_code == 200, headers
        assert [s["method"] for s in edge.upstreams.seen] == ["POST", "POST", "POST"]
        # Reading cross-origin is harmless (CORS keeps the answer from the other site).
        assert (await browser.get("/api/qbr/thresholds", headers={"origin": EVIL})).status_code == 200


async def test_bearer_token_requests_need_no_origin_but_an_untrusted_one_is_refused(make_edge) -> None:
    async with make_edge() as edge, edge.client() as script:
        async with edge.runtime.database.transaction() as db:
            token, _ = await edge.auth.create_token(
                db, name="ci", scopes=["qbr:write"], expires_at=utcnow() + timedelta(days=1)
            )
        bearer = {"authorization": f"Bearer {token}"}
        # A script sends no Origin; a stale cookie in its jar does not make it a browser's request.
        answer = await script.post("/api/qbr/thresholds", json={}, headers={**bearer, "cookie": "session=stale"})
        assert answer.status_code == 200
        assert edge.upstreams.seen[-1]["identity"].user == "token:ci"
        # Issue 17 finding 4: an Origin that is present and not trusted is refused, token or not.
        refused = await script.post("/api/qbr/thresholds", json={}, headers={**bearer, "origin": EVIL})
        assert refused.status_code == 403 and refused.json()["error"]["code"] == "CSRF_REJECTED"
        assert len(edge.upstreams.seen) == 1


UNTRUSTED = "Cross-origin request refused: a request that changes data must come from a trusted origin"


async def test_a_cross_site_write_without_any_cookie_is_refused(make_edge) -> None:
    """Issue 17 finding 4: under SameSite=Lax a cross-site POST carries no cookie; an employee's browser
    inside the network could still resolve exceptions or start collections on a public route."""
    async with make_edge() as edge, edge.client() as browser:
        for origin in (EVIL, "null"):
            for method, path in (("POST", "/api/exceptions/5/resolve"), ("POST", "/api/collectors/run")):
                refused = await browser.request(method, path, json={}, headers={"origin": origin})
                assert refused.status_code == 403, (origin, path, refused.text)
                assert UNTRUSTED in refused.text
        assert edge.upstreams.seen == []
        # The dashboard, the gateway's own pages and scripts (no Origin at all) still write.
        for headers in ({"origin": DASHBOARD}, {"origin": edge.base}, {}):
            passed = await browser.post("/api/exceptions/5/resolve", json={}, headers=headers)
            assert passed.status_code == 200, headers
        # Reading cross-origin stays allowed (CORS keeps the answer from the other site).
        assert (await browser.get("/api/variances/available-dates", headers={"origin": EVIL})).status_code == 200


async def test_a_write_with_a_body_must_be_json(make_edge) -> None:
    """Issue 17 finding 4: a no-cors fetch can only send text/plain, form or multipart bodies; FastAPI would
    parse any of them as JSON. The spec's curl and fetch examples all say application/json."""
    async with make_edge() as edge, edge.client() as browser:
        body = b'{"exception_ids": [1, 2, 3]}'
        for content_type in (
            None,
            "text/plain;charset=UTF-8",
            "application/x-www-form-urlencoded",
            "multipart/form-data; boundary=x",
        ):
            headers = {} if content_type is None else {"content-type": content_type}
            refused = await browser.post("/api/exceptions/bulk-resolve", content=body, headers=headers)
            assert refused.status_code == 415, (content_type, refused.text)
            assert refused.json() == {"error": "Unsupported media type: send the request body as application/json"}
        tenantsweep = await browser.patch(
            "/api/tenantsweep/audits/1", content=b"{}", headers={"content-type": "text/plain"}
        )
        assert tenantsweep.status_code == 415 and tenantsweep.json()["error"]["code"] == "UNSUPPORTED_MEDIA_TYPE"
        assert edge.upstreams.seen == []
        for content_type in ("application/json", "application/json; charset=utf-8", "application/merge-patch+json"):
            passed = await browser.post(
                "/api/exceptions/bulk-resolve", content=body, headers={"content-type": content_type}
            )
            assert passed.status_code == 200, content_type
        # No body, no type needed: the spec's `curl -X POST .../api/windows-11-24h2/run` has neither.
        assert (await browser.post("/api/exceptions/5/resolve")).status_code == 200


async def test_cors_echoes_the_allow_list_entry_not_the_clients_spelling(make_edge) -> None:
    """Issue 17 finding 12: an Origin that matches only after normalising (case, default port) gets the
    canonical allow-list entry back, never the client's bytes."""
    async with make_edge() as edge, edge.client() as browser:
        for spelling in ("https://DASHBOARDS.example.com", "https://dashboards.example.com:443"):
            answer = await browser.get("/api/qbr/metrics/devices-by-client", headers={"origin": spelling})
            assert answer.headers["access-control-allow-origin"] == DASHBOARD, spelling
            preflight = await browser.options(
                "/api/tenantsweep/audits/4", headers={"origin": spelling, "access-control-request-method": "PATCH"}
            )
            assert preflight.headers["access-control-allow-origin"] == DASHBOARD, spelling
