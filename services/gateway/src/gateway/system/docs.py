"""``/docs`` without the internet: Swagger UI's files served by the gateway from a pinned package.

The assets come from ``swagger-ui-bundle-v2`` (PyPI, the spec-first project's packaging of the official
``swagger-ui-dist``; pinned in ``uv.lock``), under a versioned path so they can be cached as immutable. The
page has no inline script (its start-up code is ``/docs/init.js``), so its Content-Security-Policy admits
this origin only.
"""

from __future__ import annotations

from pathlib import Path

import swagger_ui_bundle
from fastapi import APIRouter
from starlette.exceptions import HTTPException
from starlette.responses import FileResponse, HTMLResponse, Response

ASSETS = Path(str(swagger_ui_bundle.swagger_ui_path))
VERSION = ASSETS.name.removeprefix("swagger-ui-")  # e.g. "5.31.0"
ASSET_PREFIX = f"/docs/assets/{VERSION}"
INIT_JS = Path(__file__).with_name("docs_static") / "init.js"
SERVED = frozenset({"swagger-ui.css", "swagger-ui-bundle.js", "favicon-32x32.png", "favicon-16x16.png"})
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
IMMUTABLE = "public, max-age=31536000, immutable"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Inventory Hub API</title>
<link rel="icon" type="image/png" href="{ASSET_PREFIX}/favicon-32x32.png">
<link rel="stylesheet" href="{ASSET_PREFIX}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSET_PREFIX}/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script>
</body>
</html>
"""

router = APIRouter(include_in_schema=False)


def _policy(response: Response) -> Response:
    response.headers["content-security-policy"] = DOCS_CSP
    return response


@router.get("/docs")
async def docs() -> Response:
    return _policy(HTMLResponse(PAGE, headers={"cache-control": "no-cache"}))


@router.get("/docs/init.js")
async def docs_init() -> Response:
    return _policy(FileResponse(INIT_JS, media_type="text/javascript", headers={"cache-control": "no-cache"}))


@router.get("/docs/assets/{version}/{name}")
async def docs_asset(version: str, name: str) -> Response:
    if version != VERSION or name not in SERVED:
        raise HTTPException(404)
    return _policy(FileResponse(ASSETS / name, headers={"cache-control": IMMUTABLE}))
