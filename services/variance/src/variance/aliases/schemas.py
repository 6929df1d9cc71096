"""Request bodies of the organisation alias routes, and their answers."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from hub_shared.storable import storable_text
from hub_shared.web import UNSTORABLE_MESSAGE


class AliasBody(BaseModel):
    """A ThreatLocker organisation name and the Ninja organisation it stands for."""

    model_config = ConfigDict(extra="forbid")

    ninja_name: str = Field(min_length=1, max_length=300)
    threatlocker_name: str = Field(min_length=1, max_length=300)
    notes: str | None = Field(default=None, max_length=2000)

    @field_validator("ninja_name", "threatlocker_name")
    @classmethod
    def _trimmed(cls, value: str) -> str:
        value = value.strip()
        if not value:
            raise ValueError("must not be blank")
        if not storable_text(value):
            raise ValueError(UNSTORABLE_MESSAGE)
        return value

    @field_validator("notes")
    @classmethod
    def _storable_notes(cls, value: str | None) -> str | None:
        if value is not None and not storable_text(value):
            raise ValueError(UNSTORABLE_MESSAGE)
        return value


class Alias(BaseModel):
    id: int
    ninja_name: str
    threatlocker_name: str
    notes: str | None
    created_by: str | None
    created_at: dt.datetime


class Recomputed(BaseModel):
    report_date: dt.date
    exception_counts: dict[str, int]


class AliasList(BaseModel):
    aliases: list[Alias]
    total: int


class AliasCreated(Alias):
    recomputed: Recomputed | None = Field(description="The latest report computed again (null when skipped)")


class AliasDeleted(BaseModel):
    success: Literal[True]
    message: str
    alias: Alias
    recomputed: Recomputed | None
