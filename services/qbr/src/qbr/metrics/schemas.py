"""The metrics routes' body and answers as pydantic models.

The manual-entry body (``POST /api/qbr/metrics/manual``) is checked field by field into the spec's codes
by its model: a missing field answers ``MISSING_DATA``, a bad period ``INVALID_PERIOD``, an unknown metric
``INVALID_METRIC`` and a wrong type ``INVALID_DATA`` (all 400), as the spec's error table says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, WithJsonSchema, model_validator

from hub_shared.bodies import coded
from qbr.api import MONTH_PATTERN, Id
from qbr.catalog import BY_NAME, METRIC_NAMES
from qbr.inputs import (
    ExactNumber,
    body_decimal,
    body_id,
    body_items,
    body_name,
    body_object,
    body_text,
    organization_of,
)
from qbr.periods import MONTH_FORMAT_MESSAGE, Month

MISSING_MESSAGE = "Request body must include 'period' and 'metrics'"
MAX_METRICS = len(METRIC_NAMES)
MAX_NOTES = 2000
MetricName = Annotated[str, WithJsonSchema({"type": "string", "enum": list(METRIC_NAMES)})]
Timestamp = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


@dataclass(frozen=True)
class MetricInput:
    """A value to store: the metric, its value, its vendor (resolved) and notes."""

    metric_name: str
    metric_value: Decimal
    vendor_id: int | None
    notes: str | None = None


def unknown_metric(name: str) -> Exception:
    return coded("INVALID_METRIC", f"Unknown metric '{name}'. Known metrics: {', '.join(METRIC_NAMES)}")


class ManualMetric(BaseModel):
    metric_name: MetricName = Field(description="A catalogue metric name, e.g. employees")
    metric_value: ExactNumber = Field(description="must not be negative unless the metric may be (net_profit, …)")
    vendor_id: Id | None = Field(default=None, description="Omitted: the metric's own vendor (null company-wide)")
    notes: str | None = Field(default=None, max_length=MAX_NOTES)


class ManualEntryBody(BaseModel):
    """A month's values entered by hand; a collected value is only replaced with ``force_update``."""

    period: str = Field(pattern=MONTH_PATTERN, description="YYYY-MM", examples=["2025-11"])
    organization_id: Id = 1
    metrics: list[ManualMetric] = Field(min_length=1, max_length=MAX_METRICS)
    force_update: bool = Field(default=False, description="Overwrite collected metrics")

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        body = body_object(data, MISSING_MESSAGE)
        period, items = body.get("period"), body.get("metrics")
        if period is None or (isinstance(period, str) and not period.strip()) or items is None:
            raise coded("MISSING_DATA", MISSING_MESSAGE)
        if not isinstance(period, str) or not re.fullmatch(MONTH_PATTERN, period.strip()):
            raise coded("INVALID_PERIOD", MONTH_FORMAT_MESSAGE)
        items = body_items(body, "metrics", noun="metric", maximum=MAX_METRICS)
        force = body.get("force_update", False)
        if not isinstance(force, bool):
            raise coded("INVALID_DATA", "force_update must be true or false")
        organization_id = organization_of(body)
        metrics: list[dict[str, Any]] = []
        seen: set[str] = set()
        for where, item in items:
            name = body_name(item.get("metric_name"), f"{where}.metric_name")
            value = body_decimal(item.get("metric_value"), f"{where}.metric_value", required=True)
            assert value is not None
            if name not in BY_NAME:
                raise unknown_metric(name)
            if name in seen:
                raise coded("INVALID_DATA", f"{where}: metric '{name}' appears more than once")
            seen.add(name)
            if value < 0 and not BY_NAME[name].may_be_negative:
                raise coded("INVALID_DATA", f"{where}.metric_value must not be negative for {name}")
            metric: dict[str, Any] = {"metric_name": name, "metric_value": value}
            if "vendor_id" in item:
                metric["vendor_id"] = body_id(item["vendor_id"], f"{where}.vendor_id", default=None)
            metric["notes"] = body_text(item.get("notes"), f"{where}.notes", max_length=MAX_NOTES)
            metrics.append(metric)
        return {
            "period": period.strip(),
            "organization_id": organization_id,
            "metrics": metrics,
            "force_update": force,
        }

    @property
    def month(self) -> Month:
        return Month.parse(self.period)

    def inputs(self) -> list[MetricInput]:
        """The values to store, each with its vendor (the metric's own when the item names none)."""
        return [
            MetricInput(
                metric.metric_name,
                metric.metric_value,
                metric.vendor_id if "vendor_id" in metric.model_fields_set else BY_NAME[metric.metric_name].vendor_id,
                metric.notes,
            )
            for metric in self.metrics
        ]


# ---------------------------------------------------------------------------------------------- answers

DataSource = Literal["collected", "manual", "quickbooks", "calculated"]


class MonthlyMetric(BaseModel):
    metric_name: str
    metric_value: float
    vendor_id: int | None
    data_source: DataSource
    description: str | None
    notes: str | None
    updated_by: str | None
    updated_at: Timestamp


class MonthlyMetrics(BaseModel):
    period: str = Field(examples=["2025-11"])
    organization_id: int
    data_source_filter: str | None
    metrics: list[MonthlyMetric]


class QuarterlyMetric(BaseModel):
    metric_name: str
    metric_value: float
    description: str | None
    aggregation: Literal["sum", "average"]
    months_with_data: int = Field(description="how many of the quarter's months had a value")


class QuarterlyMetrics(BaseModel):
    period: str = Field(examples=["2025-Q4"])
    organization_id: int
    monthly_periods: list[str]
    months_with_data: list[str]
    metrics: dict[str, float] = Field(description="the spec's {metric_name: value} map")
    metric_details: list[QuarterlyMetric] = Field(description="the replaced system's per-metric list")


class ManualResult(BaseModel):
    period: str
    organization_id: int
    updated_count: int
