"""Settings of the qbr service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from hub_shared.settings import CommaList, ServiceSettings, split_comma_list


class QbrSettings(ServiceSettings):
    service_name: ClassVar[str] = "qbr"
    default_port: ClassVar[int] = 5405

    qbr_port: int = Field(default=5405, ge=1, le=65535)
    # The MSP's own organisations (one setting shared with variance): left out of seats and endpoints.
    # Compared trimmed and case-insensitively with the Ninja organisation name.
    hub_internal_organizations: CommaList = Field(default_factory=list)
    # The QBR organisation (the spec's organization_id) that metrics collected from Ninja belong to.
    qbr_organization_id: int = Field(default=1, ge=1, le=2_147_483_647)

    _split_lists = field_validator("hub_internal_organizations", mode="before")(split_comma_list)

    @property
    def port(self) -> int:
        return self.qbr_port

    @property
    def internal_organizations(self) -> list[str]:
        """Internal organisation names as the counts compare them (trimmed, lower case)."""
        return sorted({name.strip().lower() for name in self.hub_internal_organizations if name.strip()})
