"""Settings of the qbr service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field

from hub_shared.settings import ServiceSettings


class QbrSettings(ServiceSettings):
    service_name: ClassVar[str] = "qbr"
    default_port: ClassVar[int] = 5405

    qbr_port: int = Field(default=5405, ge=1, le=65535)

    @property
    def port(self) -> int:
        return self.qbr_port
