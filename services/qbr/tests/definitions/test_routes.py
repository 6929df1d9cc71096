"""``GET /api/qbr/metric-definitions`` in process against the real database: the replaced system's shape
key for key, a month's values (stored figures, calculated ones worked out by hand, missing ones 0), the
filters, and every bad parameter answered 400 in the QBR envelope."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import httpx

from qbr.catalog import METRIC_NAMES

from ..conftest import QbrApp, collect, error_of, hand_made_fleet, signed, write_snapshot

URL = "/api/qbr/metric-definitions"
NOV_30 = date(2025, 11, 30)
INTERMEDIATE_NAMES = ["payroll_total", "total_expenses_qb", "total_income", "uncategorized_expenses"]
PLAIN_KEYS = {"key", "label", "category", "format", "description", "source", "is_editable", "is_calculated"}
CALCULATED_KEYS = PLAIN_KEYS | {"formula", "components"}
CALCULATED_NAMES = ("employee_expense", "other_expenses", "total_expenses")


async def anonymous(qbr: QbrApp, **params: Any) -> httpx.Response:
    """The route is public: no gateway identity header at all."""
    return await qbr.http.get(URL, params=params)


async def data_of(qbr: QbrApp, **params: Any) -> dict[str, Any]:
    """The definitions are public; a month's values need ``qbr:read`` (issue 17 finding 2)."""
    with_values = bool(str(params.get("period", "")).strip())
    response = await (qbr.get(URL, **params) if with_values else anonymous(qbr, **params))
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    assert set(body) == {"success", "data"} and body["success"] is True
    assert set(body["data"]) == {"period", "organization_id", "count", "metrics"}
    assert body["data"]["count"] == len(body["data"]["metrics"])
    return body["data"]


