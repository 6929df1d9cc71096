"""SmartNumbers of a quarter (no SQL, no HTTP): the quarter's aggregates (metrics) through the formulas,
and each value's threshold status (thresholds)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from qbr.formulas import compute
from qbr.metrics import service as metrics
from qbr.periods import Month, Quarter
from qbr.thresholds import service as thresholds


@dataclass(frozen=True)
class QuarterNumbers:
    values: dict[str, Decimal | None]
    months_with_data: list[Month]
    statuses: dict[str, str | None]
    thresholds: dict[str, dict[str, Any]]


async def of_quarter(session: AsyncSession, organization_id: int, quarter: Quarter) -> QuarterNumbers | None:
    """The quarter's 18 SmartNumbers with their statuses; None when no month of it has any value."""
    aggregates, present = await metrics.quarter_aggregates(session, organization_id, quarter)
    if not present:
        return None
    values = compute({name: item.value for name, item in aggregates.items()})
    statuses, detail = thresholds.statuses(values, await thresholds.of_organization(session, organization_id))
    return QuarterNumbers(values, present, statuses, detail)
