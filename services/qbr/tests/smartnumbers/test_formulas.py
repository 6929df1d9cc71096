"""The 18 SmartNumbers against values computed by hand for one quarter, nulls and rounding."""

from __future__ import annotations

from decimal import Decimal

from qbr.formulas import SMARTNUMBER_NAMES, compute
from qbr.metrics.aggregation import aggregate

D = Decimal

# Q4 of a small MSP, month by month (the three ticket sums and hours are the spec example's figures).
OCTOBER = {
    "reactive_tickets_created": D(140), "reactive_tickets_closed": D(130), "reactive_time_spent": D("80.5"),
    "endpoints_managed": D(570), "seats_managed": D(515), "employees": D(8), "technical_employees": D(5),
    "agreements": D(36), "nrr": D(10000), "mrr": D(109000), "total_revenue": D(170000), "net_profit": D(17000),
    "telemarketing_dials": D(300), "first_time_appointments": D(4), "new_agreements": D(1), "new_mrr": D(1200),
    "lost_mrr": D(400),
}  # fmt: skip
NOVEMBER = {
    "reactive_tickets_created": D(150), "reactive_tickets_closed": D(145), "reactive_time_spent": D("75.25"),
    "endpoints_managed": D(574), "seats_managed": D(519), "employees": D(9), "technical_employees": D(6),
    "agreements": D(37), "nrr": D(12000), "mrr": D(110250), "total_revenue": D(175000), "net_profit": D(18500),
    "telemarketing_dials": D(250), "first_time_appointments": D(3), "new_agreements": D(2), "new_mrr": D(2500),
    "lost_mrr": D(0),
}  # fmt: skip
DECEMBER = {
    "reactive_tickets_created": D(136), "reactive_tickets_closed": D(133), "reactive_time_spent": D("80.5"),
    "endpoints_managed": D(578), "seats_managed": D(523), "employees": D("8.5"), "technical_employees": D("5.5"),
    "agreements": D(38), "nrr": D(9000), "mrr": D(111000), "total_revenue": D(168000), "net_profit": D(15000),
    "telemarketing_dials": D(350), "first_time_appointments": D(5), "new_agreements": D(1), "new_mrr": D(900),
    "lost_mrr": D(1100),
}  # fmt: skip

# By hand: sums 426 created, 408 closed, 236.25 h, NRR 31,000, MRR 330,250, revenue 513,000, profit 50,500,
# 900 dials, 12 appointments, 4 agreements won, new MRR 4,600, lost 1,500; means 574 endpoints, 519 seats,
# 8.5 employees, 5.5 technicians, 37 agreements.
EXPECTED = {
    "tickets_per_tech_per_month": D("24.73"),  # 408 / 5.5 / 3 = 24.7272…
    "total_close_pct": D("0.9577"),  # 408 / 426 = 0.957746…
    "tickets_per_endpoint_per_month": D("0.2474"),  # 426 / 3 / 574 = 0.247386…
    "rhem": D("0.1372"),  # 236.25 / 574 / 3 = 0.137195…
    "avg_resolution_time": D("0.5790"),  # 236.25 / 408 = 0.579044…
    "reactive_service_pct": D("0.0857"),  # (236.25 / 3) / (5.5 × 167) = 78.75 / 918.5 = 0.085737…
    "net_profit_pct": D("0.0984"),  # 50,500 / 513,000 = 0.098440…
    "revenue_from_services_pct": D("0.7042"),  # 361,250 / 513,000 = 0.704191…
    "services_from_mrr_pct": D("0.9142"),  # 330,250 / 361,250 = 0.914186…
    "annual_service_rev_per_employee": D("170000.00"),  # 361,250 / 8.5 × 4
    "annual_service_rev_per_tech": D("262727.27"),  # 361,250 / 5.5 × 4 = 262,727.2727…
    "avg_aisp": D("212.11"),  # 330,250 / 519 / 3 = 212.1066…
    "avg_mrr_per_agreement": D("2975.23"),  # 330,250 / 37 / 3 = 2,975.2252…
    "new_mrr_added": D("4600.00"),
    "lost_mrr": D("1500.00"),
    "net_mrr_gain": D("3100.00"),
    "dials_per_appointment": D("75.00"),  # 900 / 12
    "sales_call_close_pct": D("0.3333"),  # 4 / 12
}


