"""No simulator defaults against the real ThreatLocker portal (issue 14 §2)."""

from __future__ import annotations

import pytest

from collector_threatlocker.settings import SIMULATOR_ORG_ID, ThreatLockerCollectorSettings
from hub_shared.settings import ConfigurationError, load_settings

REAL = "https://portalapi.g.threatlocker.com/portalapi/"
ORG = "3f1e8a2c-1b2d-4c5e-9f00-aa11bb22cc33"


@pytest.fixture(autouse=True)
def clean_env(monkeypatch) -> None:
    monkeypatch.chdir("/")  # no .env
    for name in ("THREATLOCKER_BASE_URL", "THREATLOCKER_API_KEY", "THREATLOCKER_ORG_ID"):
        monkeypatch.delenv(name, raising=False)


def test_an_empty_org_id_is_refused_against_the_real_portal(monkeypatch, capsys) -> None:
    monkeypatch.setenv("THREATLOCKER_BASE_URL", REAL)
    monkeypatch.setenv("THREATLOCKER_API_KEY", "real-key")
    monkeypatch.setenv("THREATLOCKER_ORG_ID", "")  # as the Kubernetes ConfigMap ships it
    with pytest.raises(ConfigurationError):
        load_settings(ThreatLockerCollectorSettings)
    err = capsys.readouterr().err
    assert "THREATLOCKER_ORG_ID: must be set" in err and "THREATLOCKER_API_KEY" not in err


def test_a_missing_api_key_is_refused_and_set_values_are_used(monkeypatch, capsys) -> None:
    monkeypatch.setenv("THREATLOCKER_BASE_URL", REAL)
    monkeypatch.setenv("THREATLOCKER_ORG_ID", ORG)
    with pytest.raises(ConfigurationError):
        load_settings(ThreatLockerCollectorSettings)
    assert "THREATLOCKER_API_KEY: must be set" in capsys.readouterr().err
    monkeypatch.setenv("THREATLOCKER_API_KEY", "real-key")
    settings = load_settings(ThreatLockerCollectorSettings)
    assert (settings.threatlocker_api_key, settings.threatlocker_org_id) == ("real-key", ORG)


def test_the_simulator_keeps_its_defaults() -> None:
    settings = ThreatLockerCollectorSettings()
    assert (settings.threatlocker_api_key, settings.threatlocker_org_id) == ("sim-tl-key", SIMULATOR_ORG_ID)
