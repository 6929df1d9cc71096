"""Settings of the NinjaOne collector (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import AnyHttpUrl, Field, field_validator

from hub_shared.settings import CommaList, ServiceSettings, simulator_only_default, split_comma_list

# Where `make dev` runs the vendor simulator when no real NinjaOne is configured.
SIMULATOR_URL = "http://127.0.0.1:5409"
SIMULATOR_CLIENT_ID, SIMULATOR_CLIENT_SECRET = "sim-client", "sim-secret"


class NinjaCollectorSettings(ServiceSettings):
    service_name: ClassVar[str] = "collector_ninja"
    default_port: ClassVar[int] = 5401

    collector_ninja_port: int = Field(default=5401, ge=1, le=65535)
    ninja_base_url: AnyHttpUrl = AnyHttpUrl(SIMULATOR_URL)
    # Unset: the simulator's credentials, but only while NINJA_BASE_URL is the simulator's (see below).
    ninja_client_id: str | None = Field(default=None, validate_default=True)
    ninja_client_secret: str | None = Field(default=None, validate_default=True)
    ninja_scope: str = "monitoring"
    # has-TPM, TPM enabled, TPM version, Secure Boot available, Secure Boot enabled — in that order.
    ninja_tpm_fields: Annotated[CommaList, Field(min_length=5, max_length=5)] = Field(
        default_factory=lambda: [
            "hastpm",
            "tpmenabled",
            "tpmversion",
            "securebootavailable",
            "securebootenabled",
        ]
    )
    ninja_page_size: int = Field(default=1000, ge=10, le=10000)
    # Rows per page of the bulk custom-fields query (TPM and Secure Boot values), sent on every page.
    ninja_query_page_size: int = Field(default=5000, ge=10, le=10000)
    ninja_requests_per_minute: float = Field(default=600, gt=0)
    ninja_timeout_seconds: float = Field(default=60, gt=0, le=600)
    ninja_retry_attempts: int = Field(default=5, ge=1, le=20)
    ninja_retry_base_seconds: float = Field(default=0.5, ge=0, le=60)
    # A sync that shrinks by more than this share against the previous snapshot looks incomplete.
    ninja_max_drop_ratio: float = Field(default=0.5, gt=0, le=1)
    snapshot_retention_days: int = Field(default=65, ge=1)
    job_heartbeat_seconds: float = Field(default=15, gt=0)

    _split_tpm_fields = field_validator("ninja_tpm_fields", mode="before")(split_comma_list)
    _client_id = field_validator("ninja_client_id")(
        simulator_only_default("ninja_base_url", SIMULATOR_URL, SIMULATOR_CLIENT_ID)
    )
    _client_secret = field_validator("ninja_client_secret")(
        simulator_only_default("ninja_base_url", SIMULATOR_URL, SIMULATOR_CLIENT_SECRET)
    )

    @property
    def port(self) -> int:
        return self.collector_ninja_port

    @property
    def base_url(self) -> str:
        return str(self.ninja_base_url).rstrip("/")
