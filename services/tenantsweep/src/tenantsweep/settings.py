"""Settings of the tenantsweep service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from hub_shared.settings import ServiceSettings


class TenantSweepSettings(ServiceSettings):
    service_name: ClassVar[str] = "tenantsweep"
    default_port: ClassVar[int] = 5406

    tenantsweep_port: int = Field(default=5406, ge=1, le=65535)
    # Findings one bulk request may carry (the spec's 5,000). A request is stored whole or not at all,
    # so this bounds one transaction; mind the gateway's MAX_REQUEST_BODY_BYTES when raising it.
    tenantsweep_bulk_max_findings: int = Field(default=5000, ge=1, le=50_000)
    # Findings fetched per round trip while a CSV export streams.
    tenantsweep_export_batch_rows: int = Field(default=1000, ge=10, le=100_000)

    @property
    def port(self) -> int:
        return self.tenantsweep_port
