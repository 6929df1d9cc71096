"""Through the real gateway: ``/api/qbr/metric-definitions`` answers without credentials (the definitions;
a month's values need ``qbr:read``), its errors keep the QBR envelope, and every other QBR route still
answers the spec's 401 body to the same caller."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AsyncExitStack
from datetime import timedelta
from typing import Any

import httpx

from gateway.auth.service import utcnow
from hub_shared.app import create_app
from hub_shared.runtime import ServiceRuntime
from hub_shared.testing.servers import running_server
from qbr.definition import SPEC

from ..conftest import signed


async def test_metric_definitions_are_public_at_the_gateway_and_the_rest_of_qbr_is_not(
    vendor_sim: Callable[..., Any], hub_factory: Callable[..., Any], qbr_settings: Callable[..., Any]
) -> None:
    settings = qbr_settings()
    runtime = ServiceRuntime(SPEC, settings, run_worker=False)
    with vendor_sim(devices=50, seed=3) as sim:  # the hub fixture needs one; nothing is collected
        async with AsyncExitStack() as stack:
            url = await stack.enter_async_context(running_server(create_app(runtime)))
            hub = await hub_factory(sim, services=(), gateway={"qbr_url": url})
            async with httpx.AsyncClient(base_url=url) as direct:
                entered = await direct.post(
                    "/api/qbr/metrics/manual",
                    json={"period": "2025-11", "metrics": [{"metric_name": "owner_comp", "metric_value": 1500.5}]},
                    headers=signed(settings),
                )
                assert entered.status_code == 200, entered.text
            anonymous = hub.client
            assert "authorization" not in anonymous.headers and not anonymous.cookies

            month = {"period": "2025-11", "category": "expenses"}
            # Issue 17 finding 2: the month's values are financial data; anonymous callers get none.
            hidden = await anonymous.get("/api/qbr/metric-definitions", params=month)
            assert hidden.status_code == 401 and "1500.5" not in hidden.text, hidden.text
            async with hub.database.transaction() as db:
                token, _ = (
                    await hub.runtimes["gateway"]
                    .state["auth"]
                    .create_token(db, name="qbr-reader", scopes=["qbr:read"], expires_at=utcnow() + timedelta(days=1))
                )
            answer = await anonymous.get(
                "/api/qbr/metric-definitions", params=month, headers={"authorization": f"Bearer {token}"}
            )
            assert answer.status_code == 200, answer.text
            data = answer.json()["data"]
            assert (data["period"], data["organization_id"], data["count"]) == ("2025-11", 1, 6)
            metrics = {metric["key"]: metric for metric in data["metrics"]}
            assert metrics["owner_comp"]["value"] == 1500.5
            assert metrics["employee_expense"]["calculation_display"] == "$0.00 - $1,500.50 - $0.00 = -$1,500.50"
            assert (await anonymous.get("/api/qbr/metric-definitions")).json()["data"]["count"] == 27

            refused = await anonymous.get("/api/qbr/metric-definitions", params={"period": "2025-13"})
            assert refused.status_code == 400
            assert refused.json() == {
                "success": False,
                "error": {"code": "INVALID_PERIOD", "message": "Period format must be YYYY-MM", "status": 400},
            }
            bad_org = await anonymous.get("/api/qbr/metric-definitions", params={"organization_id": "x"})
            assert (bad_org.status_code, bad_org.json()["error"]["code"]) == (400, "INVALID_PARAMETER")

            # The public rule is exact: the rest of /api/qbr needs credentials.
            for method, path in (
                ("GET", "/api/qbr/metrics/monthly?period=2025-11"),
                ("GET", "/api/qbr/metrics/quarterly"),
                ("GET", "/api/qbr/smartnumbers?period=2025-Q4"),
                ("GET", "/api/qbr/thresholds"),
                ("POST", "/api/qbr/metrics/manual"),
                ("POST", "/api/qbr/thresholds"),
                ("GET", "/api/qbr/metric-definitions/extra"),
            ):
                response = await anonymous.request(method, path, json={} if method == "POST" else None)
                assert response.status_code == 401, (method, path, response.status_code, response.text)
                # The spec's body ("Protected Endpoints"), not the success/data error envelope.
                assert response.json() == {
                    "error": "Authentication required",
                    "message": "Please log in to access this resource",
                }, (method, path)
