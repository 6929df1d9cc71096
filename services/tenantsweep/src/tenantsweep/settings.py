"""Settings of the tenantsweep service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from hub_shared.settings import ServiceSettings


class TenantSweepSettings(ServiceSettings):
    service_name: ClassVar[str] = "tenantsweep"
    default_port: ClassVar[int] = 5406

    tenantsweep_port: int = Field(default=5406, ge=1, le=65535)
    # Findings one bulk request may carry. The spec sets no limit: what bounds a bulk request is the
    # gateway's MAX_REQUEST_BODY_BYTES (10 MiB by default), which the smallest valid finding (~70 bytes of
    # JSON) cannot exceed below ~150,000 items. This default lies above that, so any body the gateway lets
    # through is taken; it is only a backstop for a raised body limit (one request = one transaction).
    tenantsweep_bulk_max_findings: int = Field(default=200_000, ge=1, le=1_000_000)
    # Findings fetched per round trip while a CSV export streams.
    tenantsweep_export_batch_rows: int = Field(default=1000, ge=10, le=100_000)

    @property
    def port(self) -> int:
        return self.tenantsweep_port
