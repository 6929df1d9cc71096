"""The answers of ``GET /api/qbr/metrics/devices-by-client`` as pydantic models."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field


class ClientCount(BaseModel):
    client_name: str
    seats: int
    endpoints: int


class PeriodData(BaseModel):
    """One month's seats and endpoints per client; ``snapshot_date`` only for a ``live`` month."""

    period: str
    data_source: Literal["live", "historical"]
    snapshot_date: str | None = Field(default=None, json_schema_extra={"format": "date"}, description="live only")
    clients: list[ClientCount]
    total_seats: int
    total_endpoints: int


class MonthDevices(PeriodData):
    """Single-month mode (``period``)."""

    organization_id: int


class RangeDevices(BaseModel):
    """Range mode (``start_period`` and ``end_period``): the months that have data."""

    start_period: str
    end_period: str
    organization_id: int
    periods: list[PeriodData]
    periods_returned: int
    periods_requested: int
