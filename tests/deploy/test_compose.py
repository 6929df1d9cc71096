"""docker-compose.yml as shipped: secure defaults an operator gets without editing it."""

from __future__ import annotations

from pathlib import Path

import yaml

COMPOSE = Path(__file__).resolve().parents[2] / "docker-compose.yml"


def test_the_gateway_requires_sign_in_for_writes_by_default() -> None:
    services = yaml.safe_load(COMPOSE.read_text())["services"]
    assert services["gateway"]["environment"]["AUTH_REQUIRE_FOR_WRITES"] == "${AUTH_REQUIRE_FOR_WRITES:-true}"
