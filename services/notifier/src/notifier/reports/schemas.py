"""Bodies and answers of the scheduled-report routes."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from croniter import croniter
from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from notifier.channels.schemas import Address
from notifier.rules.schemas import ExceptionType, Name

ReportKind = Literal["variance_pdf", "variance_excel", "windows11_readiness", "qbr_smartnumbers", "usage_changes"]


class ReportIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: ReportKind
    variance_type: ExceptionType | None = Field(default=None, description="variance_pdf / variance_excel only")
    cron: Annotated[str, Field(min_length=9, max_length=100, description="five fields, in HUB_TIMEZONE")]
    recipients: Annotated[list[Address], Field(min_length=1, max_length=100)]
    enabled: bool = True

    @field_validator("cron")
    @classmethod
    def _cron(cls, value: str) -> str:
        if len(value.split()) != 5 or not croniter.is_valid(value):
            raise ValueError("not a five-field cron expression, e.g. '0 7 * * 1'")
        return value

    @model_validator(mode="after")
    def _type_filter(self) -> ReportIn:
        if self.variance_type and self.kind not in ("variance_pdf", "variance_excel"):
            raise ValueError("variance_type applies to the variance reports only")
        return self


class ReportRun(BaseModel):
    id: int
    due_at: datetime | None
    trigger: str
    status: Literal["rendered", "failed"]
    filename: str | None
    content_type: str | None
    size_bytes: int | None
    error: str | None
    created_at: datetime


class Report(BaseModel):
    id: int
    name: str
    kind: ReportKind
    variance_type: str | None
    cron: str
    recipients: list[str]
    enabled: bool
    last_fired_at: datetime | None
    next_due_at: datetime | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class ReportDetail(Report):
    runs: list[ReportRun]


class ReportList(BaseModel):
    reports: list[Report]
    total: int


class SendNowResult(BaseModel):
    run_id: int
    status: Literal["rendered", "failed"]
    error: str | None
    delivery_id: int | None
