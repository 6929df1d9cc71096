"""The pre-rendered report bodies (served as bytes, not validated on the way out) are exactly what their
documented models say: every key of the body is a field of the model and the model accepts the body."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from variance.reports.schemas import FilteredReport, OrgEntry, TypeItem, VarianceReport

from .conftest import days_ago, hub_today


def assert_exact(model: type[BaseModel], body: dict[str, Any]) -> None:
    assert set(body) == set(model.model_fields), (model.__name__, set(body) ^ set(model.model_fields))
    model.model_validate(body)


async def test_report_bodies_match_their_documented_models(vendor_sim, variance_hub) -> None:
    with vendor_sim(devices=300, seed=5) as sim:
        vhub = await variance_hub(sim)
        await vhub.collect(days_ago(1))
        await vhub.collect(hub_today())
        first = (await vhub.client.get("/api/exceptions", params={"limit": 1})).json()[0]
        await vhub.client.post(f"/api/exceptions/{first['id']}/resolve", json={"resolved_by": "ann"})
        for path, params in (
            ("/api/variance-report/latest", {}),
            ("/api/variance-report/latest", {"include_resolved": "true"}),
            (f"/api/variance-report/{hub_today()}", {"include_resolved": "true"}),
            (f"/api/variances/historical/{days_ago(1)}", {}),
        ):
            body = (await vhub.client.get(path, params=params)).json()
            assert_exact(VarianceReport, body)
            for entries in body["exceptions_by_type"].values():
                for entry in entries:
                    assert_exact(TypeItem, entry)
            for key in ("missing_in_ninja", "display_name_mismatches", "threatlocker_duplicates"):
                for entries in body[key]["by_organization"].values():
                    for entry in entries:
                        assert_exact(OrgEntry, entry)
        assert_exact(FilteredReport, (await vhub.client.get("/api/variance-report/filtered")).json())
