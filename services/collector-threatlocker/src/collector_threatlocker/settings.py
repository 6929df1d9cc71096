"""Settings of the collector-threatlocker service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from hub_shared.settings import ServiceSettings
from pydantic import Field


class ThreatLockerCollectorSettings(ServiceSettings):
    service_name: ClassVar[str] = "collector_threatlocker"
    default_port: ClassVar[int] = 5402

    collector_threatlocker_port: int = Field(default=5402, ge=1, le=65535)

    @property
    def port(self) -> int:
        return self.collector_threatlocker_port
