"""Settings of the assessment service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from hub_shared.settings import ServiceSettings
from pydantic import Field


class AssessmentSettings(ServiceSettings):
    service_name: ClassVar[str] = "assessment"
    default_port: ClassVar[int] = 5404

    assessment_port: int = Field(default=5404, ge=1, le=65535)

    @property
    def port(self) -> int:
        return self.assessment_port
