"""Settings of the variance service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from hub_shared.settings import ServiceSettings
from pydantic import Field


class VarianceSettings(ServiceSettings):
    service_name: ClassVar[str] = "variance"
    default_port: ClassVar[int] = 5403

    variance_port: int = Field(default=5403, ge=1, le=65535)

    @property
    def port(self) -> int:
        return self.variance_port
