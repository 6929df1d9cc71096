"""An unexpected failure inside a QBR route answers the spec's ``500 SERVER_ERROR`` in the QBR envelope.

The failure is real: the service is pointed at a PostgreSQL database that does not exist, so opening the
request's transaction fails on every protected and public route alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
from sqlalchemy.engine import make_url

from hub_shared.app import create_app
from hub_shared.runtime import ServiceRuntime
from qbr.definition import SPEC
from qbr.settings import QbrSettings

from .conftest import signed


async def test_a_failing_database_answers_server_error(qbr_settings: Callable[..., QbrSettings]) -> None:
    working = qbr_settings()
    absent = make_url(working.database_url).set(database=f"qbr_absent_{uuid.uuid4().hex[:8]}")
    settings = qbr_settings(database_url=absent.render_as_string(hide_password=False))
    runtime = ServiceRuntime(SPEC, settings, run_worker=False)
    try:
        transport = httpx.ASGITransport(app=create_app(runtime), raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://qbr") as http:
            for path in (
                "/api/qbr/metrics/monthly?period=2025-11",
                "/api/qbr/metrics/quarterly?period=2025-Q4",
                "/api/qbr/smartnumbers?period=2025-Q4",
                "/api/qbr/thresholds",
                "/api/qbr/metrics/devices-by-client?period=2025-11",
            ):
                response = await http.get(path, headers=signed(settings))
                assert response.status_code == 500, (path, response.text)
                body = response.json()
                request_id = response.headers["x-request-id"]
                assert body == {
                    "success": False,
                    "error": {"code": "SERVER_ERROR", "message": "Internal server error", "status": 500},
                    "request_id": request_id,
                }, path
            # Input errors are still answered before any database work, with their own codes.
            invalid = await http.get("/api/qbr/smartnumbers", params={"period": "2025-13"}, headers=signed(settings))
            assert (invalid.status_code, invalid.json()["error"]["code"]) == (400, "INVALID_PERIOD")
    finally:
        await runtime.database.dispose()
