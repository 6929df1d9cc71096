"""The QBR metric catalogue (pure, no I/O): every monthly metric name the service accepts, and how each
metric is described to people (``GET /api/qbr/metric-definitions``).

Each metric says how a quarter aggregates it (``domain-rules.md``: tickets, hours, revenue, expenses and
sales figures are summed; endpoints, seats, employees, technical employees and agreements are averaged
over the months that have a value), which vendor it belongs to by default (``spec/qbr-api.md``: 2 =
NinjaOne, 3 = ConnectWise, null = company-wide), and whether it may be negative (money may: refunds,
losses; counts and hours may not). A name outside this list is refused rather than stored where no
quarter or SmartNumber would ever read it.

For the dashboard each metric also has a label, a category (the replaced system's eight), a format
(``currency`` for money, ``number`` otherwise) and a source: ``ninja`` (collected from the Ninja
snapshots), ``connectwise`` (ConnectWise figures, entered by hand here), ``manual``, ``calculated`` or
``quickbooks``. Three metrics are calculated; their formulas are the replaced system's expense
calculation (``reference/response-shapes.md``: ``POST /api/qbr/expenses/calculate`` and the
metric-definitions example), the only formulas the documents give. Their QuickBooks inputs are the
*intermediate* values (``payroll_total``, ``total_expenses_qb``, ``total_income``,
``uncategorized_expenses``): described, but not monthly metrics — no route or import stores them, and
monthly, quarterly and SmartNumbers leave them out.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

NINJA_VENDOR_ID = 2
CONNECTWISE_VENDOR_ID = 3

Aggregation = Literal["sum", "average"]
Format = Literal["currency", "number"]
Source = Literal["ninja", "connectwise", "manual", "calculated", "quickbooks"]

INTERMEDIATE = "Intermediate"
# The replaced system's categories, in its order.
CATEGORIES: tuple[str, ...] = (
    "Support Tickets", "Devices", "Revenue", "Expenses", "Profit", "General", "Sales", INTERMEDIATE,
)  # fmt: skip
# Sources a person enters through ``POST /api/qbr/metrics/manual`` (collected Ninja values are protected).
EDITABLE_SOURCES: frozenset[Source] = frozenset({"manual", "connectwise"})


@dataclass(frozen=True)
class Term:
    sign: Literal[1, -1]
    metric: str


@dataclass(frozen=True)
class Calculation:
    """A documented formula: a signed sum of other metrics (``formula`` is its text as documented)."""

    formula: str
    terms: tuple[Term, ...]

    @property
    def components(self) -> tuple[str, ...]:
        return tuple(term.metric for term in self.terms)

    @classmethod
    def parse(cls, formula: str) -> Calculation:
        """``"a - b + c"`` → its terms; anything but names joined by ``+`` and ``-`` is a catalogue bug."""
        tokens = formula.split()
        if len(tokens) % 2 == 0 or any(op not in ("+", "-") for op in tokens[1::2]):
            raise ValueError(f"not a signed sum of metrics: {formula!r}")
        signs: list[Literal[1, -1]] = [1, *(1 if op == "+" else -1 for op in tokens[1::2])]
        return cls(formula, tuple(Term(sign, name) for sign, name in zip(signs, tokens[0::2], strict=True)))


@dataclass(frozen=True, kw_only=True)
class MetricInfo:
    """How a metric is described to people (every catalogue metric and every intermediate value)."""

    name: str
    label: str
    description: str
    category: str
    format: Format
    source: Source
    calculation: Calculation | None = None

    @property
    def is_intermediate(self) -> bool:
        return self.category == INTERMEDIATE

    @property
    def is_calculated(self) -> bool:
        return self.calculation is not None

    @property
    def is_editable(self) -> bool:
        return self.source in EDITABLE_SOURCES


@dataclass(frozen=True, kw_only=True)
class MetricDefinition(MetricInfo):
    """A monthly metric: stored, accepted from manual entry and imports, aggregated into quarters."""

    aggregation: Aggregation
    vendor_id: int | None = None
    may_be_negative: bool = False


def _source(vendor_id: int | None, formula: str | None) -> Source:
    if formula is not None:
        return "calculated"
    if vendor_id == NINJA_VENDOR_ID:
        return "ninja"
    if vendor_id == CONNECTWISE_VENDOR_ID:
        return "connectwise"
    return "manual"


def _sum(
    name: str,
    label: str,
    description: str,
    category: str,
    *,
    vendor_id: int | None = None,
    money: bool = False,
    formula: str | None = None,
) -> MetricDefinition:
    return MetricDefinition(
        name=name,
        label=label,
        description=description,
        category=category,
        format="currency" if money else "number",
        source=_source(vendor_id, formula),
        calculation=None if formula is None else Calculation.parse(formula),
        aggregation="sum",
        vendor_id=vendor_id,
        may_be_negative=money,
    )


def _average(
    name: str, label: str, description: str, category: str, *, vendor_id: int | None = None
) -> MetricDefinition:
    return MetricDefinition(
        name=name,
        label=label,
        description=description,
        category=category,
        format="number",
        source=_source(vendor_id, None),
        aggregation="average",
        vendor_id=vendor_id,
    )


def _intermediate(name: str, label: str, description: str) -> MetricInfo:
    return MetricInfo(
        name=name, label=label, description=description, category=INTERMEDIATE, format="currency", source="quickbooks"
    )


METRICS: tuple[MetricDefinition, ...] = (
    _sum("reactive_tickets_created", "Reactive Tickets Created",
         "Reactive tickets created (Help Desk, parent tickets only)", "Support Tickets",
         vendor_id=CONNECTWISE_VENDOR_ID),
    _sum("reactive_tickets_closed", "Reactive Tickets Closed", "Reactive tickets closed", "Support Tickets",
         vendor_id=CONNECTWISE_VENDOR_ID),
    _sum("reactive_time_spent", "Reactive Time Spent", "Hours spent on reactive tickets", "Support Tickets",
         vendor_id=CONNECTWISE_VENDOR_ID),
    _average("endpoints_managed", "Endpoints Managed",
             "Billable devices, servers included (internal organisations excluded)", "Devices",
             vendor_id=NINJA_VENDOR_ID),
    _average("seats_managed", "Seats Managed", "Billable workstations (internal organisations excluded)", "Devices",
             vendor_id=NINJA_VENDOR_ID),
    _average("employees", "Employees", "Total employees", "General"),
    _average("technical_employees", "Technical Employees", "Technical employees", "General"),
    _average("agreements", "Agreements", "Managed services agreements", "General"),
    _sum("nrr", "NRR", "Non-recurring revenue", "Revenue", money=True),
    _sum("mrr", "MRR", "Monthly recurring revenue", "Revenue", money=True),
    _sum("orr", "ORR", "Other recurring revenue", "Revenue", money=True),
    _sum("product_sales", "Product Sales", "Product sales revenue", "Revenue", money=True),
    _sum("misc_revenue", "Miscellaneous Revenue", "Miscellaneous revenue", "Revenue", money=True),
    _sum("total_revenue", "Total Revenue", "Total revenue", "Revenue", money=True),
    _sum("employee_expense", "Employee Expense", "Employee expenses", "Expenses", money=True,
         formula="payroll_total - owner_comp - owner_comp_taxes"),
    _sum("owner_comp_taxes", "Owner Compensation Taxes", "Owner compensation taxes", "Expenses", money=True),
    _sum("owner_comp", "Owner Compensation", "Owner compensation", "Expenses", money=True),
    _sum("product_cogs", "Product COGS", "Product cost of goods sold", "Expenses", money=True),
    _sum("other_expenses", "Other Expenses", "All other expenses", "Expenses", money=True,
         formula="total_expenses_qb - employee_expense - owner_comp_taxes - owner_comp"),
    _sum("total_expenses", "Total Expenses", "Total expenses", "Expenses", money=True,
         formula="employee_expense + other_expenses + owner_comp + owner_comp_taxes + product_cogs"
                 " - uncategorized_expenses"),
    _sum("net_profit", "Net Profit", "Net profit", "Profit", money=True),
    _sum("telemarketing_dials", "Telemarketing Dials", "Telemarketing dials", "Sales"),
    _sum("first_time_appointments", "First-Time Appointments", "First-time appointments", "Sales"),
    _sum("prospects_to_pbr", "Prospects to PBR", "Prospects presented to PBR", "Sales"),
    _sum("new_agreements", "New Agreements", "New agreements signed", "Sales"),
    _sum("new_mrr", "New MRR", "New MRR added", "Sales", money=True),
    _sum("lost_mrr", "Lost MRR", "MRR lost to churn", "Sales", money=True),
)  # fmt: skip

# QuickBooks inputs of the calculated metrics (``response-shapes.md`` §8); never monthly metrics.
INTERMEDIATE_METRICS: tuple[MetricInfo, ...] = (
    _intermediate("payroll_total", "Payroll Total", "Total payroll from QuickBooks (input of employee expense)"),
    _intermediate("total_expenses_qb", "Total Expenses (QuickBooks)",
                  "Total expenses as QuickBooks reports them (input of other expenses)"),
    _intermediate("total_income", "Total Income", "Total income from QuickBooks"),
    _intermediate("uncategorized_expenses", "Uncategorized Expenses",
                  "Expenses QuickBooks has not categorised (taken out of total expenses)"),
)  # fmt: skip

BY_NAME: dict[str, MetricDefinition] = {metric.name: metric for metric in METRICS}
# Everything the metric-definitions route describes: the monthly metrics, then the intermediate values.
DESCRIBED: tuple[MetricInfo, ...] = (*METRICS, *INTERMEDIATE_METRICS)
DESCRIBED_BY_NAME: dict[str, MetricInfo] = {metric.name: metric for metric in DESCRIBED}
METRIC_NAMES: tuple[str, ...] = tuple(BY_NAME)
# The monthly totals the service collects itself from each Ninja snapshot.


class UnknownMetric(ValueError):
    """A metric name outside the catalogue."""


def definition(name: str) -> MetricDefinition:
    found = BY_NAME.get(name)
    if found is None:
        raise UnknownMetric(f"Unknown metric '{name}'. Known metrics: {', '.join(METRIC_NAMES)}")
    return found
