"""ConnectWise Manage REST client: Basic auth plus ``clientId``, ``/count``, paged lists, retries.

Facts from ``reference/connectwise-api.md``: base ``https://<site>/<codebase>/apis/3.0/`` (the codebase
from ``/login/companyinfo/<company>`` unless set); ``Authorization: Basic base64("<company>+<public>:
<private>")`` and a ``clientId`` header; ``page``/``pageSize`` (at most 1000) with a ``Link: rel="next"``
header. 429 (with a numeric ``Retry-After``) and 5xx are retried with exponential back-off, the
``Retry-After`` honoured; every other 4xx fails at once — a malformed query or refused credentials do not
improve by asking again. Every failure names the ``x-cw-request-id`` ConnectWise support asks for.
"""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from typing import Any

import httpx

from collector_connectwise.settings import DEFAULT_CODEBASE, ConnectWiseCollectorSettings
from hub_shared.logging import get_logger
from hub_shared.vendor_http import RateLimiter, RetryPolicy, VendorUnavailable, send_with_retries

log = get_logger(__name__)

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
# A list that never ends (a vendor paging bug) must not loop forever.
MAX_PAGES = 10_000


class ConnectWiseRefused(VendorUnavailable):
    """ConnectWise refused the request (credentials, roles, or the query itself): retrying will not help."""


class ConnectWiseClient:
    def __init__(
        self, settings: ConnectWiseCollectorSettings, *, transport: httpx.AsyncBaseTransport | None = None
    ) -> None:
        if not settings.configured:
            raise ConnectWiseRefused(f"ConnectWise is not configured: set {', '.join(settings.missing_settings())}")
        self.settings = settings
        user = f"{settings.connectwise_company_id}+{settings.connectwise_public_key}:{settings.connectwise_private_key}"
        self.http = httpx.AsyncClient(
            timeout=httpx.Timeout(settings.connectwise_timeout_seconds, connect=10),
            transport=transport,
            headers={
                "authorization": "Basic " + base64.b64encode(user.encode()).decode(),
                "clientid": settings.connectwise_client_id or "",
                "accept": "application/json",
            },
        )
        self.policy = RetryPolicy(
            attempts=settings.connectwise_retry_attempts,
            base_delay=settings.connectwise_retry_base_seconds,
            max_delay=settings.connectwise_retry_max_seconds,
        )
        self.limiter = RateLimiter(settings.connectwise_requests_per_minute)
        self._base: str | None = None
        self.requests_sent = 0

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> ConnectWiseClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------------------------- plumbing
    async def _send(self, what: str, method: str, url: str, **kwargs: Any) -> httpx.Response:
        response = await send_with_retries(
            self.http,
            lambda: self.http.build_request(method, url, **kwargs),
            policy=self.policy,
            limiter=self.limiter,
            what=f"ConnectWise {what}",
            retry_statuses=RETRY_STATUSES,
        )
        self.requests_sent += 1
        if response.status_code == 200:
            return response
        request_id = response.headers.get("x-cw-request-id")
        detail = f"HTTP {response.status_code}: {_message(response)}" + (
            f" (x-cw-request-id {request_id})" if request_id else ""
        )
        log.warning("ConnectWise refused a request", what=what, status=response.status_code, request_id=request_id)
        if response.status_code in (401, 403, 404):
            hint = {
                401: "check CONNECTWISE_COMPANY_ID, _PUBLIC_KEY, _PRIVATE_KEY and _CLIENT_ID",
                403: "the API member lacks a security role for this",
                404: "on cloud sites this often means bad credentials, or a wrong CONNECTWISE_SITE/CODEBASE",
            }[response.status_code]
            raise ConnectWiseRefused(f"ConnectWise {what} refused ({detail}); {hint}")
        raise ConnectWiseRefused(f"ConnectWise {what} answered {detail}")

    async def base_url(self) -> str:
        if self._base is None:
            codebase = self.settings.connectwise_codebase or await self._codebase()
            self._base = self.settings.api_base(codebase)
        return self._base

    async def _codebase(self) -> str:
        url = f"{self.settings.site_url}/login/companyinfo/{self.settings.connectwise_company_id}"
        try:
            response = await self._send("company info", "GET", url)
        except ConnectWiseRefused as exc:
            log.warning("codebase lookup failed; using the usual one", error=str(exc), codebase=DEFAULT_CODEBASE)
            return DEFAULT_CODEBASE
        codebase = str((response.json() or {}).get("Codebase") or DEFAULT_CODEBASE)
        return codebase.strip("/") or DEFAULT_CODEBASE

    async def get_json(self, path: str, params: dict[str, Any]) -> Any:
        response = await self._send(f"GET {path}", "GET", (await self.base_url()) + path, params=params)
        try:
            return response.json()
        except ValueError:
            raise VendorUnavailable(f"ConnectWise GET {path} answered something other than JSON") from None

    # ------------------------------------------------------------------------------------- queries
    async def count(self, path: str, conditions: str) -> int:
        body = await self.get_json(f"{path}/count", {"conditions": conditions})
        if not isinstance(body, dict) or not isinstance(body.get("count"), int):
            raise VendorUnavailable(f"ConnectWise {path}/count answered {str(body)[:100]!r}, expected {{count}}")
        return int(body["count"])

    async def pages(self, path: str, conditions: str, fields: str) -> AsyncIterator[list[dict[str, Any]]]:
        """Every record matching ``conditions`` in id order, one page (at most 1000) at a time."""
        size = self.settings.connectwise_page_size
        previous_ids: list[Any] | None = None
        for number in range(1, MAX_PAGES + 1):
            params = {"conditions": conditions, "fields": fields, "orderBy": "id asc", "page": number, "pageSize": size}
            response = await self._send(
                f"GET {path} page {number}", "GET", (await self.base_url()) + path, params=params
            )
            try:
                rows = response.json()
            except ValueError:
                raise VendorUnavailable(f"ConnectWise GET {path} page {number} was not JSON") from None
            if not isinstance(rows, list):
                raise VendorUnavailable(f"ConnectWise GET {path} page {number} was not a list")
            if not rows:
                return
            ids = [row.get("id") for row in rows]
            if ids == previous_ids:
                raise VendorUnavailable(f"ConnectWise served page {number} of {path} twice; paging is unreliable")
            previous_ids = ids
            yield rows
            if len(rows) < size or 'rel="next"' not in response.headers.get("link", 'rel="next"'):
                return
        raise VendorUnavailable(f"ConnectWise {path} did not end after {MAX_PAGES} pages")


def _message(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("message") or body.get("code") or body)[:200]
    return str(body)[:200]
