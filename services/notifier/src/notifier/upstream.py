"""Reading the owning services' APIs (their own URLs) as the notifier, with a signed identity.

The notifier never reads another schema: what exceptions a report has, which devices are incompatible,
what an audit changed, and every report document come from the service that owns them, exactly as the
console would see them (``X-Hub-Identity`` signed with ``HUB_INTERNAL_SIGNING_KEY``).
"""

from __future__ import annotations

from typing import Any

import httpx

from hub_shared.identity import IDENTITY_HEADER, issue_identity, sign_identity
from notifier.settings import NotifierSettings

NOTIFIER_USER = "service:notifier"
READ_SCOPES = ("variance:read", "assessment:read", "qbr:read", "tenantsweep:read", "ninja:read")


class UpstreamError(Exception):
    """The owning service did not answer usefully (down, 5xx): try again later."""


class UpstreamRefused(Exception):
    """The owning service answered that there is nothing to read (a 4xx): do not retry."""

    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status


class Upstream:
    def __init__(self, settings: NotifierSettings, client: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.client = client or httpx.AsyncClient(timeout=settings.notifier_upstream_timeout_seconds, trust_env=False)

    async def aclose(self) -> None:
        await self.client.aclose()

    def _headers(self, service: str) -> dict[str, str]:
        # Minted for the one service called (its audience): replayed to another it is refused.
        identity = issue_identity(NOTIFIER_USER, "token", name="notifier", scopes=READ_SCOPES, ttl_seconds=300)
        return {IDENTITY_HEADER: sign_identity(identity, self.settings.hub_internal_signing_key, audience=service)}

    async def get(self, service: str, path: str, params: dict[str, Any] | None = None) -> httpx.Response:
        url = self.settings.upstream_url(service) + path
        try:
            response = await self.client.get(url, params=params, headers=self._headers(service))
        except httpx.HTTPError as exc:
            raise UpstreamError(f"{service} unreachable: {type(exc).__name__}: {exc}") from exc
        if response.status_code >= 500 or response.status_code == 429:
            raise UpstreamError(f"{service} answered HTTP {response.status_code}")
        if response.status_code >= 400:
            raise UpstreamRefused(response.status_code, response.text)
        return response

    async def json(self, service: str, path: str, params: dict[str, Any] | None = None) -> Any:
        return (await self.get(service, path, params)).json()

    # ------------------------------------------------------------------ what evaluations read
    async def exceptions_of(self, report_date: str, page: int = 1000) -> list[dict[str, Any]]:
        """Every active exception of a report date (the variance API pages by limit/offset)."""
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            batch = await self.json(
                "variance",
                "/api/exceptions",
                {"date": report_date, "status": "active", "limit": page, "offset": offset},
            )
            found.extend(batch)
            if len(batch) < page:
                return found
            offset += page

    async def incompatible_devices(self, page: int = 1000) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        offset = 0
        while True:
            body = await self.json("assessment", "/api/windows-11-24h2/incompatible", {"limit": page, "offset": offset})
            batch = body.get("incompatible_devices") or []
            found.extend(batch)
            if len(batch) < page:
                return found
            offset += page

    async def audit_comparison(self, audit_id: int) -> dict[str, Any] | None:
        """The audit compared with the tenant's previous completed one; None without a previous audit."""
        try:
            body = await self.json("tenantsweep", f"/api/tenantsweep/audits/{audit_id}/compare")
        except UpstreamRefused as exc:
            if exc.status == 404:
                return None
            raise
        data: dict[str, Any] = body.get("data", body)
        return data
