"""Settings of the tenantsweep service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from hub_shared.settings import ServiceSettings


class TenantSweepSettings(ServiceSettings):
    service_name: ClassVar[str] = "tenantsweep"
    default_port: ClassVar[int] = 5406

    tenantsweep_port: int = Field(default=5406, ge=1, le=65535)

    @property
    def port(self) -> int:
        return self.tenantsweep_port
