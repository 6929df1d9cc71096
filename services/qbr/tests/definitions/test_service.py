"""The metric catalogue's descriptions and the definitions' arithmetic (pure): every formula names described
metrics and none depends on itself, the documented formulas, value resolution, and how values are written."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbr.catalog import (
    BY_NAME,
    CATEGORIES,
    DESCRIBED,
    DESCRIBED_BY_NAME,
    INTERMEDIATE_METRICS,
    METRICS,
    Calculation,
    Term,
)
from qbr.definitions.service import UnknownCategory, parse_category, resolve, select, shown


def test_every_metric_is_described_once_in_a_known_category() -> None:
    assert len(METRICS) == 27 and len(INTERMEDIATE_METRICS) == 4
    assert len(DESCRIBED_BY_NAME) == len(DESCRIBED) == 31
    assert {metric.category for metric in DESCRIBED} == set(CATEGORIES)
    for metric in DESCRIBED:
        assert metric.label and metric.description, metric.name
        assert metric.format == (
            "currency" if metric.is_intermediate or BY_NAME[metric.name].may_be_negative else "number"
        )
    # The intermediate values are described, never monthly metrics (manual entry and imports refuse them).
    assert all(metric.is_intermediate and metric.name not in BY_NAME for metric in INTERMEDIATE_METRICS)
    assert not any(metric.is_intermediate for metric in METRICS)


def test_formulas_are_the_documented_ones_and_never_circular() -> None:
    calculated = {metric.name: metric.calculation for metric in DESCRIBED if metric.calculation is not None}
    assert {name: calculation.formula for name, calculation in calculated.items()} == {
        "employee_expense": "payroll_total - owner_comp - owner_comp_taxes",
        "other_expenses": "total_expenses_qb - employee_expense - owner_comp_taxes - owner_comp",
        "total_expenses": "employee_expense + other_expenses + owner_comp + owner_comp_taxes + product_cogs"
        " - uncategorized_expenses",
    }
    assert all(DESCRIBED_BY_NAME[name].source == "calculated" for name in calculated)

    def inputs(name: str, seen: tuple[str, ...] = ()) -> set[str]:
        assert name not in seen, f"circular formula: {' → '.join((*seen, name))}"
        calculation = DESCRIBED_BY_NAME[name].calculation
        if calculation is None:
            return {name}
        return set().union(*(inputs(component, (*seen, name)) for component in calculation.components))

    for name, calculation in calculated.items():
        assert all(component in DESCRIBED_BY_NAME for component in calculation.components), name
        inputs(name)
    assert inputs("total_expenses") == {
        "payroll_total", "owner_comp", "owner_comp_taxes", "total_expenses_qb", "product_cogs",
        "uncategorized_expenses",
    }  # fmt: skip


def test_a_formula_is_a_signed_sum_of_names() -> None:
    assert Calculation.parse("a - b + c").terms == (Term(1, "a"), Term(-1, "b"), Term(1, "c"))
    assert Calculation.parse("a").components == ("a",)
    for bad in ("", "a -", "a * b", "- a", "a b"):
        with pytest.raises(ValueError, match="signed sum"):
            Calculation.parse(bad)


def test_resolution_stored_figures_first_then_the_formula_then_zero() -> None:
    values = resolve({"payroll_total": Decimal("100.10"), "owner_comp": Decimal("40"), "mrr": Decimal("5")})
    assert set(values) == set(DESCRIBED_BY_NAME)
    assert values["employee_expense"] == Decimal("60.10")  # 100.10 − 40 − 0 (no owner_comp_taxes)
    assert values["other_expenses"] == Decimal("-100.10")  # 0 − 60.10 − 0 − 40
    assert values["total_expenses"] == Decimal("0.00")  # 60.10 − 100.10 + 40 + 0 + 0 − 0
    assert (values["mrr"], values["nrr"], values["total_income"]) == (Decimal(5), 0, 0)
    # A stored figure of a calculated metric is used as is, also as another formula's component.
    stored = resolve({"payroll_total": Decimal("100"), "employee_expense": Decimal("7")})
    assert stored["employee_expense"] == 7 and stored["other_expenses"] == -7


def test_categories_in_any_case_and_the_filters() -> None:
    assert parse_category(" support  TICKETS ") == "Support Tickets"
    assert parse_category("intermediate") == "Intermediate"
    with pytest.raises(UnknownCategory, match="category must be one of: Support Tickets, Devices"):
        parse_category("Expense")
    assert len(select(None, False)) == 27 and len(select(None, True)) == 31
    assert select("Intermediate", False) == []
    assert [metric.name for metric in select("Profit", True)] == ["net_profit"]


@pytest.mark.parametrize(
    ("value", "format", "text"),
    [
        (Decimal("88098.48"), "currency", "$88,098.48"),
        (Decimal("0"), "currency", "$0.00"),
        (Decimal("-1000"), "currency", "-$1,000.00"),
        (Decimal("0.005"), "currency", "$0.01"),  # half up, as by hand
        (Decimal("1234567.125"), "currency", "$1,234,567.13"),
        (Decimal("8.50"), "number", "8.5"),
        (Decimal("1200"), "number", "1,200"),
        (Decimal("-3.25"), "number", "-3.25"),
    ],
)
def test_values_are_written_as_people_read_them(value: Decimal, format: str, text: str) -> None:
    assert shown(value, format) == text  # type: ignore[arg-type]
