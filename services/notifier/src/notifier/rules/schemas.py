"""Bodies and answers of the rule routes."""

from __future__ import annotations

from datetime import datetime, time
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from notifier.web import StorableText

ConditionName = Literal[
    "new_exceptions",
    "collection_failed",
    "sync_refused",
    "data_stale",
    "windows11_incompatible",
    "tenantsweep_regression",
]
SeverityName = Literal["info", "warning", "critical"]
Name = Annotated[str, Field(min_length=1, max_length=300), StorableText]
ExceptionType = Literal[
    "MISSING_NINJA",
    "DUPLICATE_TL",
    "DUPLICATE_NINJA",
    "SPARE_MISMATCH",
    "DISPLAY_NAME_MISMATCH",
    "SITE_MISMATCH",
    "missing_in_ninja",
    "threatlocker_duplicates",
    "ninja_duplicates",
    "devices_that_should_not_have_threatlocker",
    "display_name_mismatches",
    "site_mismatches",
]


class RuleIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: Name
    condition: ConditionName
    enabled: bool = True
    exception_types: Annotated[list[ExceptionType], Field(max_length=12)] = Field(
        default_factory=list, description="new_exceptions only: these types (codes or report keys); empty = all"
    )
    organizations_include: Annotated[list[Name], Field(max_length=500)] = Field(
        default_factory=list, description="only items of these organisations (any case); empty = all"
    )
    organizations_exclude: Annotated[list[Name], Field(max_length=500)] = Field(default_factory=list)
    severity_min: SeverityName = "info"
    channel_ids: Annotated[list[Annotated[int, Field(ge=1, le=2**63 - 1)]], Field(min_length=1, max_length=50)]
    delivery_mode: Literal["immediate", "digest"] = "immediate"
    digest_frequency: Literal["daily", "weekly"] = "daily"
    digest_hour: Annotated[int, Field(ge=0, le=23, description="local hour (HUB_TIMEZONE); weekly: Mondays")] = 8
    quiet_start: time | None = Field(default=None, description="HH:MM local; with quiet_end")
    quiet_end: time | None = None
    quiet_allow_critical: bool = Field(default=True, description="critical alerts pass through quiet hours")

    @model_validator(mode="after")
    def _quiet_pair(self) -> RuleIn:
        if (self.quiet_start is None) != (self.quiet_end is None):
            raise ValueError("quiet_start and quiet_end go together")
        if self.exception_types and self.condition != "new_exceptions":
            raise ValueError("exception_types applies to the new_exceptions condition only")
        return self


class Rule(BaseModel):
    id: int
    name: str
    condition: ConditionName
    enabled: bool
    exception_types: list[str]
    organizations_include: list[str]
    organizations_exclude: list[str]
    severity_min: SeverityName
    channel_ids: list[int]
    delivery_mode: Literal["immediate", "digest"]
    digest_frequency: Literal["daily", "weekly"]
    digest_hour: int
    last_digest_at: datetime | None
    quiet_start: time | None
    quiet_end: time | None
    quiet_allow_critical: bool
    snoozed_until: datetime | None
    snooze_reason: str | None
    held_for_digest: int
    held_for_quiet_hours: int
    created_by: str | None
    created_at: datetime
    updated_at: datetime


class RuleList(BaseModel):
    rules: list[Rule]
    total: int


class SnoozeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    minutes: Annotated[int, Field(ge=1, le=525_600)] | None = Field(default=None, description="or until")
    until: datetime | None = None
    reason: Annotated[str, Field(min_length=1, max_length=1000), StorableText]

    @model_validator(mode="after")
    def _one(self) -> SnoozeIn:
        if (self.minutes is None) == (self.until is None):
            raise ValueError("give exactly one of minutes or until")
        if self.until is not None and self.until.tzinfo is None:
            raise ValueError("until needs a time zone (e.g. 2026-12-01T18:00:00Z)")
        return self


class ItemSnoozeIn(SnoozeIn):
    item_key: Annotated[str, Field(min_length=1, max_length=500), StorableText] = Field(
        description="the item's key as shown in a message or the active-condition list, e.g. exception:42"
    )


class ItemSnooze(BaseModel):
    id: int
    rule_id: int
    item_key: str
    until: datetime
    reason: str
    created_by: str | None
    created_at: datetime


class ItemSnoozeList(BaseModel):
    snoozes: list[ItemSnooze]


class ConditionInfo(BaseModel):
    name: str
    label: str
    severity: SeverityName
    description: str


class ConditionCatalogue(BaseModel):
    conditions: list[ConditionInfo]
    severities: list[SeverityName]


class ActiveItem(BaseModel):
    condition: str
    item_key: str
    started_at: datetime
    last_seen_at: datetime
    item: dict[str, object]


class ActiveItemList(BaseModel):
    items: list[ActiveItem]
    total: int
    limit: int
    offset: int
