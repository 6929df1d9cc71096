"""``/docs`` works without the internet: Swagger UI from the gateway itself, a policy admitting only 'self'
(issue 15 item 3, issue 17 item 8). The browser suite also renders it in Chromium (tests/browser)."""

from __future__ import annotations

import re

from gateway.system.docs import DOCS_CSP, VERSION


async def test_the_docs_page_loads_everything_from_the_gateway(make_edge) -> None:
    async with make_edge() as edge, edge.client() as client:
        page = await client.get("/docs")
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
        assert "swagger-ui" in page.text and "cdn" not in page.text.lower()
        urls = re.findall(r'(?:src|href)="([^"]+)"', page.text)
        assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
        assert not re.findall(r"<script(?![^>]*\ssrc=)[^>]*>", page.text), "no inline script"
        assert page.headers["content-security-policy"] == DOCS_CSP
        policy = {part.split()[0]: part.split()[1:] for part in DOCS_CSP.split("; ")}
        assert policy["default-src"] == ["'none'"]
        for directive in ("script-src", "style-src", "connect-src"):
            assert policy[directive] == ["'self'"], directive
        assert policy["frame-ancestors"] == ["'none'"]
        for url in urls:
            asset = await client.get(url)
            assert asset.status_code == 200, url
            assert len(asset.content) > 100
            if f"/docs/assets/{VERSION}/" in url:
                assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
        init = await client.get("/docs/init.js")
        assert "/openapi.json" in init.text and init.headers["cache-control"] == "no-cache"


async def test_unknown_docs_assets_are_404(make_edge) -> None:
    async with make_edge() as edge, edge.client() as client:
        assert (await client.get("/docs/assets/0.0.1/swagger-ui.css")).status_code == 404
        assert (await client.get(f"/docs/assets/{VERSION}/index.html")).status_code == 404
        assert (await client.get(f"/docs/assets/{VERSION}/..%2F..%2Fdocs.py")).status_code in (400, 404)
