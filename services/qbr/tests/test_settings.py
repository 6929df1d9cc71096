"""Settings fail start-up naming the bad variable; the service's OpenAPI documents its hand-read bodies."""

from __future__ import annotations

import pytest

from hub_shared.settings import ConfigurationError, load_settings
from qbr.settings import QbrSettings

from .conftest import QbrApp


def test_settings_parse_lists_and_refuse_bad_values(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("HUB_INTERNAL_ORGANIZATIONS", " Summit Tech Partners , ,internal infrastructure")
    monkeypatch.setenv("QBR_ORGANIZATION_ID", "3")
    settings = load_settings(QbrSettings)
    assert settings.internal_organizations == ["internal infrastructure", "summit tech partners"]
    assert (settings.qbr_organization_id, settings.port) == (3, 5405)

    for variable, value in (("QBR_ORGANIZATION_ID", "0"), ("QBR_ORGANIZATION_ID", "one"), ("QBR_PORT", "70000")):
        monkeypatch.setenv(variable, value)
        with pytest.raises(ConfigurationError):
            load_settings(QbrSettings)
        assert capsys.readouterr().err.startswith(f"configuration error: {variable}:")
        monkeypatch.delenv(variable)


async def test_openapi_documents_the_json_bodies(qbr: QbrApp) -> None:
    document = (await qbr.http.get("/openapi.json")).json()
    manual = document["paths"]["/api/qbr/metrics/manual"]["post"]["requestBody"]["content"]["application/json"]
    schema = manual["schema"]
    assert set(schema["required"]) == {"period", "metrics"}
    assert "metric_value" in schema["properties"]["metrics"]["items"]["properties"]  # inlined, no $ref
    thresholds = document["paths"]["/api/qbr/thresholds"]["post"]["requestBody"]["content"]["application/json"]
    assert "$ref" not in str(thresholds) and "green_min" in str(thresholds)
    assert "/api/qbr/metrics/devices-by-client" in document["paths"]
