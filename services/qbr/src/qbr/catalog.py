"""The QBR metric catalogue (pure, no I/O): every monthly metric name the service accepts.

Each metric says how a quarter aggregates it (``domain-rules.md``: tickets, hours, revenue, expenses and
sales figures are summed; endpoints, seats, employees, technical employees and agreements are averaged
over the months that have a value), which vendor it belongs to by default (``spec/qbr-api.md``: 2 =
NinjaOne, 3 = ConnectWise, null = company-wide), and whether it may be negative (money may: refunds,
losses; counts and hours may not). A name outside this list is refused rather than stored where no
quarter or SmartNumber would ever read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NINJA_VENDOR_ID = 2
CONNECTWISE_VENDOR_ID = 3

Aggregation = Literal["sum", "average"]


@dataclass(frozen=True)
class MetricDefinition:
    name: str
    description: str
    category: str
    aggregation: Aggregation
    vendor_id: int | None = None
    may_be_negative: bool = False


def _sum(
    name: str, description: str, category: str, *, vendor_id: int | None = None, money: bool = False
) -> MetricDefinition:
    return MetricDefinition(name, description, category, "sum", vendor_id, may_be_negative=money)


def _average(name: str, description: str, category: str, *, vendor_id: int | None = None) -> MetricDefinition:
    return MetricDefinition(name, description, category, "average", vendor_id)


METRICS: tuple[MetricDefinition, ...] = (
    _sum("reactive_tickets_created", "Reactive tickets created (Help Desk, parent tickets only)", "Support Tickets",
         vendor_id=CONNECTWISE_VENDOR_ID),
    _sum("reactive_tickets_closed", "Reactive tickets closed", "Support Tickets", vendor_id=CONNECTWISE_VENDOR_ID),
    _sum("reactive_time_spent", "Hours spent on reactive tickets", "Support Tickets",
         vendor_id=CONNECTWISE_VENDOR_ID),
    _average("endpoints_managed", "Billable devices, servers included (internal organisations excluded)",
             "Devices", vendor_id=NINJA_VENDOR_ID),
    _average("seats_managed", "Billable workstations (internal organisations excluded)", "Devices",
             vendor_id=NINJA_VENDOR_ID),
    _average("employees", "Total employees", "General"),
    _average("technical_employees", "Technical employees", "General"),
    _average("agreements", "Managed services agreements", "General"),
    _sum("nrr", "Non-recurring revenue", "Revenue", money=True),
    _sum("mrr", "Monthly recurring revenue", "Revenue", money=True),
    _sum("orr", "Other recurring revenue", "Revenue", money=True),
    _sum("product_sales", "Product sales revenue", "Revenue", money=True),
    _sum("misc_revenue", "Miscellaneous revenue", "Revenue", money=True),
    _sum("total_revenue", "Total revenue", "Revenue", money=True),
    _sum("employee_expense", "Employee expenses", "Expenses", money=True),
    _sum("owner_comp_taxes", "Owner compensation taxes", "Expenses", money=True),
    _sum("owner_comp", "Owner compensation", "Expenses", money=True),
    _sum("product_cogs", "Product cost of goods sold", "Expenses", money=True),
    _sum("other_expenses", "All other expenses", "Expenses", money=True),
    _sum("total_expenses", "Total expenses", "Expenses", money=True),
    _sum("net_profit", "Net profit", "Profit", money=True),
    _sum("telemarketing_dials", "Telemarketing dials", "Sales"),
    _sum("first_time_appointments", "First-time appointments", "Sales"),
    _sum("prospects_to_pbr", "Prospects presented to PBR", "Sales"),
    _sum("new_agreements", "New agreements signed", "Sales"),
    _sum("new_mrr", "New MRR added", "Sales", money=True),
    _sum("lost_mrr", "MRR lost to churn", "Sales", money=True),
)  # fmt: skip

BY_NAME: dict[str, MetricDefinition] = {metric.name: metric for metric in METRICS}
METRIC_NAMES: tuple[str, ...] = tuple(BY_NAME)
# The monthly totals the service collects itself from each Ninja snapshot.
COLLECTED_DEVICE_METRICS: tuple[str, str] = ("seats_managed", "endpoints_managed")


class UnknownMetric(ValueError):
    """A metric name outside the catalogue."""


def definition(name: str) -> MetricDefinition:
    found = BY_NAME.get(name)
    if found is None:
        raise UnknownMetric(f"Unknown metric '{name}'. Known metrics: {', '.join(METRIC_NAMES)}")
    return found
