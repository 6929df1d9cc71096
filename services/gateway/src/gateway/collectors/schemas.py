"""Request bodies of the collector routes (both body forms of the spec)."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

CollectorName = Literal["ninja", "threatlocker", "connectwise"]


class RunCollectorsBody(BaseModel):
    """``{"collectors": [...], "run_cross_vendor": true}`` or ``{"collector": "ninja"|"threatlocker"|"both"}``."""

    model_config = ConfigDict(extra="ignore")

    collectors: list[CollectorName] | None = Field(default=None, min_length=1)
    collector: Literal["ninja", "threatlocker", "both"] | None = None
    run_cross_vendor: bool = True
    snapshot_date: date | None = None
    priority: Literal["low", "normal", "high"] = "normal"

    @model_validator(mode="after")
    def _one_form(self) -> RunCollectorsBody:
        if self.collectors is not None and self.collector is not None:
            raise ValueError("send either 'collectors' or 'collector', not both")
        return self

    def vendors(self) -> tuple[CollectorName, ...]:
        if self.collector is not None:
            return ("ninja", "threatlocker") if self.collector == "both" else (self.collector,)
        chosen = self.collectors or ["ninja", "threatlocker"]
        return tuple(dict.fromkeys(chosen))  # keep order, drop repeats
