"""Request bodies of the organisation alias routes."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, field_validator

from variance.web import UNSTORABLE_MESSAGE, storable_text


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
