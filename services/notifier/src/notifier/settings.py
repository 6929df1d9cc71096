"""Settings of the notifier service (environment variables; ``.env`` in development).

Secrets are never stored in the database: the SMTP password is ``NOTIFIER_SMTP_PASSWORD``, and a channel
names the environment variables holding its webhook signing secret or its secret URL (``secret_env``,
``url_env``), which must start with ``NOTIFIER_SECRET_`` so a channel cannot point at any other variable.
"""

from __future__ import annotations

import os
from typing import ClassVar, Literal

from pydantic import AnyHttpUrl, Field, field_validator

from hub_shared.settings import CommaList, ServiceSettings, split_comma_list

SECRET_ENV_PREFIX = "NOTIFIER_SECRET_"
UPSTREAM_DEFAULTS = {
    "variance": "http://127.0.0.1:5403",
    "assessment": "http://127.0.0.1:5404",
    "qbr": "http://127.0.0.1:5405",
    "tenantsweep": "http://127.0.0.1:5406",
}


class NotifierSettings(ServiceSettings):
    service_name: ClassVar[str] = "notifier"
    default_port: ClassVar[int] = 5408

    notifier_port: int = Field(default=5408, ge=1, le=65535)

    # SMTP (e-mail channels and scheduled reports). Unset host: e-mail is off (smtp-status says so).
    notifier_smtp_host: str | None = None
    notifier_smtp_port: int = Field(default=587, ge=1, le=65535)
    notifier_smtp_user: str | None = None
    notifier_smtp_password: str | None = None
    notifier_smtp_from: str = "inventory-hub@localhost"
    # starttls: plain connection upgraded with STARTTLS (587); tls: TLS from the first byte (465); none.
    notifier_smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    notifier_smtp_timeout_seconds: float = Field(default=30, gt=0, le=600)

    # Webhooks, Teams, Slack.
    notifier_http_timeout_seconds: float = Field(default=10, gt=0, le=300)
    notifier_allowed_schemes: CommaList = Field(default_factory=lambda: ["https"])
    # SSRF guard: targets resolving to loopback, link-local, private or reserved addresses are refused
    # unless this is true (tests and an on-premises receiver need it).
    notifier_allow_private_targets: bool = False

    # Delivery retries: exponential back-off from the base, capped, Retry-After honoured up to the cap.
    notifier_max_attempts: int = Field(default=8, ge=1, le=50)
    notifier_retry_base_seconds: float = Field(default=30, gt=0, le=3600)
    notifier_retry_max_seconds: float = Field(default=3600, gt=0, le=86400)
    notifier_delivery_concurrency: int = Field(default=4, ge=1, le=64)
    notifier_poll_seconds: float = Field(default=2, gt=0, le=60)

    # Conditions.
    notifier_stale_hours: float = Field(default=36, gt=0, le=24 * 30)
    # How often the scheduler looks at digests, quiet-hour catch-ups, staleness and report schedules.
    notifier_tick_seconds: float = Field(default=30, gt=0, le=3600)

    # Where reports and evaluations read the owning services (their own URLs, signed identity).
    variance_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["variance"])
    assessment_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["assessment"])
    qbr_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["qbr"])
    tenantsweep_url: AnyHttpUrl = AnyHttpUrl(UPSTREAM_DEFAULTS["tenantsweep"])
    notifier_upstream_timeout_seconds: float = Field(default=300, gt=0, le=3600)
    # Links in messages point here (the console).
    public_base_url: str = "http://localhost:5400"

    @field_validator("notifier_allowed_schemes", mode="before")
    @classmethod
    def _schemes(cls, value: object) -> object:
        value = split_comma_list(value)
        if isinstance(value, list):
            value = [str(item).lower() for item in value]
        return value

    @property
    def port(self) -> int:
        return self.notifier_port

    def upstream_url(self, service: str) -> str:
        return str(getattr(self, f"{service}_url")).rstrip("/")

    @property
    def smtp_enabled(self) -> bool:
        return bool(self.notifier_smtp_host)


def secret_from_env(name: str | None) -> str | None:
    """The value of a channel's secret variable (only ``NOTIFIER_SECRET_*`` names are read)."""
    if not name or not name.startswith(SECRET_ENV_PREFIX):
        return None
    value = os.environ.get(name)
    return value or None
