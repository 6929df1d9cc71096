"""Settings of the variance service (environment variables; ``.env`` in development)."""

from __future__ import annotations

from typing import ClassVar

from pydantic import Field, field_validator

from hub_shared.settings import CommaList, ServiceSettings, split_comma_list


class VarianceSettings(ServiceSettings):
    service_name: ClassVar[str] = "variance"
    default_port: ClassVar[int] = 5403

    variance_port: int = Field(default=5403, ge=1, le=65535)
    # Locations where spares are expected to keep ThreatLocker (a shop's own spare shelf); compared
    # trimmed and case-insensitively with the Ninja location name.
    hub_spare_exempt_locations: CommaList = Field(default_factory=list)
    # The MSP's own organisations: left out of the per-organisation usage-change breakdown.
    hub_internal_organizations: CommaList = Field(default_factory=list)
    # Device-level variance data (per-date exception rows) is pruned after this many days; the per-date
    # counts are kept forever.
    variance_retention_days: int = Field(default=65, ge=1, le=3650)
    variance_retention_interval_seconds: float = Field(default=6 * 3600, gt=0)
    # The report date is the latest date within this many days on which both vendors have a snapshot.
    variance_report_window_days: int = Field(default=7, ge=1, le=365)
    # Rendered report bodies kept in memory (keyed by date, variant and revision).
    variance_report_cache_entries: int = Field(default=16, ge=0, le=1000)
    # PostgreSQL work_mem for the checks' transaction: their hash joins over every device stay in memory.
    variance_work_mem: str = Field(default="256MB", pattern=r"^[0-9]+(kB|MB|GB)$")
    # Rows fetched per round trip when streaming exports.
    variance_export_batch_rows: int = Field(default=2000, ge=100, le=100_000)

    _split_lists = field_validator("hub_spare_exempt_locations", "hub_internal_organizations", mode="before")(
        split_comma_list
    )

    @property
    def port(self) -> int:
        return self.variance_port

    @property
    def exempt_locations(self) -> list[str]:
        """Exempt spare locations as the checks compare them (trimmed, lower case)."""
        return sorted({name.strip().lower() for name in self.hub_spare_exempt_locations if name.strip()})

    @property
    def internal_organizations(self) -> list[str]:
        return sorted({name.strip() for name in self.hub_internal_organizations if name.strip()})
