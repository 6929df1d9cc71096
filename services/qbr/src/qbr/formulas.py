"""The 18 SmartNumbers of a quarter (pure, no I/O), as ``domain-rules.md`` defines them.

Inputs are the quarter's aggregates: sums of the summed metrics and means (over the months that have a
value) of the averaged ones, exact. A SmartNumber is null when any input it needs is missing or its
denominator is zero; zero is a value, not "missing" (the replaced system turned summed zeros into
nulls). Results are rounded once, half away from zero as done by hand: ratios and percentages to 4
places, money and per-person/per-appointment values to 2 — the precision the replaced calculator used
for each (tickets per endpoint, RHEM and resolution time are small fractional rates and keep 4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from qbr.numbers import round_half_up

# Working hours per technician per month (40 hours a week × 4.175 weeks).
MONTHLY_WORKING_HOURS = Decimal(167)
MONTHS_PER_QUARTER = Decimal(3)
QUARTERS_PER_YEAR = Decimal(4)

Inputs = Mapping[str, Decimal]
Formula = Callable[[Inputs], Decimal | None]


@dataclass(frozen=True)
class SmartNumber:
    name: str
    category: str
    places: int
    description: str
    formula: Formula


def _get(inputs: Inputs, *names: str) -> list[Decimal] | None:
    """The named inputs, or None when any of them is missing."""
    values = [inputs.get(name) for name in names]
    if any(value is None for value in values):
        return None
    return [value for value in values if value is not None]


def _ratio(numerator: Decimal | None, denominator: Decimal | None) -> Decimal | None:
    if numerator is None or denominator is None or denominator == 0:
        return None
    return numerator / denominator


def _services(inputs: Inputs) -> Decimal | None:
    """Service revenue: NRR + MRR (both needed; a missing one is unknown, not zero)."""
    values = _get(inputs, "nrr", "mrr")
    return None if values is None else values[0] + values[1]


def _tickets_per_tech(i: Inputs) -> Decimal | None:
    per_tech = _ratio(i.get("reactive_tickets_closed"), i.get("technical_employees"))
    return None if per_tech is None else per_tech / MONTHS_PER_QUARTER


def _total_close_pct(i: Inputs) -> Decimal | None:
    return _ratio(i.get("reactive_tickets_closed"), i.get("reactive_tickets_created"))


def _tickets_per_endpoint(i: Inputs) -> Decimal | None:
    created = i.get("reactive_tickets_created")
    return _ratio(None if created is None else created / MONTHS_PER_QUARTER, i.get("endpoints_managed"))


def _rhem(i: Inputs) -> Decimal | None:
    per_endpoint = _ratio(i.get("reactive_time_spent"), i.get("endpoints_managed"))
    return None if per_endpoint is None else per_endpoint / MONTHS_PER_QUARTER


def _avg_resolution_time(i: Inputs) -> Decimal | None:
    return _ratio(i.get("reactive_time_spent"), i.get("reactive_tickets_closed"))


def _reactive_service_pct(i: Inputs) -> Decimal | None:
    hours, techs = i.get("reactive_time_spent"), i.get("technical_employees")
    if hours is None or techs is None:
        return None
    return _ratio(hours / MONTHS_PER_QUARTER, techs * MONTHLY_WORKING_HOURS)


def _net_profit_pct(i: Inputs) -> Decimal | None:
    return _ratio(i.get("net_profit"), i.get("total_revenue"))


def _revenue_from_services_pct(i: Inputs) -> Decimal | None:
    return _ratio(_services(i), i.get("total_revenue"))


def _services_from_mrr_pct(i: Inputs) -> Decimal | None:
    return _ratio(i.get("mrr"), _services(i))


def _annual_per(head_count: str) -> Formula:
    def formula(i: Inputs) -> Decimal | None:
        per_head = _ratio(_services(i), i.get(head_count))
        return None if per_head is None else per_head * QUARTERS_PER_YEAR

    return formula


def _monthly_mrr_per(count: str) -> Formula:
    def formula(i: Inputs) -> Decimal | None:
        per_unit = _ratio(i.get("mrr"), i.get(count))
        return None if per_unit is None else per_unit / MONTHS_PER_QUARTER

    return formula


def _net_mrr_gain(i: Inputs) -> Decimal | None:
    values = _get(i, "new_mrr", "lost_mrr")
    return None if values is None else values[0] - values[1]


SMARTNUMBERS: tuple[SmartNumber, ...] = (
    SmartNumber("tickets_per_tech_per_month", "Operations", 2,
                "Reactive tickets closed per technical employee per month", _tickets_per_tech),
    SmartNumber("total_close_pct", "Operations", 4, "Reactive tickets closed / created", _total_close_pct),
    SmartNumber("tickets_per_endpoint_per_month", "Operations", 4, "New reactive tickets per endpoint per month",
                _tickets_per_endpoint),
    SmartNumber("rhem", "Operations", 4, "Reactive hours per endpoint per month", _rhem),
    SmartNumber("avg_resolution_time", "Operations", 4, "Reactive hours per closed ticket", _avg_resolution_time),
    SmartNumber("reactive_service_pct", "Operations", 4,
                "Share of technical employees' hours (167 a month) spent on reactive work", _reactive_service_pct),
    SmartNumber("net_profit_pct", "Profit", 4, "Net profit / total revenue", _net_profit_pct),
    SmartNumber("revenue_from_services_pct", "Revenue", 4, "(NRR + MRR) / total revenue", _revenue_from_services_pct),
    SmartNumber("services_from_mrr_pct", "Revenue", 4, "MRR / (NRR + MRR)", _services_from_mrr_pct),
    SmartNumber("annual_service_rev_per_employee", "Leverage", 2,
                "Annualised service revenue (NRR + MRR) per employee", _annual_per("employees")),
    SmartNumber("annual_service_rev_per_tech", "Leverage", 2,
                "Annualised service revenue (NRR + MRR) per technical employee", _annual_per("technical_employees")),
    SmartNumber("avg_aisp", "Leverage", 2, "MRR per seat per month", _monthly_mrr_per("seats_managed")),
    SmartNumber("avg_mrr_per_agreement", "Leverage", 2, "MRR per agreement per month",
                _monthly_mrr_per("agreements")),
    SmartNumber("new_mrr_added", "Sales", 2, "New MRR added in the quarter", lambda i: i.get("new_mrr")),
    SmartNumber("lost_mrr", "Sales", 2, "MRR lost to churn in the quarter", lambda i: i.get("lost_mrr")),
    SmartNumber("net_mrr_gain", "Sales", 2, "New MRR − lost MRR", _net_mrr_gain),
    SmartNumber("dials_per_appointment", "Sales", 2, "Telemarketing dials per first-time appointment",
                lambda i: _ratio(i.get("telemarketing_dials"), i.get("first_time_appointments"))),
    SmartNumber("sales_call_close_pct", "Sales", 4, "New agreements per first-time appointment",
                lambda i: _ratio(i.get("new_agreements"), i.get("first_time_appointments"))),
)  # fmt: skip

SMARTNUMBER_NAMES: tuple[str, ...] = tuple(number.name for number in SMARTNUMBERS)
BY_NAME: dict[str, SmartNumber] = {number.name: number for number in SMARTNUMBERS}


def round_places(value: Decimal, places: int) -> Decimal:
    return round_half_up(value, places)


def compute(inputs: Inputs) -> dict[str, Decimal | None]:
    """All 18 SmartNumbers, rounded, in the spec's order (null where not computable)."""
    result: dict[str, Decimal | None] = {}
    for number in SMARTNUMBERS:
        value = number.formula(inputs)
        result[number.name] = None if value is None else round_places(value, number.places)
    return result
