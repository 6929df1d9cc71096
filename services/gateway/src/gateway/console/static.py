"""The operator console at ``/``: the built ``console/dist`` served as static files.

- Vite's hashed assets (``/assets/…``) are cached for a year (``immutable``); every other file, and the
  ``index.html`` that names the current assets, is ``no-cache`` (revalidated with its ETag → 304).
- A path without a file behind it that looks like one of the console's client routes (no file extension)
  gets ``index.html`` (the SPA fallback), so a reload of ``/variance?type=…`` works. Never for the API and
  the gateway's own pages (``/api/…``, ``/docs…``, ``/openapi.json``, the probes): those keep their JSON 404.
- Console pages carry their own Content-Security-Policy (:data:`CONSOLE_CSP`): everything from this origin
  only, no inline script, no framing. The API keeps ``default-src 'none'`` (``edge/security.py``).
- Without a build, ``/`` answers 503 with a short page saying how to build the console.
"""

from __future__ import annotations

import stat
from pathlib import Path

from fastapi import FastAPI, Request
from starlette.exceptions import HTTPException
from starlette.responses import HTMLResponse, Response
from starlette.staticfiles import StaticFiles

CONSOLE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
HASHED_ASSETS = "assets/"  # Vite's build.assetsDir: every file in it carries a content hash in its name
# Paths that are never the console's: the API, the gateway's own pages and every service's probes.
RESERVED_PREFIXES = ("/api", "/docs", "/openapi.json", "/health", "/ready", "/metrics")

NOT_BUILT_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Inventory Hub: console not built</title></head>
<body>
<h1>The Inventory Hub console is not built</h1>
<p>The API is running (<a href="/api/health">/api/health</a>, <a href="/docs">/docs</a>), but the web console's
files were not found in <code>{dist}</code>.</p>
<p>Build it (needs Node.js 20 or newer): <code>make console</code>, or <code>cd console &amp;&amp; npm ci &amp;&amp;
npm run build</code>; <code>make dev</code> does this by itself. Set <code>CONSOLE_DIST_DIR</code> when the
build lives elsewhere.</p>
</body></html>
"""


def is_reserved(path: str) -> bool:
    return any(path == prefix or path.startswith(prefix + "/") for prefix in RESERVED_PREFIXES)


def looks_like_a_file(path: str) -> bool:
    """``/assets/index-3f2a.js``, ``/favicon.ico``: a missing one is a 404, never the HTML page."""
    last = path.rstrip("/").rsplit("/", 1)[-1]
    return "." in last


class ConsoleFiles:
    """Serves one build directory; the directory is looked up per request, so a rebuild needs no restart."""

    def __init__(self, dist: Path) -> None:
        self.dist = dist
        self.files = StaticFiles(directory=dist, check_dir=False)

    @property
    def built(self) -> bool:
        return (self.dist / "index.html").is_file()

    async def respond(self, request: Request) -> Response:
        path = request.url.path
        if request.method not in ("GET", "HEAD") or is_reserved(path):
            raise HTTPException(404)
        if not self.built:
            if looks_like_a_file(path):
                raise HTTPException(404)
            return self._headers(HTMLResponse(NOT_BUILT_PAGE.format(dist=self.dist), status_code=503), REVALIDATE)
        relative = path.lstrip("/")
        full, found = self.files.lookup_path(relative) if relative else ("", None)
        if found is not None and stat.S_ISREG(found.st_mode):
            cache = IMMUTABLE if relative.startswith(HASHED_ASSETS) else REVALIDATE
            return self._headers(self.files.file_response(full, found, request.scope), cache)
        if looks_like_a_file(path):
            raise HTTPException(404)
        index, found = self.files.lookup_path("index.html")
        assert found is not None
        return self._headers(self.files.file_response(index, found, request.scope), REVALIDATE)

    @staticmethod
    def _headers(response: Response, cache_control: str) -> Response:
        response.headers["cache-control"] = cache_control
        response.headers["content-security-policy"] = CONSOLE_CSP
        return response


def install_console(app: FastAPI, dist: Path) -> ConsoleFiles:
    """Register the console as the last route: every path no other route took (the proxy owns ``/api``)."""
    console = ConsoleFiles(dist)

    async def serve(request: Request) -> Response:
        return await console.respond(request)

    app.add_api_route(
        "/{path:path}",
        serve,
        methods=["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"],
        include_in_schema=False,
    )
    return console
