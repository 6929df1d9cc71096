"""deploy/prometheus and deploy/grafana name only metrics the services really export, and promtool accepts
the rules and the scrape configuration."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml
from prometheus_client import REGISTRY

from hub_shared.registry import installed_services

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
HUB_METRIC = re.compile(r"\b(hub_[a-z0-9_]+)")
# Series a histogram or counter exposes beside its own name.
SUFFIXES = ("_bucket", "_sum", "_count", "_created")


def alert_expressions() -> list[str]:
    rules = yaml.safe_load((DEPLOY / "prometheus" / "alerts.yml").read_text())
    return [rule["expr"] for group in rules["groups"] for rule in group["rules"]]


def dashboard_expressions() -> list[str]:
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "expr" and isinstance(value, str):
                    found.append(value)
                else:
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(json.loads((DEPLOY / "grafana" / "inventory-hub.json").read_text()))
    return found


def exported_metric_names() -> set[str]:
    # Every service's modules register their collectors on import; load them all, as their processes do.
    for spec in installed_services():
        spec.routers()
    names: set[str] = set()
    for family in REGISTRY.collect():
        names.update({family.name, f"{family.name}_total"})
    return names


def base_name(series: str) -> str:
    for suffix in SUFFIXES:
        if series.endswith(suffix):
            return series[: -len(suffix)]
    return series


@pytest.mark.parametrize("source", ["alerts", "dashboard"])
def test_every_hub_metric_named_in_deploy_exists(source: str) -> None:
    expressions = alert_expressions() if source == "alerts" else dashboard_expressions()
    named = {match for expression in expressions for match in HUB_METRIC.findall(expression)}
    assert named, "no hub_* metric found: the parser is broken"
    exported = exported_metric_names()
    missing = sorted(series for series in named if series not in exported and base_name(series) not in exported)
    assert missing == [], f"{source} names metrics no service exports: {missing}"


def test_promtool_accepts_the_rules_and_the_scrape_config() -> None:
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool not installed (Debian package `prometheus`; .ci/run installs it)")
    prometheus = DEPLOY / "prometheus"
    # The unit tests fire HubDeadLetterQueueNotEmpty (service taken from the queue name) and HubJobHeartbeatStale.
    for command in (["check", "rules", str(prometheus / "alerts.yml")],
                    ["check", "config", "--syntax-only", str(prometheus / "prometheus.yml")],
                    ["test", "rules", str(prometheus / "tests" / "alerts_test.yml")]):  # fmt: skip
        checked = subprocess.run([promtool, *command], capture_output=True, text=True)
        assert checked.returncode == 0, checked.stdout + checked.stderr