def by_key(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {metric["key"]: metric for metric in data["metrics"]}


async def store_intermediate(qbr: QbrApp, period: date, **values: str) -> None:
    """QuickBooks inputs as a sync would store them (no route or import of this service accepts them)."""
    for name, value in values.items():
        await qbr.rows(
            "INSERT INTO qbr.monthly_metrics (organization_id, period, metric_name, metric_value, data_source, "
            "updated_by) VALUES (1, :period, :name, :value, 'manual', 'test:quickbooks') RETURNING id",
            period=period,
            name=name,
            value=Decimal(value),
        )


async def test_without_period_every_definition_and_no_values(qbr: QbrApp) -> None:
    data = await data_of(qbr)
    assert (data["period"], data["organization_id"], data["count"]) == (None, 1, 27)
    # The catalogue's 27 monthly metrics, in its order; intermediate values only on request.
    assert [metric["key"] for metric in data["metrics"]] == list(METRIC_NAMES)
    for metric in data["metrics"]:
        assert set(metric) == (CALCULATED_KEYS if metric["is_calculated"] else PLAIN_KEYS), metric
    metrics = by_key(data)
    assert tuple(key for key, metric in metrics.items() if metric["is_calculated"]) == CALCULATED_NAMES
    assert metrics["employee_expense"] == {
        "key": "employee_expense",
        "label": "Employee Expense",
        "category": "Expenses",
        "format": "currency",
        "description": "Employee expenses",
        "source": "calculated",
        "is_editable": False,
        "is_calculated": True,
        "formula": "payroll_total - owner_comp - owner_comp_taxes",
        "components": ["payroll_total", "owner_comp", "owner_comp_taxes"],
    }
    assert metrics["endpoints_managed"] == {
        "key": "endpoints_managed",
        "label": "Endpoints Managed",
        "category": "Devices",
        "format": "number",
        "description": "Billable devices, servers included (internal organisations excluded)",
        "source": "ninja",
        "is_editable": False,  # collected from Ninja; protected from manual entry
        "is_calculated": False,
    }
    assert (
        metrics["other_expenses"]["formula"] == "total_expenses_qb - employee_expense - owner_comp_taxes - owner_comp"
    )
    assert metrics["total_expenses"]["components"] == [
        "employee_expense",
        "other_expenses",
        "owner_comp",
        "owner_comp_taxes",
        "product_cogs",
        "uncategorized_expenses",
    ]
    sources = {key: metric["source"] for key, metric in metrics.items()}
    assert {key for key, source in sources.items() if source == "connectwise"} == {
        "reactive_tickets_created",
        "reactive_tickets_closed",
        "reactive_time_spent",
    }
    assert {key for key, source in sources.items() if source == "ninja"} == {"endpoints_managed", "seats_managed"}
    editable = {key for key, metric in metrics.items() if metric["is_editable"]}
    assert editable == set(METRIC_NAMES) - {"endpoints_managed", "seats_managed", *CALCULATED_NAMES}
    assert {key for key, metric in metrics.items() if metric["format"] == "currency"} == {
        "nrr", "mrr", "orr", "product_sales", "misc_revenue", "total_revenue", "employee_expense",
        "owner_comp_taxes", "owner_comp", "product_cogs", "other_expenses", "total_expenses", "net_profit",
        "new_mrr", "lost_mrr",
    }  # fmt: skip

    everything = await data_of(qbr, include_intermediate="true")
    assert everything["count"] == 31
    assert [metric["key"] for metric in everything["metrics"]] == [*METRIC_NAMES, *INTERMEDIATE_NAMES]
    assert by_key(everything)["payroll_total"] == {
        "key": "payroll_total",
        "label": "Payroll Total",
        "category": "Intermediate",
        "format": "currency",
        "description": "Total payroll from QuickBooks (input of employee expense)",
        "source": "quickbooks",
        "is_editable": False,
        "is_calculated": False,
    }


async def test_a_month_with_rows_has_exact_values_and_calculations(qbr: QbrApp) -> None:
    november = date(2025, 11, 1)
    answer = await qbr.manual(
        "2025-11",
        {"owner_comp": 40000, "owner_comp_taxes": 9836.85, "product_cogs": 12500.40, "mrr": 110250.5, "employees": 8.5},
    )
    assert answer.status_code == 200, answer.text
    await store_intermediate(
        qbr, november, payroll_total="88098.48", total_expenses_qb="130000.00", uncategorized_expenses="1250.25"
    )
    await write_snapshot(qbr.database, NOV_30, hand_made_fleet())
    await collect(qbr, NOV_30)  # endpoints 9, seats 6 (conftest's hand-made fleet)

    expenses = await data_of(qbr, period="2025-11", category="Expenses")
    # employee_expense  = 88,098.48 − 40,000.00 − 9,836.85                                     = 38,261.63
    # other_expenses    = 130,000.00 − 38,261.63 − 9,836.85 − 40,000.00                          = 41,901.52
    # total_expenses    = 38,261.63 + 41,901.52 + 40,000.00 + 9,836.85 + 12,500.40 − 1,250.25  = 141,250.15
    assert expenses == {
        "period": "2025-11",
        "organization_id": 1,
        "count": 6,
        "metrics": [
            {
                "key": "employee_expense",
                "label": "Employee Expense",
                "category": "Expenses",
                "format": "currency",
                "description": "Employee expenses",
                "source": "calculated",
                "is_editable": False,
                "is_calculated": True,
                "formula": "payroll_total - owner_comp - owner_comp_taxes",
                "components": ["payroll_total", "owner_comp", "owner_comp_taxes"],
                "value": 38261.63,
                "component_values": {"payroll_total": 88098.48, "owner_comp": 40000.0, "owner_comp_taxes": 9836.85},
                "calculation_display": "$88,098.48 - $40,000.00 - $9,836.85 = $38,261.63",
            },
            {
                "key": "owner_comp_taxes",
                "label": "Owner Compensation Taxes",
                "category": "Expenses",
                "format": "currency",
                "description": "Owner compensation taxes",
                "source": "manual",
                "is_editable": True,
                "is_calculated": False,
                "value": 9836.85,
            },
            {
                "key": "owner_comp",
                "label": "Owner Compensation",
                "category": "Expenses",
                "format": "currency",
                "description": "Owner compensation",
                "source": "manual",
                "is_editable": True,
                "is_calculated": False,
                "value": 40000.0,
            },
            {
                "key": "product_cogs",
                "label": "Product COGS",
                "category": "Expenses",
                "format": "currency",
                "description": "Product cost of goods sold",
                "source": "manual",
                "is_editable": True,
                "is_calculated": False,
                "value": 12500.4,
            },
            {
                "key": "other_expenses",
                "label": "Other Expenses",
                "category": "Expenses",
                "format": "currency",
                "description": "All other expenses",
                "source": "calculated",
                "is_editable": False,
                "is_calculated": True,
                "formula": "total_expenses_qb - employee_expense - owner_comp_taxes - owner_comp",
                "components": ["total_expenses_qb", "employee_expense", "owner_comp_taxes", "owner_comp"],
                "value": 41901.52,
                "component_values": {
                    "total_expenses_qb": 130000.0,
                    "employee_expense": 38261.63,
                    "owner_comp_taxes": 9836.85,
                    "owner_comp": 40000.0,
                },
                "calculation_display": "$130,000.00 - $38,261.63 - $9,836.85 - $40,000.00 = $41,901.52",
            },
            {
                "key": "total_expenses",
                "label": "Total Expenses",
                "category": "Expenses",
                "format": "currency",
                "description": "Total expenses",
                "source": "calculated",
                "is_editable": False,
                "is_calculated": True,
                "formula": "employee_expense + other_expenses + owner_comp + owner_comp_taxes + product_cogs"
                " - uncategorized_expenses",
                "components": [
                    "employee_expense",
                    "other_expenses",
                    "owner_comp",
                    "owner_comp_taxes",
                    "product_cogs",
                    "uncategorized_expenses",
                ],
                "value": 141250.15,
                "component_values": {
                    "employee_expense": 38261.63,
                    "other_expenses": 41901.52,
                    "owner_comp": 40000.0,
                    "owner_comp_taxes": 9836.85,
                    "product_cogs": 12500.4,
                    "uncategorized_expenses": 1250.25,
                },
                "calculation_display": "$38,261.63 + $41,901.52 + $40,000.00 + $9,836.85 + $12,500.40 - $1,250.25"
                " = $141,250.15",
            },
        ],
    }

    # Every metric gets a value once the month has rows: stored figures (collected or manual), else 0.
    month = by_key(await data_of(qbr, period="2025-11", include_intermediate="true"))
    assert {key: metric["value"] for key, metric in month.items() if not metric["is_calculated"]} == {
        **{name: 0.0 for name in METRIC_NAMES if name not in CALCULATED_NAMES},
        "endpoints_managed": 9.0,
        "seats_managed": 6.0,
        "employees": 8.5,
        "mrr": 110250.5,
        "owner_comp": 40000.0,
        "owner_comp_taxes": 9836.85,
        "product_cogs": 12500.4,
        "payroll_total": 88098.48,
        "total_expenses_qb": 130000.0,
        "total_income": 0.0,
        "uncategorized_expenses": 1250.25,
    }
    assert all("component_values" not in metric for metric in month.values() if not metric["is_calculated"])

    # A month (or an organisation) without rows: the definitions only, period still echoed.
    for params, period, organization in (
        ({"period": "2025-10"}, "2025-10", 1),
        ({"period": "2025-11", "organization_id": "2"}, "2025-11", 2),
    ):
        empty = await data_of(qbr, **params)
        assert (empty["period"], empty["organization_id"], empty["count"]) == (period, organization, 27)
        assert all(set(metric) <= CALCULATED_KEYS for metric in empty["metrics"])


async def test_a_stored_figure_wins_and_missing_components_count_as_zero(qbr: QbrApp) -> None:
    november = date(2025, 11, 1)
    assert (await qbr.manual("2025-11", {"owner_comp": 40000, "owner_comp_taxes": 9836.85})).status_code == 200
    await store_intermediate(qbr, november, payroll_total="88098.48", total_expenses_qb="130000.00")
    # A figure entered for a calculated metric is the month's figure (as /metrics/monthly shows it); the
    # display still works the formula out, and says where the two differ.
    assert (await qbr.manual("2025-11", {"employee_expense": 38000})).status_code == 200
    metrics = by_key(await data_of(qbr, period="2025-11", category="expenses"))
    employee = metrics["employee_expense"]
    assert employee["value"] == 38000.0
    assert employee["calculation_display"] == (
        "$88,098.48 - $40,000.00 - $9,836.85 = $38,261.63 (stored value: $38,000.00)"
    )
    # other_expenses = 130,000.00 − 38,000.00 (the stored figure) − 9,836.85 − 40,000.00 = 42,163.15
    other = metrics["other_expenses"]
    assert other["value"] == 42163.15
    assert other["component_values"]["employee_expense"] == 38000.0
    assert other["calculation_display"] == "$130,000.00 - $38,000.00 - $9,836.85 - $40,000.00 = $42,163.15"
    # total_expenses = 38,000 + 42,163.15 + 40,000 + 9,836.85 + 0 (no product_cogs) − 0 (no uncategorized)
    assert metrics["total_expenses"]["value"] == 130000.0
    assert metrics["total_expenses"]["calculation_display"] == (
        "$38,000.00 + $42,163.15 + $40,000.00 + $9,836.85 + $0.00 - $0.00 = $130,000.00"
    )

    # Only one input in December: every other component is 0, and negative operands are bracketed.
    assert (await qbr.manual("2025-12", {"owner_comp": 1000})).status_code == 200
    december = by_key(await data_of(qbr, period="2025-12", category="Expenses"))
    assert december["employee_expense"]["value"] == -1000.0
    assert december["employee_expense"]["component_values"] == {
        "payroll_total": 0.0,
        "owner_comp": 1000.0,
        "owner_comp_taxes": 0.0,
    }
    assert december["employee_expense"]["calculation_display"] == "$0.00 - $1,000.00 - $0.00 = -$1,000.00"
    assert december["other_expenses"]["value"] == 0.0
    assert december["other_expenses"]["calculation_display"] == ("$0.00 - (-$1,000.00) - $0.00 - $1,000.00 = $0.00")
    assert december["total_expenses"]["calculation_display"] == (
        "-$1,000.00 + $0.00 + $1,000.00 + $0.00 + $0.00 - $0.00 = $0.00"
    )


async def test_category_and_intermediate_filters(qbr: QbrApp) -> None:
    async def keys(**params: str) -> list[str]:
        return [metric["key"] for metric in (await data_of(qbr, **params))["metrics"]]

    support = ["reactive_tickets_created", "reactive_tickets_closed", "reactive_time_spent"]
    for spelling in ("Support Tickets", "support tickets", "SUPPORT TICKETS", "  support   Tickets "):
        assert await keys(category=spelling) == support
    assert await keys(category="devices") == ["endpoints_managed", "seats_managed"]
    assert await keys(category="General") == ["employees", "technical_employees", "agreements"]
    assert await keys(category="revenue") == ["nrr", "mrr", "orr", "product_sales", "misc_revenue", "total_revenue"]
    assert await keys(category="PROFIT") == ["net_profit"]
    assert await keys(category="sales") == [
        "telemarketing_dials",
        "first_time_appointments",
        "prospects_to_pbr",
        "new_agreements",
        "new_mrr",
        "lost_mrr",
    ]
    # Both filters apply: the intermediate category is empty unless intermediate values are asked for.
    assert await keys(category="intermediate") == []
    assert await keys(category="Intermediate", include_intermediate="true") == INTERMEDIATE_NAMES
    assert len(await keys(category="Expenses", include_intermediate="true")) == 6
    for truthy in ("true", "TRUE", "True", "1", "yes", "on"):
        assert len(await keys(include_intermediate=truthy)) == 31, truthy
    for falsy in ("false", "FALSE", "0", "no", "off"):
        assert len(await keys(include_intermediate=falsy)) == 27, falsy
    # A blank value is not "no filter" but a bad value, as the published types say (leave it out instead).
    error_of(await anonymous(qbr, include_intermediate=""), 400, "INVALID_PARAMETER")
    error_of(await anonymous(qbr, category=""), 400, "INVALID_PARAMETER")
    error_of(await anonymous(qbr, period=" "), 400, "INVALID_PERIOD")


async def test_a_months_values_need_qbr_read(qbr: QbrApp) -> None:
    """Issue 17 finding 2: the month's stored figures (and with include_intermediate the QuickBooks
    payroll, owner compensation and revenue) are what /api/qbr/metrics/monthly protects."""
    await store_intermediate(qbr, date(2025, 11, 1), payroll_total="90000")
    for params in ({"period": "2025-11"}, {"period": "2025-11", "include_intermediate": "true"}):
        refused = await anonymous(qbr, **params)
        assert refused.status_code == 401, refused.text
        assert refused.json()["error"]["code"] == "UNAUTHORIZED"
        assert "90000" not in refused.text
        lacking = await qbr.http.get(URL, params=params, headers=signed(qbr.settings, scopes=("tenantsweep:read",)))
        assert (lacking.status_code, lacking.json()["error"]["code"]) == (403, "FORBIDDEN")
        reader = await qbr.http.get(URL, params=params, headers=signed(qbr.settings, scopes=("qbr:read",)))
        assert reader.status_code == 200 and reader.json()["data"]["period"] == "2025-11"
    intermediate = by_key(await data_of(qbr, period="2025-11", include_intermediate="true"))
    assert intermediate["payroll_total"]["value"] == 90000
    # Without a period nothing stored is shown, to anyone.
    assert "value" not in by_key(await data_of(qbr, include_intermediate="true"))["payroll_total"]


async def test_bad_parameters_answer_400_in_the_qbr_envelope(qbr: QbrApp) -> None:
    assert (await anonymous(qbr, period="2025-13")).json() == {
        "success": False,
        "error": {"code": "INVALID_PERIOD", "message": "Period format must be YYYY-MM", "status": 400},
    }
    for bad in ("2025-1", "2025-Q4", "November", "2026-02-30", "1999-12", "2025-11-01", "abc"):
        error_of(await anonymous(qbr, period=bad), 400, "INVALID_PERIOD")
    body = error_of(await anonymous(qbr, category="Bogus"), 400, "INVALID_PARAMETER")
    assert body["error"]["message"] == (
        "category must be one of: Support Tickets, Devices, Revenue, Expenses, Profit, General, Sales, Intermediate"
    )
    for bad in ("maybe", "2", "tru", "-1"):
        body = error_of(await anonymous(qbr, include_intermediate=bad), 400, "INVALID_PARAMETER")
        assert body["error"]["message"] == "Invalid value for include_intermediate: use true or false"
    for bad in ("abc", "0", "-1", "1.5", "99999999999999999999999", "1e309"):
        body = error_of(await anonymous(qbr, organization_id=bad), 400, "INVALID_PARAMETER")
        assert body["error"]["message"] == "organization_id must be a positive integer"
    # Only GET exists.
    assert (await qbr.http.post(URL, json={})).status_code == 405


async def test_intermediate_values_stay_out_of_the_monthly_metrics(qbr: QbrApp) -> None:
    """The intermediate values are described, not accepted: manual entry still refuses them."""
    answer = await qbr.manual("2025-11", {"payroll_total": 88098.48})
    error_of(answer, 400, "INVALID_METRIC")
    assert await qbr.rows("SELECT * FROM qbr.monthly_metrics") == []
