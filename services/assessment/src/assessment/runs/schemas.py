"""The answer of ``POST /api/windows-11-24h2/run`` (status/flat family)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

from assessment.schemas import Counts, Shape


class RunResults(Counts):
    compatible_devices: int
    compatibility_rate: float | int


class RunAnswer(Shape):
    status: Literal["success"]
    message: str
    output: str
    timestamp: str
    snapshot_date: str
    results: RunResults
    duration_seconds: float


class RunFailed(BaseModel):
    """``POST /run`` failing: the bare error plus the status/flat fields of the spec."""

    model_config = ConfigDict(extra="allow")
    error: str
    status: Literal["error"]
    message: str
    output: str
