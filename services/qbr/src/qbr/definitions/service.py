"""The metric definitions and a month's values for them (no SQL, no HTTP).

Filters: ``category`` (one of the catalogue's categories, any case) and ``include_intermediate`` (the
QuickBooks inputs are left out unless asked for); both apply together, so ``category=Intermediate``
lists them only with ``include_intermediate=true``.

Values (``reference/response-shapes.md``, metric-definitions): a metric's value is its stored figure for
the month, and a metric with no stored figure counts as 0. A calculated metric with no stored figure of
its own is calculated from its components' values (a missing component counts as 0; a component that is
itself calculated uses its own value). ``component_values`` are those values, and
``calculation_display`` writes the formula out with them, e.g. ``$88,098.48 - $40,000.00 - $9,836.85 =
$38,261.63``; when a stored figure of the metric differs from what its formula gives, the display says
so (``… = -$49,836.85 (stored value: $38,261.63)``) rather than showing a sum that does not add up.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from qbr.catalog import CATEGORIES, DESCRIBED, DESCRIBED_BY_NAME, Calculation, Format, MetricInfo
from qbr.definitions import repository as repo
from qbr.numbers import round_half_up, without_trailing_zeros
from qbr.periods import Month

_CATEGORY_BY_KEY = {category.casefold(): category for category in CATEGORIES}


class UnknownCategory(ValueError):
    """A category outside the catalogue's."""


def parse_category(text: str) -> str:
    """The catalogue's spelling of a category given in any case (surrounding spaces ignored)."""
    found = _CATEGORY_BY_KEY.get(" ".join(text.split()).casefold())
    if found is None:
        raise UnknownCategory(f"category must be one of: {', '.join(CATEGORIES)}")
    return found


def select(category: str | None, include_intermediate: bool) -> list[MetricInfo]:
    """The described metrics these filters keep, in catalogue order (intermediate values last)."""
    return [
        metric
        for metric in DESCRIBED
        if (include_intermediate or not metric.is_intermediate) and (category is None or metric.category == category)
    ]


def calculate(calculation: Calculation, values: Mapping[str, Decimal]) -> Decimal:
    return sum((term.sign * values[term.metric] for term in calculation.terms), Decimal(0))


def resolve(stored: Mapping[str, Decimal]) -> dict[str, Decimal]:
    """Every described metric's value for a month that has the ``stored`` figures (see the module doc)."""
    values: dict[str, Decimal] = {}

    def value_of(name: str) -> Decimal:
        if name not in values:
            metric = DESCRIBED_BY_NAME[name]
            if name in stored:
                values[name] = stored[name]
            elif metric.calculation is not None:
                values[name] = calculate(
                    metric.calculation, {component: value_of(component) for component in metric.calculation.components}
                )
            else:
                values[name] = Decimal(0)
        return values[name]

    for metric in DESCRIBED:
        value_of(metric.name)
    return values


async def month_values(session: AsyncSession, organization_id: int, month: Month) -> dict[str, Decimal] | None:
    """Every described metric's value for the organisation's month (None: the month has no rows)."""
    stored = await repo.month_values(session, organization_id, month.first_day)
    return resolve(stored) if stored else None


def shown(value: Decimal, format: Format) -> str:
    """A value as people read it: ``$1,234.50`` / ``-$12.00`` for money, ``1,234.5`` for numbers."""
    if format == "currency":
        text = f"${round_half_up(value.copy_abs(), 2):,.2f}"
    else:
        text = f"{without_trailing_zeros(value.copy_abs()):,f}"
    return f"-{text}" if value < 0 else text


def calculation_display(metric: MetricInfo, values: Mapping[str, Decimal]) -> str:
    """The metric's formula written out with the month's values, and its result."""
    assert metric.calculation is not None
    parts: list[str] = []
    for index, term in enumerate(metric.calculation.terms):
        value = values[term.metric]
        text = shown(value, DESCRIBED_BY_NAME[term.metric].format)
        if index and value < 0:
            text = f"({text})"
        parts.append(text if index == 0 else f"{'+' if term.sign > 0 else '-'} {text}")
    result = calculate(metric.calculation, values)
    display = f"{' '.join(parts)} = {shown(result, metric.format)}"
    if values[metric.name] != result:
        display += f" (stored value: {shown(values[metric.name], metric.format)})"
    return display


def metric_view(metric: MetricInfo, values: Mapping[str, Decimal] | None) -> dict[str, Any]:
    """One metric as the replaced system showed it; ``values`` (resolved) only for a month with rows."""
    view: dict[str, Any] = {
        "key": metric.name,
        "label": metric.label,
        "category": metric.category,
        "format": metric.format,
        "description": metric.description,
        "source": metric.source,
        "is_editable": metric.is_editable,
        "is_calculated": metric.is_calculated,
    }
    calculation = metric.calculation
    if calculation is not None:
        view["formula"] = calculation.formula
        view["components"] = list(calculation.components)
    if values is not None:
        view["value"] = float(values[metric.name])
        if calculation is not None:
            view["component_values"] = {name: float(values[name]) for name in calculation.components}
            view["calculation_display"] = calculation_display(metric, values)
    return view
