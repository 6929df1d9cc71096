"""Settings of the ThreatLocker collector (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import AnyHttpUrl, Field, field_validator

from hub_shared.settings import ServiceSettings, simulator_only_default

# Where `make dev` runs the vendor simulator when no real ThreatLocker is configured.
SIMULATOR_URL = "http://127.0.0.1:5409/portalapi/"
SIMULATOR_ORG_ID = "7d3b1c52-9a0e-4f6b-b8d2-5e1f0c9a4d11"
SIMULATOR_API_KEY = "sim-tl-key"


class ThreatLockerCollectorSettings(ServiceSettings):
    service_name: ClassVar[str] = "collector_threatlocker"
    default_port: ClassVar[int] = 5402

    collector_threatlocker_port: int = Field(default=5402, ge=1, le=65535)
    threatlocker_base_url: AnyHttpUrl = AnyHttpUrl(SIMULATOR_URL)
    # Unset (or empty, as a ConfigMap ships them): the simulator's values, but only while
    # THREATLOCKER_BASE_URL is the simulator's; against the real portal both must be set.
    threatlocker_api_key: str | None = Field(default=None, validate_default=True)
    threatlocker_org_id: str | None = Field(
        default=None,
        validate_default=True,
        pattern=r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
    )
    threatlocker_page_size: int = Field(default=500, ge=1, le=500)
    threatlocker_requests_per_minute: float = Field(default=600, gt=0)
    threatlocker_timeout_seconds: float = Field(default=60, gt=0, le=600)
    threatlocker_retry_attempts: int = Field(default=5, ge=1, le=20)
    threatlocker_retry_base_seconds: float = Field(default=0.5, ge=0, le=60)
    threatlocker_max_drop_ratio: float = Field(default=0.5, gt=0, le=1)
    snapshot_retention_days: int = Field(default=65, ge=1)
    job_heartbeat_seconds: float = Field(default=15, gt=0)

    _api_key = field_validator("threatlocker_api_key")(
        simulator_only_default("threatlocker_base_url", SIMULATOR_URL, SIMULATOR_API_KEY)
    )
    _org_id = field_validator("threatlocker_org_id")(
        simulator_only_default("threatlocker_base_url", SIMULATOR_URL, SIMULATOR_ORG_ID)
    )

    @property
    def port(self) -> int:
        return self.collector_threatlocker_port

    @property
    def base_url(self) -> str:
        return str(self.threatlocker_base_url).rstrip("/") + "/"
