"""The answer of ``GET /api/qbr/metric-definitions`` as pydantic models (the replaced system's shape)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from qbr.catalog import Format, Source


class MetricDefinition(BaseModel):
    """One metric; ``formula``/``components`` only for calculated metrics, ``value`` only for a month with
    rows, ``component_values``/``calculation_display`` only for calculated metrics of such a month."""

    key: str
    label: str
    category: str
    format: Format
    description: str
    source: Source
    is_editable: bool
    is_calculated: bool
    formula: str | None = Field(default=None, description="calculated metrics only")
    components: list[str] | None = Field(default=None, description="calculated metrics only")
    value: float | None = Field(default=None, description="with period, when the month has rows")
    component_values: dict[str, float] | None = Field(default=None, description="calculated metrics, with value")
    calculation_display: str | None = Field(default=None, description="calculated metrics, with value")


class MetricDefinitions(BaseModel):
    period: str | None
    organization_id: int
    count: int
    metrics: list[MetricDefinition]
