"""Settings of one simulator instance (fleet size, seed, credentials, spare/alias conventions)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_TPM_FIELDS: tuple[str, str, str, str, str] = (
    "hastpm",
    "tpmenabled",
    "tpmversion",
    "securebootavailable",
    "securebootenabled",
)
# Fixed so a dev environment can hard-code THREATLOCKER_ORG_ID without asking the simulator.
DEFAULT_TL_PARENT_ORG_ID = "7d3b1c52-9a0e-4f6b-b8d2-5e1f0c9a4d11"


@dataclass(kw_only=True)
class SimConfig:
    """Everything that shapes the simulated vendors. Same values → byte-identical vendor responses."""

    devices: int = 2000
    """Ninja device count on day 0 (exact); the ThreatLocker count follows from it."""
    seed: int = 42
    day: int = 0
    """Starting fleet day; change at runtime with POST /_sim/day."""
    reference_date: date | None = None
    """Calendar date of day 0 (timestamps are derived from it). None → today's UTC date at start."""

    # NinjaOne OAuth
    ninja_client_id: str = "sim-client"
    ninja_client_secret: str = "sim-secret"
    token_ttl: int = 3600
    """Seconds an access token lives (the `expires_in` of the token response)."""
    tpm_fields: tuple[str, str, str, str, str] = DEFAULT_TPM_FIELDS
    """Custom-field names for has-TPM, TPM enabled, TPM version, Secure Boot available/enabled."""

    # ThreatLocker
    tl_api_key: str = "sim-tl-key"
    tl_parent_org_id: str = DEFAULT_TL_PARENT_ORG_ID

    # Organisation conventions a correct reconciliation is configured with
    internal_org_name: str = "Summit Tech Partners"
    """The MSP's own organisation (Ninja org and ThreatLocker parent org)."""
    spare_exempt_locations: tuple[str, ...] = ("Shop Spares",)
    """Locations (inside the internal organisation) where spares are expected to keep ThreatLocker."""

    # ConnectWise Manage (PSA): Basic "<company>+<public>:<private>" plus a clientId header
    cw_company_id: str = "summitsim"
    cw_public_key: str = "sim-cw-public"
    cw_private_key: str = "sim-cw-private"
    cw_client_id: str = "sim-cw-client"
    cw_codebase: str = "v4_6_release"
    cw_tickets_per_month: int = 120
    """Tickets entered per month on every board (plus four boundary plants a month)."""
    cw_timezone: str = "America/Chicago"
    """The zone whose month boundaries the boundary plants sit on (the hub's HUB_TIMEZONE)."""

    faults: list[dict[str, Any]] = field(default_factory=list)
    """Fault rules active from the start (same JSON as POST /_sim/faults)."""
    clock: Callable[[], float] = time.time
    """Wall clock for token and cursor expiry; tests inject a fake one."""

    def __post_init__(self) -> None:
        if self.devices < 1:
            raise ValueError("devices must be at least 1")
        if self.day < 0:
            raise ValueError("day must be >= 0")
        if len(self.tpm_fields) != 5:
            raise ValueError("tpm_fields needs exactly five names")
        if not self.spare_exempt_locations:
            raise ValueError("spare_exempt_locations needs at least one location name")
        if self.cw_tickets_per_month < 1:
            raise ValueError("cw_tickets_per_month must be at least 1")
        try:
            ZoneInfo(self.cw_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown cw_timezone {self.cw_timezone!r}") from None

    def effective_reference_date(self) -> date:
        return self.reference_date or datetime.now(UTC).date()
