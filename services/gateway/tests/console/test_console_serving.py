"""The console at ``/``: cached hashed assets, an uncached index, the SPA fallback, its own CSP (issue 17
item 8), JSON 404s kept for the API and the gateway's own pages, and a clear page when it is not built."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.console.static import CONSOLE_CSP

INDEX = '<!doctype html><html><head><script type="module" src="/assets/index-3f2a9c.js"></script></head></html>'


@pytest.fixture
def dist(tmp_path: Path) -> Path:
    (tmp_path / "assets").mkdir()
    (tmp_path / "index.html").write_text(INDEX)
    (tmp_path / "assets" / "index-3f2a9c.js").write_text("console.log('hub')")
    (tmp_path / "favicon.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    return tmp_path


def directives(policy: str) -> dict[str, list[str]]:
    return {part.split()[0]: part.split()[1:] for part in policy.split("; ")}


async def test_index_and_client_routes_are_the_page_revalidated_every_time(make_edge, dist: Path) -> None:
    async with make_edge(console_dist_dir=dist) as edge, edge.client() as client:
        for path in ("/", "/variance?type=MISSING_NINJA", "/collections", "/qbr/smartnumbers", "/exceptions/42"):
            page = await client.get(path)
            assert page.status_code == 200, path
            assert page.text == INDEX and page.headers["content-type"].startswith("text/html")
            assert page.headers["cache-control"] == "no-cache"
        again = await client.get("/", headers={"if-none-match": page.headers["etag"]})
        assert again.status_code == 304 and again.content == b""


async def test_hashed_assets_are_cached_for_a_year_and_other_files_revalidated(make_edge, dist: Path) -> None:
    async with make_edge(console_dist_dir=dist) as edge, edge.client() as client:
        script = await client.get("/assets/index-3f2a9c.js")
        assert script.status_code == 200 and script.text == "console.log('hub')"
        assert script.headers["content-type"].startswith(("text/javascript", "application/javascript"))
        assert script.headers["cache-control"] == "public, max-age=31536000, immutable"
        icon = await client.get("/favicon.svg")
        assert icon.status_code == 200 and icon.headers["cache-control"] == "no-cache"
        head = await client.head("/assets/index-3f2a9c.js")
        assert head.status_code == 200 and head.content == b""


async def test_console_pages_have_their_own_policy_and_the_api_keeps_none(make_edge, dist: Path) -> None:
    async with make_edge(console_dist_dir=dist) as edge, edge.client() as client:
        for path in ("/", "/variance", "/assets/index-3f2a9c.js"):
            answer = await client.get(path)
            assert answer.headers["content-security-policy"] == CONSOLE_CSP, path
            assert answer.headers["x-frame-options"] == "DENY"
        policy = directives(CONSOLE_CSP)
        assert policy["default-src"] == ["'self'"] and policy["script-src"] == ["'self'"]
        assert policy["frame-ancestors"] == ["'none'"] and policy["object-src"] == ["'none'"]
        assert policy["connect-src"] == ["'self'"]
        assert not any("unsafe" in value or "*" in value for values in policy.values() for value in values)
        api = await client.get("/api/auth/status")
        assert api.headers["content-security-policy"].startswith("default-src 'none'")


@pytest.mark.parametrize(
    "path",
    ["/api/nothing-here", "/api", "/docs/nothing", "/openapi.json/x", "/health/x", "/ready/x", "/metrics/x",
     "/assets/index-missing.js", "/robots.txt"],
)  # fmt: skip
async def test_the_api_and_missing_files_keep_their_json_404(make_edge, dist: Path, path: str) -> None:
    async with make_edge(console_dist_dir=dist) as edge, edge.client() as client:
        answer = await client.get(path)
        assert answer.status_code == 404, path
        assert answer.headers["content-type"].startswith("application/json")
        assert answer.json() == {"error": "Not found"}


async def test_writes_to_console_paths_are_not_found(make_edge, dist: Path) -> None:
    async with make_edge(console_dist_dir=dist) as edge, edge.client() as client:
        answer = await client.post("/variance", json={}, headers={"origin": edge.base})
        assert answer.status_code == 404 and answer.json() == {"error": "Not found"}


async def test_without_a_build_the_root_says_how_to_build_the_console(make_edge, tmp_path: Path) -> None:
    async with make_edge(console_dist_dir=tmp_path / "nowhere") as edge, edge.client() as client:
        page = await client.get("/")
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert "console is not built" in page.text and "make console" in page.text and "npm run build" in page.text
        assert "Not found" not in page.text
        assert page.headers["content-security-policy"] == CONSOLE_CSP
        assert (await client.get("/assets/index-3f2a9c.js")).status_code == 404
        assert (await client.get("/api/health")).status_code == 200


async def test_the_console_loads_without_a_session_when_every_route_needs_one(make_edge, dist: Path) -> None:
    # Its files hold no data; the page must load to send a signed-out person to sign in.
    async with make_edge(console_dist_dir=dist, auth_require_all=True) as edge, edge.client() as client:
        assert (await client.get("/")).status_code == 200
        assert (await client.get("/variance?type=DUPLICATE_TL")).status_code == 200
        assert (await client.get("/assets/index-3f2a9c.js")).status_code == 200
        assert (await client.get("/api/variances/export/csv")).status_code == 401
        assert (await client.get("/api/nothing-here")).status_code == 401
