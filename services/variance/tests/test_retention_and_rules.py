"""Retention (device-level rows pruned, per-date aggregates kept) and the pure rules behind the routes."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import text

from hub_shared.app import create_app
from hub_shared.errors import ApiError
from hub_shared.identity import anonymous_identity, issue_identity
from hub_shared.runtime import ServiceRuntime
from hub_shared.web import parse_date, parse_flag
from variance.catalog import data_status, parse_variance_type
from variance.definition import SPEC
from variance.exceptions.service import actor_of
from variance.retention import prune

from .conftest import days_ago


async def test_retention_prunes_device_level_rows_and_keeps_the_aggregates(database, service_settings) -> None:
    old, recent = days_ago(70), days_ago(2)
    async with database.transaction() as session:
        for day in (old, recent):
            for schema in ("ninja", "threatlocker"):
                await session.execute(
                    text(f"INSERT INTO {schema}.snapshots (snapshot_date, device_count) VALUES (:day, 10)"),
                    {"day": day},
                )
            await session.execute(
                text(
                    "INSERT INTO variance.reports (report_date, computed_at, revision, computations, ninja_devices, "
                    "threatlocker_devices, total_exceptions, unresolved_exceptions) "
                    "VALUES (:day, now(), 1, 1, 10, 10, 1, 1)"
                ),
                {"day": day},
            )
            await session.execute(
                text("INSERT INTO variance.report_counts VALUES (:day, 'MISSING_NINJA', 1, 1, 0)"), {"day": day}
            )
        ids = []
        for key, day, present in (("gone-long-ago", old, False), ("still-here", recent, True)):
            ids.append(
                (
                    await session.execute(
                        text(
                            "INSERT INTO variance.exceptions (type, key, status, present, first_seen, last_seen, "
                            "details, organization) VALUES ('MISSING_NINJA', :key, :status, :present, :day, :day, "
                            "'{}', 'Acme') RETURNING id"
                        ),
                        {"key": key, "day": day, "present": present, "status": "resolved" if not present else "active"},
                    )
                ).scalar_one()
            )
            await session.execute(
                text(
                    "INSERT INTO variance.occurrences (report_date, exception_id, type, key, status, details, "
                    "organization) VALUES (:day, :id, 'MISSING_NINJA', :key, 'active', '{}', 'Acme')"
                ),
                {"day": day, "id": ids[-1], "key": key},
            )

    async with database.transaction() as session:
        pruned = await prune(session, days_ago(0), keep_days=65)
    assert pruned is not None and (pruned.occurrences, pruned.exceptions) == (1, 1)
    async with database.transaction() as session:
        keys = (await session.execute(text("SELECT key FROM variance.exceptions"))).scalars().all()
        occurrence_dates = (await session.execute(text("SELECT report_date FROM variance.occurrences"))).scalars().all()
        count_dates = (
            (await session.execute(text("SELECT report_date FROM variance.report_counts ORDER BY 1"))).scalars().all()
        )
    assert keys == ["still-here"] and occurrence_dates == [recent] and count_dates == [old, recent]

    # The pruned date's report still answers, from its aggregates.
    runtime = ServiceRuntime(SPEC, service_settings(SPEC), run_worker=False)
    try:
        transport = httpx.ASGITransport(app=create_app(runtime))
        async with httpx.AsyncClient(transport=transport, base_url="http://variance") as client:
            report = (await client.get(f"/api/variances/historical/{old}", params={"include_resolved": "true"})).json()
            trends = (
                await client.get("/api/variances/trends", params={"start_date": str(old), "end_date": str(recent)})
            ).json()
    finally:
        await runtime.stop()
    assert report["summary"]["total_exceptions"] == 1 and report["device_level_data"] is False
    assert report["exceptions_by_type"] == {} and report["missing_in_ninja"]["total_count"] == 0
    assert sorted(trends["trends_by_date"]) == [str(old), str(recent)]


def test_variance_type_accepts_report_keys_codes_and_all() -> None:
    assert parse_variance_type("all") is None and parse_variance_type("") is None and parse_variance_type(None) is None
    assert parse_variance_type("missing_in_ninja").code == "MISSING_NINJA"  # type: ignore[union-attr]
    assert parse_variance_type("Display_Name_Mismatch").code == "DISPLAY_NAME_MISMATCH"  # type: ignore[union-attr]
    assert parse_variance_type("devices_that_should_not_have_threatlocker").code == "SPARE_MISMATCH"  # type: ignore[union-attr]
    with pytest.raises(ValueError, match="Unknown variance_type"):
        parse_variance_type("missing")


def test_data_status_follows_the_report_date_age() -> None:
    today = date(2026, 3, 10)
    assert data_status(today - timedelta(days=1), today)["status"] == "current"
    assert data_status(today - timedelta(days=2), today) == {
        "status": "stale_data",
        "message": "Data is 2 days old",
        "latest_date": "2026-03-08",
    }
    assert data_status(None, today)["status"] == "out_of_sync"


def test_query_parsing_is_strict() -> None:
    assert parse_flag("TRUE", "x") is True and parse_flag(None, "x", default=False) is False
    assert parse_flag("0", "x") is False
    assert parse_date("2026-02-28") == date(2026, 2, 28)
    for call in (
        lambda: parse_flag("sure", "x"),
        lambda: parse_date("2026-2-28"),
        lambda: parse_date("2026-02-30"),
    ):
        with pytest.raises(ApiError) as raised:
            call()
        assert raised.value.status == 400


def test_who_made_a_change() -> None:
    signed_in = issue_identity("alice@example.com", "session")
    assert actor_of(signed_in, "mallory", "api_user") == ("alice@example.com", "identity")
    assert actor_of(anonymous_identity(), "bob", "api_user") == ("bob", "request")
    assert actor_of(None, "  ", "api_user") == ("api_user", "default")
