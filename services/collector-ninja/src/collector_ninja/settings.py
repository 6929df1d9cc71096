"""Settings of the collector-ninja service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from hub_shared.settings import ServiceSettings
from pydantic import Field


class NinjaCollectorSettings(ServiceSettings):
    service_name: ClassVar[str] = "collector_ninja"
    default_port: ClassVar[int] = 5401

    collector_ninja_port: int = Field(default=5401, ge=1, le=65535)

    @property
    def port(self) -> int:
        return self.collector_ninja_port
