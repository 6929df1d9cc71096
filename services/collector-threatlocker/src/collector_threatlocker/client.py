"""ThreatLocker Portal API client: computers of the MSP and its child organisations, page by page.

Facts from ``reference/vendor-apis.md``: a bare API token in ``Authorization`` plus
``managedOrganizationId``; ``POST Computer/ComputerGetByAllParameters`` with 1-based pages of at most
500; totals in a JSON ``pagination`` response header. Stop on an empty or short page or when
``currentPage >= totalPages``; a page that repeats the previous one is refused.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx

from collector_threatlocker.settings import ThreatLockerCollectorSettings
from hub_shared.vendor_http import RateLimiter, RetryPolicy, VendorUnavailable, send_with_retries

COMPUTERS_PATH = "Computer/ComputerGetByAllParameters"
ALL_GROUPS = "00000000-0000-0000-0000-000000000000"


@dataclass(frozen=True)
class Page:
    number: int
    rows: list[dict[str, Any]]
    total_items: int | None
    total_pages: int | None


class ThreatLockerClient:
    def __init__(
        self, settings: ThreatLockerCollectorSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        self.settings = settings
        self.http = httpx.AsyncClient(
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.threatlocker_timeout_seconds, connect=10),
            transport=transport,
            headers={
                "authorization": settings.threatlocker_api_key or "",
                "managedOrganizationId": settings.threatlocker_org_id or "",
                "accept": "application/json",
            },
        )
        self.policy = RetryPolicy(
            attempts=settings.threatlocker_retry_attempts, base_delay=settings.threatlocker_retry_base_seconds
        )
        self.limiter = RateLimiter(settings.threatlocker_requests_per_minute)

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> ThreatLockerClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def computer_page(self, number: int) -> Page:
        body = {
            "searchText": "",
            "searchBy": 1,
            "computerGroup": ALL_GROUPS,
            "orderBy": "computername",
            "isAscending": True,
            "pageSize": self.settings.threatlocker_page_size,
            "pageNumber": number,
            "childOrganizations": True,
            "action": "",
            "kindOfAction": "",
            "showLastCheckIn": True,
            "showDeleted": False,
            "isExport": False,
        }
        response = await send_with_retries(
            self.http,
            lambda: self.http.build_request("POST", COMPUTERS_PATH, json=body),
            policy=self.policy,
            limiter=self.limiter,
            what=f"ThreatLocker computers page {number}",
        )
        if response.status_code in (401, 403):
            raise VendorUnavailable(
                f"ThreatLocker refused the API key (HTTP {response.status_code}: {_message(response)})"
            )
        if response.status_code != 200:
            raise VendorUnavailable(
                f"ThreatLocker computers page {number} answered HTTP {response.status_code}: {_message(response)}"
            )
        rows = response.json() if response.content.strip() else []
        if not isinstance(rows, list):
            raise VendorUnavailable(f"ThreatLocker computers page {number} was not a list")
        total_items, total_pages = _pagination(response.headers.get("pagination"))
        return Page(number, rows, total_items, total_pages)

    async def computer_pages(self) -> AsyncIterator[Page]:
        number = 1
        previous_ids: list[str] | None = None
        while True:
            page = await self.computer_page(number)
            if not page.rows:
                return
            ids = [str(row.get("computerId")) for row in page.rows]
            if ids == previous_ids:
                raise VendorUnavailable(f"ThreatLocker served page {number} twice; pagination is unreliable")
            previous_ids = ids
            yield page
            if len(page.rows) < self.settings.threatlocker_page_size:
                return
            if page.total_pages is not None and number >= page.total_pages:
                return
            number += 1


def _pagination(header: str | None) -> tuple[int | None, int | None]:
    if not header:
        return None, None
    try:
        data = json.loads(header)
    except ValueError:
        return None, None
    items = data.get("totalItems")
    pages = data.get("totalPages")
    return (int(items) if items is not None else None, int(pages) if pages is not None else None)


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    return str(body.get("Message") if isinstance(body, dict) else body)[:200]
