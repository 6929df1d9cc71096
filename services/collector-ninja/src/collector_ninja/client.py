"""NinjaOne public API v2 client: OAuth client credentials, keyset pagination, bulk custom fields.

Facts from ``reference/vendor-apis.md``: tokens come from ``/ws/oauth/token`` (``/oauth/token`` as a
fallback), are cached until shortly before expiry and refreshed once on a 401; lists are bare arrays
paged by ``after`` = the largest id seen (rows are not trusted to arrive sorted); the bulk custom-fields
query pages by cursor, with ``pageSize`` and ``fields`` on every page (a follow-up page asked with only
the cursor gets the API's default size of 1,000 and all fields), until an empty page or an exhausted
cursor — a short page is not the end.
"""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import httpx

from collector_ninja.settings import NinjaCollectorSettings
from hub_shared.vendor_http import RateLimiter, RetryPolicy, VendorUnavailable, send_with_retries

TOKEN_PATHS = ("/ws/oauth/token", "/oauth/token")
TOKEN_EXPIRY_MARGIN_SECONDS = 60
# A cursor that never runs out (a vendor bug) must not loop forever: 100,000 devices at the smallest page.
MAX_QUERY_PAGES = 10_000


class NinjaAuthError(VendorUnavailable):
    """Credentials refused: retrying will not help."""


class NinjaClient:
    def __init__(self, settings: NinjaCollectorSettings, *, transport: httpx.AsyncBaseTransport | None = None):
        self.settings = settings
        self.http = httpx.AsyncClient(
            base_url=settings.base_url,
            timeout=httpx.Timeout(settings.ninja_timeout_seconds, connect=10),
            transport=transport,
            headers={"accept": "application/json"},
        )
        self.policy = RetryPolicy(attempts=settings.ninja_retry_attempts, base_delay=settings.ninja_retry_base_seconds)
        self.limiter = RateLimiter(settings.ninja_requests_per_minute)
        self._token: str | None = None
        self._token_expires_at = 0.0
        self.requests_sent = 0

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> NinjaClient:
        return self

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    # ------------------------------------------------------------------------------------------ auth
    async def _access_token(self, *, force: bool = False) -> str:
        if not force and self._token and time.time() < self._token_expires_at - TOKEN_EXPIRY_MARGIN_SECONDS:
            return self._token
        form = {
            "grant_type": "client_credentials",
            "client_id": self.settings.ninja_client_id,
            "client_secret": self.settings.ninja_client_secret,
            "scope": self.settings.ninja_scope,
        }
        last: httpx.Response | None = None
        for path in TOKEN_PATHS:

            def token_request(path: str = path) -> httpx.Request:
                return self.http.build_request("POST", path, data=form)

            response = await send_with_retries(
                self.http,
                token_request,
                policy=self.policy,
                limiter=self.limiter,
                what="NinjaOne token",
            )
            self.requests_sent += 1
            if response.status_code == 404:  # some regions only answer on the alias path
                last = response
                continue
            if response.status_code != 200:
                detail = _error_text(response)
                raise NinjaAuthError(f"NinjaOne refused the client credentials (HTTP {response.status_code}: {detail})")
            body = response.json()
            self._token = str(body["access_token"])
            self._token_expires_at = time.time() + float(body.get("expires_in", 3600))
            return self._token
        raise NinjaAuthError(f"NinjaOne token endpoint not found (HTTP {last.status_code if last else '?'})")

    async def get_json(self, path: str, params: dict[str, Any] | None = None) -> Any:
        """GET with the bearer token; a 401 refreshes the token once and retries."""
        for refreshed in (False, True):
            token = await self._access_token(force=refreshed)

            def api_request(token: str = token) -> httpx.Request:
                return self.http.build_request("GET", path, params=params, headers={"authorization": f"Bearer {token}"})

            response = await send_with_retries(
                self.http,
                api_request,
                policy=self.policy,
                limiter=self.limiter,
                what=f"NinjaOne GET {path}",
            )
            self.requests_sent += 1
            if response.status_code == 401 and not refreshed:
                continue
            if response.status_code != 200:
                raise VendorUnavailable(
                    f"NinjaOne GET {path} answered HTTP {response.status_code}: {_error_text(response)}"
                )
            return response.json()
        raise NinjaAuthError(f"NinjaOne GET {path} still unauthorised after a token refresh")

    # ------------------------------------------------------------------------------------------ lists
    async def keyset_pages(
        self, path: str, page_size: int, extra: dict[str, Any] | None = None
    ) -> AsyncIterator[list[dict[str, Any]]]:
        after: int | None = None
        while True:
            params: dict[str, Any] = {"pageSize": page_size, **(extra or {})}
            if after is not None:
                params["after"] = after
            page = await self.get_json(path, params)
            if not isinstance(page, list):
                raise VendorUnavailable(f"NinjaOne {path} answered a {type(page).__name__}, expected a list")
            if not page:
                return
            last_id = max(int(row["id"]) for row in page)
            if after is not None and last_id <= after:
                raise VendorUnavailable(f"NinjaOne {path} pagination did not advance past id {after}")
            yield page
            if len(page) < page_size:
                return
            after = last_id

    async def organizations(self) -> list[dict[str, Any]]:
        return [org async for page in self.keyset_pages("/v2/organizations", 1000) for org in page]

    async def locations(self) -> list[dict[str, Any]]:
        return [loc async for page in self.keyset_pages("/v2/locations", 1000) for loc in page]

    def device_pages(self) -> AsyncIterator[list[dict[str, Any]]]:
        return self.keyset_pages("/v2/devices-detailed", self.settings.ninja_page_size)

    async def custom_field_values(self, fields: list[str]) -> dict[int, dict[str, Any]]:
        """Every device's values of the given custom fields, through the bulk query (cursor-paged)."""
        values: dict[int, dict[str, Any]] = {}
        # A fleet has only a handful of distinct TPM/Secure Boot combinations: devices share one record
        # each, so this map costs ~100 bytes per device instead of a dict each (memory stays ~flat).
        records: dict[tuple[Any, ...], dict[str, Any]] = {}
        base: dict[str, Any] = {"fields": ",".join(fields), "pageSize": self.settings.ninja_query_page_size}
        params = dict(base)
        pages = 0
        while True:
            body = await self.get_json("/v2/queries/custom-fields", params)
            pages += 1
            if not isinstance(body, dict):
                raise VendorUnavailable(f"NinjaOne custom-fields query answered a {type(body).__name__}")
            results = body.get("results") or []
            for row in results:
                row_fields = row.get("fields")
                if row_fields is None:  # some tenants return the values flat on the row
                    row_fields = {name: row.get(name) for name in fields if name in row}
                values[int(row["deviceId"])] = _shared(records, {name: row_fields.get(name) for name in fields})
            cursor = body.get("cursor") or {}
            if not results or not cursor.get("name"):
                return values
            if pages > MAX_QUERY_PAGES:
                raise VendorUnavailable(f"NinjaOne custom-fields query did not end after {MAX_QUERY_PAGES} pages")
            params = {**base, "cursor": cursor["name"]}


def _shared(records: dict[tuple[Any, ...], dict[str, Any]], record: dict[str, Any]) -> dict[str, Any]:
    """The one stored record equal to ``record`` (read-only from here on)."""
    try:
        return records.setdefault(tuple(record.values()), record)
    except TypeError:  # an unhashable (list/object) value: keep the device's own record
        return record


def _error_text(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200]
    if isinstance(body, dict):
        return str(body.get("errorMessage") or body.get("error_description") or body.get("error") or body)[:200]
    return str(body)[:200]
