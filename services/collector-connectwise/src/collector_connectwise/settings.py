"""Settings of the ConnectWise Manage collector (environment variables; ``.env`` in development).

The connection (site, company id, public and private key, client id) has no defaults: a collector
without them is *not configured* — it starts (so the rest of the hub is unaffected), answers which
settings are missing at ``/configuration``, and the gateway neither schedules it nor accepts runs for it.
The reactive-ticket definition defaults to the replaced system's rules (``reference/connectwise-api.md``).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import Field, field_validator

from hub_shared.settings import CommaList, ServiceSettings, split_comma_list

DEFAULT_BOARDS = ["Help Desk"]
DEFAULT_CLOSED_STATUSES = [">Closed", ">Closed - No response", "Closed"]
DEFAULT_CODEBASE = "v4_6_release"
# The variables a configured collector needs, in the order they are reported when missing.
REQUIRED = (
    "connectwise_site",
    "connectwise_company_id",
    "connectwise_public_key",
    "connectwise_private_key",
    "connectwise_client_id",
)


class ConnectWiseCollectorSettings(ServiceSettings):
    service_name: ClassVar[str] = "collector_connectwise"
    default_port: ClassVar[int] = 5407

    collector_connectwise_port: int = Field(default=5407, ge=1, le=65535)
    # Connection: https://<site>/<codebase>/apis/3.0/. The site is a host (api-na.myconnectwise.net) or
    # a URL with a scheme (the simulator: http://127.0.0.1:5409).
    connectwise_site: str | None = Field(default=None, max_length=255)
    connectwise_codebase: str | None = Field(default=None, pattern=r"^[A-Za-z0-9_.-]+/?$")
    connectwise_company_id: str | None = Field(default=None, max_length=100)
    connectwise_public_key: str | None = Field(default=None, max_length=200)
    connectwise_private_key: str | None = Field(default=None, max_length=200)
    connectwise_client_id: str | None = Field(default=None, max_length=200)

    # What a reactive ticket is (defaults: the replaced system's rules).
    connectwise_boards: Annotated[CommaList, Field(min_length=1)] = Field(default_factory=lambda: list(DEFAULT_BOARDS))
    connectwise_parent_only: bool = True
    connectwise_closed_statuses: Annotated[CommaList, Field(min_length=1)] = Field(
        default_factory=lambda: list(DEFAULT_CLOSED_STATUSES)
    )
    # Which date of a time entry puts its hours in a month: when the work started (timeStart), or when it
    # was entered (dateEntered, the replaced system's choice: work logged on the 1st counts for the new month).
    connectwise_time_entry_date: Literal["timeStart", "dateEntered"] = "timeStart"

    connectwise_page_size: int = Field(default=1000, ge=1, le=1000)
    # Ticket ids per `id IN (...)` lookup: keeps every URL far below the limits of proxies and IIS.
    connectwise_id_batch_size: int = Field(default=100, ge=1, le=500)
    connectwise_requests_per_minute: float = Field(default=300, gt=0)
    connectwise_timeout_seconds: float = Field(default=60, gt=0, le=600)
    connectwise_retry_attempts: int = Field(default=6, ge=1, le=20)
    connectwise_retry_base_seconds: float = Field(default=1.0, ge=0, le=60)
    connectwise_retry_max_seconds: float = Field(default=60.0, gt=0, le=600)
    # The daily run collects the current month and this many before it.
    connectwise_months_back: int = Field(default=1, ge=0, le=24)
    job_heartbeat_seconds: float = Field(default=15, gt=0)

    _split_boards = field_validator("connectwise_boards", "connectwise_closed_statuses", mode="before")(
        split_comma_list
    )

    @property
    def port(self) -> int:
        return self.collector_connectwise_port

    def missing_settings(self) -> list[str]:
        """The environment variables a configured collector still needs (empty: configured)."""
        return [name.upper() for name in REQUIRED if not (getattr(self, name) or "").strip()]

    @property
    def configured(self) -> bool:
        return not self.missing_settings()

    @property
    def site_url(self) -> str:
        site = (self.connectwise_site or "").strip().rstrip("/")
        return site if "://" in site else f"https://{site}"

    def api_base(self, codebase: str) -> str:
        return f"{self.site_url}/{codebase.strip('/')}/apis/3.0/"

    def definition(self) -> dict[str, object]:
        """The reactive-ticket definition as stored with each month and sent in its event."""
        return {
            "boards": list(self.connectwise_boards),
            "parent_only": self.connectwise_parent_only,
            "closed_statuses": list(self.connectwise_closed_statuses),
            "time_entry_date": self.connectwise_time_entry_date,
        }