def quarter_inputs(*months: dict[str, Decimal]) -> dict[str, Decimal]:
    return {name: item.value for name, item in aggregate(months).items()}


def test_a_quarter_equals_the_hand_computed_values() -> None:
    result = compute(quarter_inputs(OCTOBER, NOVEMBER, DECEMBER))
    assert list(result) == list(SMARTNUMBER_NAMES) and len(result) == 18
    assert result == EXPECTED
    # The rounding places: 2 for money and per-tech/per-appointment values, 4 for ratios.
    assert [str(result[name]) for name in ("tickets_per_tech_per_month", "avg_resolution_time", "new_mrr_added")] == [
        "24.73",
        "0.5790",
        "4600.00",
    ]


def test_missing_or_zero_denominators_and_missing_inputs_are_null() -> None:
    inputs = quarter_inputs(OCTOBER, NOVEMBER, DECEMBER)
    inputs["technical_employees"] = D(0)
    inputs["reactive_tickets_created"] = D(0)
    del inputs["mrr"]
    del inputs["new_mrr"]
    del inputs["first_time_appointments"]
    result = compute(inputs)
    nulls = {name for name, value in result.items() if value is None}
    assert nulls == {
        "tickets_per_tech_per_month",  # ÷ 0 technicians
        "reactive_service_pct",  # ÷ 0 technicians
        "annual_service_rev_per_tech",  # ÷ 0 technicians (and no MRR)
        "total_close_pct",  # ÷ 0 tickets created
        "revenue_from_services_pct",  # NRR + MRR unknown without MRR
        "services_from_mrr_pct",
        "annual_service_rev_per_employee",
        "avg_aisp",
        "avg_mrr_per_agreement",
        "new_mrr_added",
        "net_mrr_gain",  # new MRR unknown
        "dials_per_appointment",  # no appointments
        "sales_call_close_pct",
    }
    # Zero is a value, not "missing": no tickets created means 0 tickets per endpoint.
    assert result["tickets_per_endpoint_per_month"] == D("0.0000")
    assert result["lost_mrr"] == D("1500.00") and result["rhem"] == D("0.1372")
    assert compute({}) == dict.fromkeys(SMARTNUMBER_NAMES)


def test_rounding_is_half_up_as_by_hand() -> None:
    result = compute(
        {
            "reactive_tickets_closed": D(2469),
            "reactive_tickets_created": D(20000),  # 0.12345 → 0.1235 (half-even would give 0.1234)
            "telemarketing_dials": D(1),
            "first_time_appointments": D(8),  # 0.125 → 0.13 (half-even would give 0.12)
            "net_profit": D(-2469),
            "total_revenue": D(20000),  # −0.12345 → −0.1235 (away from zero)
            "new_mrr": D("10.005"),
            "lost_mrr": D("0.000"),  # 10.005 → 10.01
        }
    )
    assert result["total_close_pct"] == D("0.1235")
    assert result["dials_per_appointment"] == D("0.13")
    assert result["net_profit_pct"] == D("-0.1235")
    assert result["net_mrr_gain"] == D("10.01") and result["new_mrr_added"] == D("10.01")


def test_averages_count_only_the_months_that_have_a_value() -> None:
    november = {key: value for key, value in NOVEMBER.items() if key not in ("employees", "reactive_tickets_closed")}
    aggregates = aggregate([OCTOBER, november, DECEMBER])
    assert aggregates["employees"].value == D("8.25")  # (8 + 8.5) / 2, not / 3
    assert aggregates["employees"].months == 2 and aggregates["employees"].aggregation == "average"
    assert aggregates["reactive_tickets_closed"].value == D(263)  # 130 + 133
    assert aggregates["reactive_time_spent"].value == D("236.25")
    assert aggregates["endpoints_managed"].value == D(574)
    assert "orr" not in aggregates  # never given → left out
