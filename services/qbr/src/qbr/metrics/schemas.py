"""The manual-entry body (``POST /api/qbr/metrics/manual``), checked field by field into the spec's codes.

The body is read by hand rather than by FastAPI's validation so that a missing field answers
``MISSING_DATA``, a bad period ``INVALID_PERIOD`` and a wrong type ``INVALID_DATA`` (all 400), as the
spec's error table says. :class:`ManualEntryDoc` documents the shape in OpenAPI.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, Field

from hub_shared.errors import ApiError
from qbr.catalog import BY_NAME, METRIC_NAMES
from qbr.metrics.service import MetricInput, default_vendor
from qbr.periods import Month
from qbr.web import DEFAULT_ORGANIZATION_ID, body_decimal, body_id, body_text, parse_month

MISSING_MESSAGE = "Request body must include 'period' and 'metrics'"
MAX_METRICS = len(METRIC_NAMES)
MAX_NOTES = 2000


class ManualMetricDoc(BaseModel):
    metric_name: str = Field(description="A catalogue metric name, e.g. employees")
    metric_value: float
    vendor_id: int | None = Field(default=None, description="Omitted: the metric's own vendor (null company-wide)")
    notes: str | None = None


class ManualEntryDoc(BaseModel):
    period: str = Field(description="YYYY-MM", examples=["2025-11"])
    organization_id: int = DEFAULT_ORGANIZATION_ID
    metrics: list[ManualMetricDoc]
    force_update: bool = Field(default=False, description="Overwrite collected metrics")


@dataclass(frozen=True)
class ManualEntry:
    month: Month
    organization_id: int
    metrics: list[MetricInput]
    force_update: bool


def unknown_metric(name: str) -> ApiError:
    return ApiError(400, f"Unknown metric '{name}'. Known metrics: {', '.join(METRIC_NAMES)}", code="INVALID_METRIC")


def metric_name_of(value: Any, where: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ApiError(400, f"{where} is required", code="MISSING_DATA")
    if not isinstance(value, str):
        raise ApiError(400, f"{where} must be a string", code="INVALID_DATA")
    return value.strip()


def parse_manual_entry(body: dict[str, Any]) -> ManualEntry:
    period, items = body.get("period"), body.get("metrics")
    if period is None or (isinstance(period, str) and not period.strip()) or items is None:
        raise ApiError(400, MISSING_MESSAGE, code="MISSING_DATA")
    if not isinstance(period, str):
        raise ApiError(400, "period must be a string in YYYY-MM format", code="INVALID_PERIOD")
    month = parse_month(period)
    if not isinstance(items, list):
        raise ApiError(400, "metrics must be an array", code="INVALID_DATA")
    if not items:
        raise ApiError(400, "metrics must contain at least one metric", code="MISSING_DATA")
    if len(items) > MAX_METRICS:
        raise ApiError(400, f"metrics may contain at most {MAX_METRICS} entries", code="INVALID_DATA")
    force = body.get("force_update", False)
    if force is None:
        force = False
    if not isinstance(force, bool):
        raise ApiError(400, "force_update must be true or false", code="INVALID_DATA")
    organization_id = body_id(body.get("organization_id"), "organization_id", default=DEFAULT_ORGANIZATION_ID)
    assert organization_id is not None

    metrics: list[MetricInput] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"metrics[{index}]"
        if not isinstance(item, dict):
            raise ApiError(400, f"{where} must be an object", code="INVALID_DATA")
        name = metric_name_of(item.get("metric_name"), f"{where}.metric_name")
        value = body_decimal(item.get("metric_value"), f"{where}.metric_value", required=True)
        assert value is not None
        if name not in BY_NAME:
            raise unknown_metric(name)
        if name in seen:
            raise ApiError(400, f"{where}: metric '{name}' appears more than once", code="INVALID_DATA")
        seen.add(name)
        if value < 0 and not BY_NAME[name].may_be_negative:
            raise ApiError(400, f"{where}.metric_value must not be negative for {name}", code="INVALID_DATA")
        vendor_id = (
            body_id(item["vendor_id"], f"{where}.vendor_id", default=None)
            if "vendor_id" in item
            else default_vendor(name)
        )
        notes = body_text(item.get("notes"), f"{where}.notes", max_length=MAX_NOTES)
        metrics.append(MetricInput(name, value, vendor_id, notes))
    return ManualEntry(month, organization_id, metrics, force)
