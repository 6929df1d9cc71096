"""Request bodies of the exception routes (unknown fields are ignored, as the dashboard sends extras)."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StrictInt

from variance.web import StorableJson, StorableText

MAX_BULK_IDS = 10_000
# Every text and JSON value is stored: NUL, lone surrogates, NaN and Infinity are refused (400) here.
Text200 = Annotated[str | None, Field(default=None, max_length=200), StorableText]
Notes = Annotated[str | None, Field(default=None, max_length=5000), StorableText]
UpdateType = Annotated[str, Field(max_length=100), StorableText]
JsonValue = Annotated[Any, StorableJson]


class ResolveBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    resolved_by: Text200 = None
    notes: Notes = None


class ManualFixBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    updated_by: Text200 = None
    update_type: UpdateType = "unknown"
    old_value: JsonValue = Field(default_factory=dict)
    new_value: JsonValue = Field(default_factory=dict)
    notes: Notes = None


class BulkUpdateBody(BaseModel):
    model_config = ConfigDict(extra="ignore")

    exception_ids: Annotated[list[Annotated[StrictInt, Field(ge=1, le=2**63 - 1)]], Field(max_length=MAX_BULK_IDS)] = (
        Field(default_factory=list)
    )
    action: str = "mark_manually_fixed"
    updated_by: Text200 = None
    update_type: UpdateType = "bulk_update"
    notes: Notes = None
