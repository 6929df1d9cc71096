"""``GET|POST /api/qbr/thresholds``: validation, upsert by metric, organisation scoping, audit trail."""

from __future__ import annotations

from typing import Any

from ..conftest import ALICE, QbrApp, error_of


async def test_thresholds_are_validated_upserted_scoped_and_audited(qbr: QbrApp) -> None:
    assert (await qbr.get("/api/qbr/thresholds")).json() == {
        "success": True,
        "data": {"organization_id": 1, "thresholds": []},
    }
    url = "/api/qbr/thresholds"
    cases: list[tuple[Any, str]] = [
        ({}, "MISSING_DATA"),
        ({"organization_id": 1}, "MISSING_DATA"),
        ({"thresholds": []}, "MISSING_DATA"),
        ({"thresholds": [{"green_min": 1}]}, "MISSING_DATA"),
        ({"thresholds": "rhem"}, "INVALID_DATA"),
        ({"thresholds": [{"metric_name": "employees", "green_min": 1}]}, "INVALID_METRIC"),
        ({"thresholds": [{"metric_name": "rhem", "green_max": "low"}]}, "INVALID_DATA"),
        ({"thresholds": [{"metric_name": "rhem", "green_min": 0.3, "green_max": 0.1}]}, "INVALID_DATA"),
        ({"thresholds": [{"metric_name": "rhem"}, {"metric_name": "rhem"}]}, "INVALID_DATA"),
        ({"thresholds": [{"metric_name": "rhem"}], "organization_id": 0}, "INVALID_DATA"),
    ]
    for body, code in cases:
        error_of(await qbr.post(url, body), 400, code)
    error_of(await qbr.http.post(url, json={"thresholds": [{"metric_name": "rhem"}]}), 401, "UNAUTHORIZED")
    assert await qbr.rows("SELECT * FROM qbr.thresholds") == []

    first = {"metric_name": "tickets_per_tech_per_month", "green_min": 50, "green_max": 70, "yellow_min": 40,
             "yellow_max": 80, "red_threshold": 90, "notes": "Target range based on industry standards"}  # fmt: skip
    rhem = {"metric_name": "rhem", "green_max": 0.2}
    assert (await qbr.post(url, {"organization_id": 1, "thresholds": [first, rhem]})).status_code == 200
    # Posting again replaces the whole threshold: a bound left out becomes null.
    again = await qbr.post(url, {"thresholds": [{"metric_name": "tickets_per_tech_per_month", "green_min": 55}]})
    assert again.json()["data"] == {"organization_id": 1, "updated_count": 1}
    assert (await qbr.post(url, {"organization_id": 2, "thresholds": [first]})).status_code == 200

    listed = (await qbr.get(url)).json()["data"]
    assert listed["thresholds"] == [
        {"metric_name": "rhem", "green_min": None, "green_max": 0.2, "yellow_min": None, "yellow_max": None,
         "red_threshold": None, "notes": None},
        {"metric_name": "tickets_per_tech_per_month", "green_min": 55.0, "green_max": None, "yellow_min": None,
         "yellow_max": None, "red_threshold": None, "notes": None},
    ]  # fmt: skip
    other = (await qbr.get(url, organization_id="2")).json()["data"]
    assert other["organization_id"] == 2 and other["thresholds"][0]["green_max"] == 70.0
    error_of(await qbr.get(url, organization_id="x"), 400, "INVALID_PARAMETER")

    audit = await qbr.rows(
        "SELECT actor, action, subject, old_value, new_value FROM qbr.audit_log WHERE organization_id = 1 ORDER BY id"
    )
    assert [(a["actor"], a["action"], a["subject"]) for a in audit] == [
        (ALICE, "threshold.set", "tickets_per_tech_per_month"),
        (ALICE, "threshold.set", "rhem"),
        (ALICE, "threshold.set", "tickets_per_tech_per_month"),
    ]
    assert audit[0]["old_value"] is None and audit[2]["old_value"]["green_max"] == 70
    assert audit[2]["new_value"]["green_max"] is None and audit[2]["new_value"]["green_min"] == 55


async def test_a_threshold_set_for_the_first_time_concurrently_audits_the_true_old_value(qbr: QbrApp) -> None:
    """Two writers of a threshold that has no row yet: the second must see the first's value as "old"."""
    import asyncio

    from qbr.audit.service import Actor
    from qbr.thresholds import service
    from qbr.thresholds.schemas import ThresholdsBody

    url = "/api/qbr/thresholds"
    first = ThresholdsBody.model_validate({"thresholds": [{"metric_name": "rhem", "green_max": 0.1}]})
    async with qbr.database.transaction() as session:
        await service.apply_update(session, first.organization_id, first.inputs(), Actor("bob@example.com", "identity"))
        # The request starts while the first writer's transaction is still open.
        second = asyncio.create_task(qbr.post(url, {"thresholds": [{"metric_name": "rhem", "green_max": 0.3}]}))
        await asyncio.sleep(0.5)
        assert not second.done()  # waiting for the first writer
    assert (await second).status_code == 200
    audit = await qbr.rows("SELECT actor, old_value, new_value FROM qbr.audit_log ORDER BY id")
    assert [(row["actor"], row["new_value"]["green_max"]) for row in audit] == [
        ("bob@example.com", 0.1),
        (ALICE, 0.3),
    ]
    assert audit[0]["old_value"] is None
    assert audit[1]["old_value"] is not None and audit[1]["old_value"]["green_max"] == 0.1
