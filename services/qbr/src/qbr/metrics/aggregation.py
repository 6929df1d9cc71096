"""Quarterly aggregation of monthly metrics (pure, no I/O).

Summed metrics add the quarter's monthly values; averaged metrics are the mean over the months that
have a value (a month without one does not count as zero). Values stay exact ``Decimal``s: the
SmartNumbers are computed from these unrounded figures and rounded once, at the end.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from qbr.catalog import METRICS


@dataclass(frozen=True)
class Aggregate:
    metric_name: str
    value: Decimal
    aggregation: str
    months: int  # how many of the quarter's months had a value


def aggregate(monthly: Iterable[Mapping[str, Decimal]]) -> dict[str, Aggregate]:
    """Aggregate each catalogue metric over the given months (one mapping of name → value per month).

    A metric with no value in any month is left out; the result follows the catalogue's order.
    """
    months = list(monthly)
    result: dict[str, Aggregate] = {}
    for metric in METRICS:
        values = [month[metric.name] for month in months if metric.name in month]
        if not values:
            continue
        total = sum(values, Decimal(0))
        value = total if metric.aggregation == "sum" else total / len(values)
        result[metric.name] = Aggregate(metric.name, value, metric.aggregation, len(values))
    return result
