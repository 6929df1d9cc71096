"""Settings of the gateway (environment variables; ``.env`` in development)."""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from pydantic import AnyHttpUrl, Field, field_validator, model_validator

from gateway.auth.settings import AuthSettings
from hub_shared.settings import ServiceSettings

# Upstream services behind the gateway, with their default local addresses.
UPSTREAM_DEFAULTS = {
    "collector_ninja": "http://127.0.0.1:5401",
    "collector_threatlocker": "http://127.0.0.1:5402",
    "collector_connectwise": "http://127.0.0.1:5407",
    "variance": "http://127.0.0.1:5403",
    "assessment": "http://127.0.0.1:5404",
    "qbr": "http://127.0.0.1:5405",
    "tenantsweep": "http://127.0.0.1:5406",
    "notifier": "http://127.0.0.1:5408",
}


class GatewaySettings(ServiceSettings, AuthSettings):
    service_name: ClassVar[str] = "gateway"
    default_port: ClassVar[int] = 5400

    gateway_port: int = Field(default=5400, ge=1, le=65535)
    collector_ninja_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["collector_ninja"])
    collector_threatlocker_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["collector_threatlocker"])
    collector_connectwise_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["collector_connectwise"])
    variance_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["variance"])
    assessment_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["assessment"])
    qbr_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["qbr"])
    tenantsweep_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["tenantsweep"])
    notifier_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["notifier"])
    upstream_timeout_seconds: float = Field(default=30.0, gt=0, le=600)
    upstream_connect_timeout_seconds: float = Field(default=3.0, gt=0, le=60)
    upstream_long_timeout_seconds: float = Field(default=300.0, gt=0, le=3600)
    stale_job_seconds: float = Field(default=600, ge=1)
    stale_check_interval_seconds: float = Field(default=30, gt=0)
    collector_schedule: str = "0 2 * * *"
    collector_schedule_enabled: bool = True
    tls_cert_file: Path | None = None
    tls_key_file: Path | None = None
    # The built console (``npm run build`` in console/); relative paths are from the working directory.
    console_dist_dir: Path = Path("console/dist")

    @property
    def port(self) -> int:
        return self.gateway_port

    def upstream_url(self, service: str) -> str:
        return str(getattr(self, f"{service}_url")).rstrip("/")

    @field_validator("collector_schedule")
    @classmethod
    def _cron(cls, value: str) -> str:
        from croniter import croniter

        if not croniter.is_valid(value):
            raise ValueError(f"not a cron expression: {value!r}")
        return value

    @model_validator(mode="after")
    def _tls_pair(self) -> GatewaySettings:
        if (self.tls_cert_file is None) != (self.tls_key_file is None):
            raise ValueError("TLS_CERT_FILE and TLS_KEY_FILE must be set together")
        for path in (self.tls_cert_file, self.tls_key_file):
            if path is not None and not path.is_file():
                raise ValueError(f"TLS file not found: {path}")
        return self
