"""The thresholds routes' body and answers as pydantic models.

An update replaces a metric's whole threshold (a bound left out becomes null, as in the replaced
system); thresholds exist only for the 18 SmartNumbers. The body model checks every item into the spec's
codes: no ``thresholds`` array → ``MISSING_DATA``, an unknown SmartNumber → ``INVALID_METRIC``, a wrong
type or inconsistent bands → ``INVALID_DATA``.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Annotated, Any

from pydantic import BaseModel, Field, WithJsonSchema, model_validator

from hub_shared.bodies import coded
from qbr.api import Id
from qbr.formulas import BY_NAME, SMARTNUMBER_NAMES
from qbr.inputs import ExactNumber, body_decimal, body_items, body_name, body_object, body_text, organization_of
from qbr.thresholds.bands import Bands, band_problem

MISSING_MESSAGE = "Request body must include 'thresholds' array"
BOUNDS = ("green_min", "green_max", "yellow_min", "yellow_max", "red_threshold")
MAX_NOTES = 2000
SmartNumberName = Annotated[str, WithJsonSchema({"type": "string", "enum": list(SMARTNUMBER_NAMES)})]


@dataclass(frozen=True)
class ThresholdInput:
    metric_name: str
    bounds: dict[str, Decimal | None]
    notes: str | None


class ThresholdIn(BaseModel):
    metric_name: SmartNumberName = Field(description="One of the 18 SmartNumbers")
    green_min: ExactNumber | None = None
    green_max: ExactNumber | None = None
    yellow_min: ExactNumber | None = None
    yellow_max: ExactNumber | None = None
    red_threshold: ExactNumber | None = None
    notes: str | None = Field(default=None, max_length=MAX_NOTES)


class ThresholdsBody(BaseModel):
    """The bands of one or more SmartNumbers (each replaces that SmartNumber's whole threshold)."""

    organization_id: Id = 1
    thresholds: list[ThresholdIn] = Field(min_length=1, max_length=len(SMARTNUMBER_NAMES))

    @model_validator(mode="before")
    @classmethod
    def _check(cls, data: Any) -> Any:
        body = body_object(data, MISSING_MESSAGE)
        items = body.get("thresholds")
        if items is None:
            raise coded("MISSING_DATA", MISSING_MESSAGE)
        entries = body_items(body, "thresholds", noun="threshold", maximum=len(SMARTNUMBER_NAMES))
        organization_id = organization_of(body)
        parsed: list[dict[str, Any]] = []
        seen: set[str] = set()
        for where, item in entries:
            name = body_name(item.get("metric_name"), f"{where}.metric_name")
            if name not in BY_NAME:
                raise coded(
                    "INVALID_METRIC",
                    f"Unknown SmartNumber '{name}'. Thresholds apply to: {', '.join(SMARTNUMBER_NAMES)}",
                )
            if name in seen:
                raise coded("INVALID_DATA", f"{where}: '{name}' appears more than once")
            seen.add(name)
            bounds = {bound: body_decimal(item.get(bound), f"{where}.{bound}", required=False) for bound in BOUNDS}
            problem = band_problem(Bands(**bounds))
            if problem is not None:
                raise coded("INVALID_DATA", f"{where}: {problem}")
            notes = body_text(item.get("notes"), f"{where}.notes", max_length=MAX_NOTES)
            parsed.append({"metric_name": name, **bounds, "notes": notes})
        return {"organization_id": organization_id, "thresholds": parsed}

    def inputs(self) -> list[ThresholdInput]:
        return [
            ThresholdInput(item.metric_name, {bound: getattr(item, bound) for bound in BOUNDS}, item.notes)
            for item in self.thresholds
        ]


# ---------------------------------------------------------------------------------------------- answers


class Threshold(BaseModel):
    metric_name: str
    green_min: float | None
    green_max: float | None
    yellow_min: float | None
    yellow_max: float | None
    red_threshold: float | None
    notes: str | None


class Thresholds(BaseModel):
    organization_id: int
    thresholds: list[Threshold]


class ThresholdsUpdated(BaseModel):
    organization_id: int
    updated_count: int
