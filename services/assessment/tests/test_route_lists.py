"""The Windows 11 24H2 lists and counts on the hand-made fleet, assessed once by ``POST /run``.

The fleet is seeded once for this module (module-scoped fixture) and only read by its tests.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
import pytest_asyncio

from assessment.settings import AssessmentSettings
from hub_shared.db import Database
from hub_shared.testing.plugin import truncate_all

from .conftest import D1, HAND_MADE_COUNTS, app_client, hand_made_fleet, seed_snapshot


@dataclass
class Seeded:
    client: httpx.AsyncClient
    run: dict[str, Any]


@pytest.fixture(scope="module")
def assessment_settings_module(database_url: str, amqp_url: str, bus_names: Any) -> AssessmentSettings:
    return AssessmentSettings(
        database_url=database_url,
        amqp_url=amqp_url,
        amqp_exchange=bus_names.exchange,
        amqp_dead_exchange=bus_names.dead_exchange,
        amqp_queue_prefix=bus_names.queue_prefix,
        log_json=False,
    )


UTC_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")
SECONDS_Z = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$")


@pytest_asyncio.fixture(scope="module")
async def seeded(database_url: str, assessment_settings_module: AssessmentSettings) -> AsyncIterator[Seeded]:
    """The hand-made fleet, assessed once by POST /run, shared by the read-only tests of this module."""
    database = Database(database_url, pool_size=2, application_name="tests")
    try:
        await seed_snapshot(database, D1, [row for row, _, _ in hand_made_fleet().values()])
        async for client in app_client(assessment_settings_module):
            response = await client.post("/api/windows-11-24h2/run")
            assert response.status_code == 200, response.text
            yield Seeded(client, response.json())
    finally:
        await truncate_all(database)
        await database.dispose()


async def test_run_answers_the_spec_shape_and_status_counts_add_up(seeded: Seeded) -> None:
    run, client = seeded.run, seeded.client
    assert run["status"] == "success"
    assert run["message"] == "Windows 11 24H2 assessment completed successfully"
    assert UTC_Z.match(run["timestamp"])
    assert "Assessment complete:" in run["output"]
    assert "Total devices assessed: 13" in run["output"]
    assert "Compatible devices: 7" in run["output"]
    assert "Incompatible devices: 5" in run["output"]
    assert "Compatibility rate: 53.8%" in run["output"]
    assert run["snapshot_date"] == D1.isoformat()

    status = (await client.get("/api/windows-11-24h2/status")).json()
    for key, value in HAND_MADE_COUNTS.items():
        assert status[key] == value, key
    assert status["compatible_devices"] == status["total_compatible_devices"] == 7
    assert status["total_windows_devices"] == (
        status["compatible_devices"] + status["incompatible_devices"] + status["not_assessed_devices"]
    )
    assert status["total_compatible_devices"] == (
        status["already_compatible_devices"] + status["compatible_for_upgrade_devices"]
    )
    assert status["compatibility_rate"] == 53.8
    assert UTC_Z.match(status["last_assessment"])
    assert status["snapshot_date"] == D1.isoformat()
    assert status["newly_incompatible_devices"] == 0


async def test_incompatible_list_is_grouped_by_organisation_with_deficiencies(seeded: Seeded) -> None:
    client = seeded.client
    body = (await client.get("/api/windows-11-24h2/incompatible")).json()
    devices = body["incompatible_devices"]
    assert body["total_count"] == len(devices) == HAND_MADE_COUNTS["incompatible_devices"]
    assert body["data_source"] == "Database (NinjaRMM fields populated)"
    assert UTC_Z.match(body["last_updated"])
    # Sorted by organisation, then hostname; with counts per organisation.
    assert [(d["organization"], d["hostname"]) for d in devices] == [
        ("Acme Dental", "ACME-2GB"),
        ("Acme Dental", "ACME-32BIT"),
        ("Acme Dental", "ACME-TPM12"),
        ("Blue Ridge Law", "BR-LEGACYBIOS"),
        ("Blue Ridge Law", "BR-OLDCPU"),
    ]
    assert body["by_organization"] == [
        {"organization": "Acme Dental", "device_count": 3},
        {"organization": "Blue Ridge Law", "device_count": 2},
    ]
    old_cpu = devices[4]
    assert old_cpu["status"] == "Incompatible"
    assert old_cpu["cpu_model"] == "Intel(R) Core(TM) i7-7700 CPU @ 3.60GHz"
    assert old_cpu["system_manufacturer"] == "Dell Inc." and old_cpu["system_model"] == "Latitude 5420"
    assert old_cpu["last_contact"] == "2031-03-09T14:30:05Z"
    assert SECONDS_Z.match(old_cpu["assessment_date"]) and SECONDS_Z.match(old_cpu["last_update"])
    assert old_cpu["memory_gib"] == 16.0 and old_cpu["os_version"] == "22H2" and old_cpu["os_build"] == "19045"
    [deficiency] = old_cpu["deficiencies"]
    assert set(deficiency) >= {"requirement", "status", "current_value", "required", "reason", "remediation"}
    assert deficiency["requirement"] == "Processor" and deficiency["status"] == "FAIL"
    assert deficiency["remediation"]
    assert old_cpu["newly_incompatible"] is False  # no earlier assessment to compare with

    filtered = (await client.get("/api/windows-11-24h2/incompatible", params={"organization": "blue ridge LAW"})).json()
    assert [d["hostname"] for d in filtered["incompatible_devices"]] == ["BR-LEGACYBIOS", "BR-OLDCPU"]
    assert filtered["total_count"] == 2 and filtered["organization"] == "blue ridge LAW"

    page = (await client.get("/api/windows-11-24h2/incompatible", params={"limit": 2, "offset": 1})).json()
    assert [d["hostname"] for d in page["incompatible_devices"]] == ["ACME-32BIT", "ACME-TPM12"]
    assert page["total_count"] == 5 and page["returned_count"] == 2


async def test_compatible_list_has_passed_requirements_and_after_fix_devices_with_their_fix(seeded: Seeded) -> None:
    client = seeded.client
    body = (await client.get("/api/windows-11-24h2/compatible")).json()
    devices = {d["hostname"]: d for d in body["compatible_devices"]}
    # Devices already on 24H2 are left out, as in the replaced system: the list is "for upgrade".
    assert body["total_count"] == len(devices) == HAND_MADE_COUNTS["compatible_for_upgrade_devices"]
    assert set(devices) == {"ACME-READY", "BR-RYZEN", "NOORG-PC", "BR-TPMOFF", "BR-SBOFF"}
    ready = devices["ACME-READY"]
    assert ready["status"] == "Compatible for Upgrade" and ready["required_fixes"] == []
    assert len(ready["passed_requirements"]) == 7
    assert all(item["status"] == "PASS" for item in ready["passed_requirements"])
    tpm_off = devices["BR-TPMOFF"]
    assert tpm_off["status"] == "Compatible after Fix" and tpm_off["verdict"] == "compatible_after_fix"
    assert [fix["requirement"] for fix in tpm_off["required_fixes"]] == ["TPM 2.0"]
    assert "Enable the TPM" in tpm_off["required_fixes"][0]["remediation"]
    assert devices["NOORG-PC"]["organization"] == "Unknown"

    everything = (
        await client.get("/api/windows-11-24h2/compatible", params={"include_already_installed": "true"})
    ).json()
    assert everything["total_count"] == HAND_MADE_COUNTS["total_compatible_devices"]
    on24h2 = next(d for d in everything["compatible_devices"] if d["hostname"] == "ACME-ON24H2")
    assert on24h2["passed_requirements"][0]["requirement"] == "Windows 11 24H2 Already Installed"
    assert on24h2["already_installed"] is True


async def test_not_assessed_list_shows_what_is_missing(seeded: Seeded) -> None:
    client = seeded.client
    body = (await client.get("/api/windows-11-24h2/not-assessed")).json()
    assert [d["hostname"] for d in body["not_assessed_devices"]] == ["ACME-NOTPMDATA"]
    [missing] = body["not_assessed_devices"][0]["deficiencies"]
    assert missing["requirement"] == "TPM 2.0" and missing["status"] == "ERROR"
    # Servers, Macs and VM guests are in no list.
    for path in ("incompatible", "compatible?include_already_installed=true", "not-assessed"):
        listed = (await client.get(f"/api/windows-11-24h2/{path}")).json()
        hostnames = {d["hostname"] for key, value in listed.items() if key.endswith("_devices") for d in value}
        assert not hostnames & {"ACME-SRV01", "ACME-MAC", "ACME-VM7"}


async def test_every_listed_deficiency_has_a_remediation(seeded: Seeded) -> None:
    client = seeded.client
    body = (await client.get("/api/windows-11-24h2/not-assessed")).json()
    [missing] = body["not_assessed_devices"][0]["deficiencies"]
    assert missing["status"] == "ERROR"
    assert missing["remediation"] == (
        "Make sure NinjaOne reports this device's TPM presence, state and version (the custom fields named in "
        "NINJA_TPM_FIELDS), or check tpm.msc on the device; then re-run the assessment"
    )
    incompatible = (await client.get("/api/windows-11-24h2/incompatible")).json()["incompatible_devices"]
    deficiencies = [item for device in incompatible for item in device["deficiencies"]]
    assert len(deficiencies) >= HAND_MADE_COUNTS["incompatible_devices"]
    assert all(isinstance(item["remediation"], str) and item["remediation"] for item in deficiencies)
