"""Shared helpers for the simulator tests: an in-process client and full-fleet fetchers for both vendors."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator, Callable
from datetime import date
from typing import Any

import httpx
import pytest

from vendor_sim import SimConfig, Simulator, create_app

REFERENCE_DATE = date(2025, 3, 3)
TL_HEADERS = {"Authorization": "sim-tl-key", "managedOrganizationId": "7d3b1c52-9a0e-4f6b-b8d2-5e1f0c9a4d11"}


class SimClient:
    """An httpx client bound to one in-process simulator, with vendor-aware helpers."""

    tl_headers = TL_HEADERS

    def __init__(self, client: httpx.AsyncClient, sim: Simulator) -> None:
        self.http = client
        self.sim = sim
        self.token: str | None = None

    async def login(self) -> str:
        response = await self.http.post(
            "/ws/oauth/token",
            data={
                "grant_type": "client_credentials",
                "client_id": "sim-client",
                "client_secret": "sim-secret",
                "scope": "monitoring management",
            },
        )
        assert response.status_code == 200, response.text
        self.token = response.json()["access_token"]
        return self.token

    async def ninja(self, path: str, **params: Any) -> httpx.Response:
        if self.token is None:
            await self.login()
        return await self.http.get(path, params=params, headers={"Authorization": f"Bearer {self.token}"})

    async def all_ninja_devices(self, page_size: int = 1000, path: str = "/v2/devices-detailed") -> list[dict]:
        devices: list[dict] = []
        after: int | None = None
        while True:
            params: dict[str, Any] = {"pageSize": page_size}
            if after is not None:
                params["after"] = after
            response = await self.ninja(path, **params)
            assert response.status_code == 200, response.text
            page = response.json()
            devices.extend(page)
            if len(page) < page_size:
                return devices
            after = page[-1]["id"]

    async def tl(self, body: dict[str, Any], headers: dict[str, str] | None = None) -> httpx.Response:
        return await self.http.post(
            "/portalapi/Computer/ComputerGetByAllParameters", json=body, headers=headers or TL_HEADERS
        )

    @staticmethod
    def tl_body(page: int, size: int = 500, children: bool = True, **extra: Any) -> dict[str, Any]:
        return tl_body(page, size, children, **extra)

    async def all_tl_computers(self, page_size: int = 500, children: bool = True) -> list[dict]:
        rows: list[dict] = []
        page = 1
        while True:
            response = await self.tl(tl_body(page, page_size, children))
            assert response.status_code == 200, response.text
            batch = response.json()
            rows.extend(batch)
            header = json.loads(response.headers["pagination"])
            if not batch or header["currentPage"] >= header["totalPages"]:
                return rows
            page += 1


def tl_body(page: int, size: int = 500, children: bool = True, **extra: Any) -> dict[str, Any]:
    body = {
        "searchText": "",
        "searchBy": 1,
        "computerGroup": "00000000-0000-0000-0000-000000000000",
        "orderBy": "computername",
        "isAscending": True,
        "pageSize": size,
        "pageNumber": page,
        "childOrganizations": children,
        "action": "",
        "kindOfAction": "",
        "showLastCheckIn": True,
        "showDeleted": False,
        "isExport": False,
    }
    body.update(extra)
    return body


@contextlib.asynccontextmanager
async def open_sim(**overrides: Any) -> AsyncIterator[SimClient]:
    settings: dict[str, Any] = {"devices": 300, "seed": 7, "reference_date": REFERENCE_DATE}
    settings.update(overrides)
    app = create_app(SimConfig(**settings))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://sim") as client:
        yield SimClient(client, app.state.sim)


@pytest.fixture
def sim_factory() -> Callable[..., contextlib.AbstractAsyncContextManager[SimClient]]:
    return open_sim
