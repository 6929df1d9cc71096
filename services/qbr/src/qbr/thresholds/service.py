"""SmartNumber thresholds: parsing the update body, storing it with an audit trail, and the views
(no SQL, no HTTP).

An update replaces a metric's whole threshold (a bound left out becomes null, as in the replaced
system); thresholds exist only for the 18 SmartNumbers. Every change is audited with the old and new
bounds and the gateway-vouched caller.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy.engine import RowMapping
from sqlalchemy.ext.asyncio import AsyncSession

from hub_shared.errors import ApiError
from qbr.audit import repository as audit
from qbr.audit.repository import Actor, AuditEntry
from qbr.smartnumbers.formulas import BY_NAME, SMARTNUMBER_NAMES
from qbr.thresholds import repository as repo
from qbr.thresholds.bands import Bands, band_problem, status
from qbr.web import DEFAULT_ORGANIZATION_ID, body_decimal, body_id, body_text, number

MISSING_MESSAGE = "Request body must include 'thresholds' array"
BOUNDS = repo.BOUNDS


class ThresholdDoc(BaseModel):
    metric_name: str = Field(description="One of the 18 SmartNumbers")
    green_min: float | None = None
    green_max: float | None = None
    yellow_min: float | None = None
    yellow_max: float | None = None
    red_threshold: float | None = None
    notes: str | None = None


class ThresholdsDoc(BaseModel):
    organization_id: int = DEFAULT_ORGANIZATION_ID
    thresholds: list[ThresholdDoc]


@dataclass(frozen=True)
class ThresholdInput:
    metric_name: str
    bounds: dict[str, Decimal | None]
    notes: str | None


@dataclass(frozen=True)
class ThresholdUpdate:
    organization_id: int
    thresholds: list[ThresholdInput]


def parse_update(body: dict[str, Any]) -> ThresholdUpdate:
    items = body.get("thresholds")
    if items is None:
        raise ApiError(400, MISSING_MESSAGE, code="MISSING_DATA")
    if not isinstance(items, list):
        raise ApiError(400, "thresholds must be an array", code="INVALID_DATA")
    if not items:
        raise ApiError(400, "thresholds must contain at least one threshold", code="MISSING_DATA")
    if len(items) > len(SMARTNUMBER_NAMES):
        raise ApiError(400, f"thresholds may contain at most {len(SMARTNUMBER_NAMES)} entries", code="INVALID_DATA")
    organization_id = body_id(body.get("organization_id"), "organization_id", default=DEFAULT_ORGANIZATION_ID)
    assert organization_id is not None
    parsed: list[ThresholdInput] = []
    seen: set[str] = set()
    for index, item in enumerate(items):
        where = f"thresholds[{index}]"
        if not isinstance(item, dict):
            raise ApiError(400, f"{where} must be an object", code="INVALID_DATA")
        name = item.get("metric_name")
        if name is None or (isinstance(name, str) and not name.strip()):
            raise ApiError(400, f"{where}.metric_name is required", code="MISSING_DATA")
        if not isinstance(name, str):
            raise ApiError(400, f"{where}.metric_name must be a string", code="INVALID_DATA")
        name = name.strip()
        if name not in BY_NAME:
            raise ApiError(
                400,
                f"Unknown SmartNumber '{name}'. Thresholds apply to: {', '.join(SMARTNUMBER_NAMES)}",
                code="INVALID_METRIC",
            )
        if name in seen:
            raise ApiError(400, f"{where}: '{name}' appears more than once", code="INVALID_DATA")
        seen.add(name)
        bounds = {bound: body_decimal(item.get(bound), f"{where}.{bound}", required=False) for bound in BOUNDS}
        problem = band_problem(Bands(**bounds))
        if problem is not None:
            raise ApiError(400, f"{where}: {problem}", code="INVALID_DATA")
        parsed.append(ThresholdInput(name, bounds, body_text(item.get("notes"), f"{where}.notes", max_length=2000)))
    return ThresholdUpdate(organization_id, parsed)


def bounds_of(row: RowMapping) -> Bands:
    return Bands(**{bound: row[bound] for bound in BOUNDS})


def state(row: RowMapping | None) -> dict[str, Any] | None:
    if row is None:
        return None
    return {**{bound: number(row[bound]) for bound in BOUNDS}, "notes": row["notes"]}


async def apply_update(session: AsyncSession, update: ThresholdUpdate, actor: Actor) -> int:
    names = [item.metric_name for item in update.thresholds]
    await repo.lock_organization(session, update.organization_id)
    existing = await repo.current(session, update.organization_id, names)
    entries = []
    for item in update.thresholds:
        await repo.upsert(
            session,
            organization_id=update.organization_id,
            metric_name=item.metric_name,
            bounds=item.bounds,
            notes=item.notes,
            updated_by=actor.name,
        )
        new = {**{bound: number(item.bounds[bound]) for bound in BOUNDS}, "notes": item.notes}
        old = state(existing.get(item.metric_name))
        if old != new:
            entries.append(
                AuditEntry(
                    action="threshold.set",
                    organization_id=update.organization_id,
                    subject=item.metric_name,
                    old_value=old,
                    new_value=new,
                )
            )
    await audit.record(session, actor, entries)
    return len(update.thresholds)


def threshold_view(row: RowMapping) -> dict[str, Any]:
    return {
        "metric_name": row["metric_name"],
        **{bound: number(row[bound]) for bound in BOUNDS},
        "notes": row["notes"],
    }


def statuses(
    values: Mapping[str, Decimal | None], rows: Iterable[RowMapping]
) -> tuple[dict[str, str | None], dict[str, dict[str, Any]]]:
    """Each SmartNumber's status (null without a value or a threshold), and the thresholds object of
    the inventory spec's SmartNumbers example: the bounds of each metric that has one, with its status."""
    by_name = {row["metric_name"]: row for row in rows}
    result: dict[str, str | None] = {}
    detail: dict[str, dict[str, Any]] = {}
    for name in SMARTNUMBER_NAMES:
        row = by_name.get(name)
        result[name] = status(values.get(name), bounds_of(row) if row is not None else None)
        if row is not None:
            detail[name] = {**{bound: number(row[bound]) for bound in BOUNDS}, "status": result[name]}
    return result, detail
