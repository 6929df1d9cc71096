"""Settings fail start-up naming the bad variable; the service's OpenAPI documents its hand-read bodies."""

from __future__ import annotations

from typing import Any

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

    def body(path: str) -> dict[str, Any]:
        schema = document["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]
        return resolve(schema)

    def resolve(schema: dict[str, Any]) -> dict[str, Any]:
        reference = schema.get("$ref")
        return resolve(document["components"]["schemas"][reference.rsplit("/", 1)[1]]) if reference else schema

    manual = body("/api/qbr/metrics/manual")
    assert set(manual["required"]) == {"period", "metrics"}
    assert "metric_value" in resolve(manual["properties"]["metrics"]["items"])["properties"]
    thresholds = body("/api/qbr/thresholds")
    assert "green_min" in resolve(thresholds["properties"]["thresholds"]["items"])["properties"]
    assert "/api/qbr/metrics/devices-by-client" in document["paths"]
