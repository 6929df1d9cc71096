"""Bodies and answers of the channel routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from notifier.web import StorableText

ChannelKind = Literal["email", "webhook", "teams", "slack"]
EMAIL = r"^[^@\s]{1,64}@[^@\s]{1,255}$"
SECRET_VARIABLE = r"^NOTIFIER_SECRET_[A-Z0-9_]{1,100}$"
Address = Annotated[str, Field(pattern=EMAIL, max_length=320), StorableText]


class ChannelIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=200), StorableText]
    kind: ChannelKind
    url: Annotated[str, Field(min_length=1, max_length=2000), StorableText] | None = Field(
        default=None, description="webhook, teams, slack: the target URL (stored as given)"
    )
    url_env: Annotated[str, Field(pattern=SECRET_VARIABLE)] | None = Field(
        default=None, description="instead of url: the environment variable holding a secret URL (Teams, Slack)"
    )
    secret_env: Annotated[str, Field(pattern=SECRET_VARIABLE)] | None = Field(
        default=None,
        description="webhook: the environment variable holding the whsec_ signing secret (two during a rotation)",
    )
    recipients: Annotated[list[Address], Field(max_length=100)] = Field(
        default_factory=list, description="email: the addresses"
    )
    enabled: bool = True


class Channel(BaseModel):
    id: int
    name: str
    kind: ChannelKind
    url: str | None = Field(description="webhook: the URL; teams/slack: only scheme and host (the rest is a secret)")
    url_env: str | None
    secret_env: str | None
    recipients: list[str]
    enabled: bool
    disabled_reason: str | None
    signed: bool
    signing_secrets: int
    secret_problem: str | None
    url_set: bool
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class ChannelList(BaseModel):
    channels: list[Channel]
    total: int


class TestResult(BaseModel):
    status: Literal["delivered", "failed"]
    status_code: int | None
    error: str | None
    delivery_id: int
    message: str


class Deleted(BaseModel):
    status: Literal["deleted"] = "deleted"
    id: int


class SmtpStatus(BaseModel):
    smtp_enabled: bool
    smtp_host: str | None
    smtp_port: int
    smtp_use_tls: bool
    smtp_tls_mode: Literal["starttls", "tls", "none"]
    smtp_has_auth: bool
    smtp_from: str
