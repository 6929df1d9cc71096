"""Input the database or the views could not handle is a 400, never a 500: text with NUL characters or
lone surrogates, numbers with more decimal places than PostgreSQL's ``numeric`` holds, and SmartNumbers
whose ratio is larger than the 28-digit decimal context can round."""

from __future__ import annotations

from decimal import Decimal

import httpx

from ..conftest import QbrApp, error_of

MANUAL = "/api/qbr/metrics/manual"
THRESHOLDS = "/api/qbr/thresholds"


async def post_raw(qbr: QbrApp, path: str, body: str) -> httpx.Response:
    """A JSON body sent byte for byte (``\\u0000`` and ``\\ud800`` escapes included)."""
    headers = {**qbr.alice, "content-type": "application/json"}
    return await qbr.http.post(path, content=body.encode("ascii"), headers=headers)


async def test_unstorable_text_is_a_400_and_writes_nothing(qbr: QbrApp) -> None:
    for escape in ("\\u0000", "\\ud800"):
        manual = (
            '{"period": "2025-11", "metrics": [{"metric_name": "employees", "metric_value": 8, '
            f'"notes": "before{escape}after"}}]}}'
        )
        body = error_of(await post_raw(qbr, MANUAL, manual), 400, "INVALID_DATA")
        assert "metrics[0].notes" in body["error"]["message"]
        threshold = f'{{"thresholds": [{{"metric_name": "rhem", "green_max": 0.2, "notes": "x{escape}"}}]}}'
        body = error_of(await post_raw(qbr, THRESHOLDS, threshold), 400, "INVALID_DATA")
        assert "thresholds[0].notes" in body["error"]["message"]
    assert await qbr.rows("SELECT * FROM qbr.monthly_metrics") == []
    assert await qbr.rows("SELECT * FROM qbr.thresholds") == []
    assert await qbr.rows("SELECT * FROM qbr.audit_log") == []


async def test_numbers_beyond_numeric_scale_are_a_400_and_trailing_zeros_do_not_count(qbr: QbrApp) -> None:
    for value in ("1e-20000", "0.000000000000000000001", "-1e-21"):
        manual = f'{{"period": "2025-11", "metrics": [{{"metric_name": "net_profit", "metric_value": {value}}}]}}'
        body = error_of(await post_raw(qbr, MANUAL, manual), 400, "INVALID_DATA")
        assert body["error"]["message"] == "metrics[0].metric_value must have at most 20 decimal places"
        threshold = f'{{"thresholds": [{{"metric_name": "rhem", "green_min": {value}}}]}}'
        error_of(await post_raw(qbr, THRESHOLDS, threshold), 400, "INVALID_DATA")
    assert await qbr.rows("SELECT * FROM qbr.monthly_metrics") == []

    # Zeros written out to any length are the same exact number; 20 places is still taken.
    zeros = "0" * 20_000
    manual = (
        '{"period": "2025-11", "metrics": ['
        f'{{"metric_name": "mrr", "metric_value": 1.5{zeros}}}, '
        f'{{"metric_name": "nrr", "metric_value": 0.{zeros}}}, '
        '{"metric_name": "employees", "metric_value": 0.30000000000000000004}]}'
    )
    response = await post_raw(qbr, MANUAL, manual)
    assert response.status_code == 200, response.text
    stored = {
        row["metric_name"]: row["metric_value"]
        for row in await qbr.rows("SELECT metric_name, metric_value FROM qbr.monthly_metrics")
    }
    assert stored == {"mrr": Decimal("1.5"), "nrr": Decimal(0), "employees": Decimal("0.30000000000000000004")}


async def test_a_smartnumber_with_a_tiny_denominator_is_computed_not_a_500(qbr: QbrApp) -> None:
    response = await qbr.manual("2025-11", {"net_profit": 999_999_999_999_999, "total_revenue": 1e-20})
    assert response.status_code == 200, response.text
    answer = await qbr.get("/api/qbr/smartnumbers", period="2025-Q4")
    assert answer.status_code == 200, answer.text
    # 999,999,999,999,999 / 0.00000000000000000001 = 9.99999999999999e34, rounded to 4 places.
    assert answer.json()["data"]["smartnumbers"]["net_profit_pct"] == 9.99999999999999e34
