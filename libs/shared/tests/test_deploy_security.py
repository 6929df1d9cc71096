"""The shipped deployment admits only the gateway to the services (issue 15 / issue 17 finding 1): compose
publishes nothing but the gateway (and RabbitMQ / observability on 127.0.0.1 or their own networks), needs
a signing key from .env; Kubernetes denies by default and lets only the gateway reach service ports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[3]
SERVICES = (
    "collector-ninja",
    "collector-threatlocker",
    "variance",
    "assessment",
    "qbr",
    "tenantsweep",
    "collector-connectwise",
    "notifier",
)
PORTS = {name: 5401 + index for index, name in enumerate(SERVICES)}  # 5401-5408
# The notifier reads these four services' APIs (with an identity minted for each); nothing else may.
READ_BY_NOTIFIER = {"variance", "assessment", "qbr", "tenantsweep"}
INFRASTRUCTURE = {"gateway", "postgres", "rabbitmq", "prometheus"}


def compose() -> dict[str, Any]:
    document: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    return document


def test_compose_lets_only_the_gateway_reach_a_service() -> None:
    document = compose()
    services = document["services"]
    for name in SERVICES:
        assert "ports" not in services[name], name
        for network in services[name]["networks"]:
            peers = {other for other, spec in services.items() if network in spec.get("networks", [])} - {name}
            if network.startswith("svc-"):
                assert document["networks"][network].get("internal") is True, network
                owner = network.removeprefix("svc-")
                allowed = INFRASTRUCTURE | ({"notifier"} if owner in READ_BY_NOTIFIER else set())
                if name == "notifier" and owner in READ_BY_NOTIFIER:
                    continue  # the notifier as a client on the service's network
                assert peers <= allowed, (name, network, peers)
            else:  # a collector's way to its vendor: no other service there
                assert not peers & set(SERVICES), (name, network, peers)


def test_compose_binds_rabbitmq_to_this_machine_and_needs_a_signing_key() -> None:
    document = compose()
    for mapping in document["services"]["rabbitmq"]["ports"]:
        assert mapping.startswith("127.0.0.1:"), mapping
    key = document["x-hub-env"]["HUB_INTERNAL_SIGNING_KEY"]
    assert key.startswith("${HUB_INTERNAL_SIGNING_KEY:?"), key  # no default: compose stops without it
    assert "HUB_ENV" not in document["x-hub-env"]  # production


def k8s(name: str) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all((ROOT / "deploy" / "k8s" / name).read_text()) if doc]


def test_kubernetes_denies_by_default_and_admits_only_the_gateway_to_service_ports() -> None:
    assert "networkpolicy.yaml" in (ROOT / "deploy" / "k8s" / "kustomization.yaml").read_text()
    policies = {doc["metadata"]["name"]: doc["spec"] for doc in k8s("networkpolicy.yaml")}
    deny = policies["default-deny"]
    assert deny["podSelector"] == {} and set(deny["policyTypes"]) == {"Ingress", "Egress"}
    assert "ingress" not in deny and "egress" not in deny
    ingress = [spec for spec in policies.values() if "Ingress" in spec["policyTypes"] and spec.get("ingress")]
    for spec in ingress:
        selected = spec["podSelector"].get("matchLabels", {})
        for rule in spec["ingress"]:
            ports = {port["port"] for port in rule["ports"]}
            if ports & set(PORTS.values()):
                # Whoever may open a service port is the gateway, or the notifier for the four it reads.
                gateway = [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "gateway"}}}]
                notifier = [{"podSelector": {"matchLabels": {"app.kubernetes.io/name": "notifier"}}}]
                assert rule["from"] in (gateway, notifier), rule
                if rule["from"] == notifier:
                    assert ports == {PORTS[name] for name in READ_BY_NOTIFIER}, ports
            elif 5400 in ports:
                assert selected == {"app.kubernetes.io/name": "gateway"}
                assert all("namespaceSelector" in peer for peer in rule["from"])  # the ingress controller
            else:
                assert ports == {9400}  # metrics, for the monitoring namespace
    # Every service pod is covered by an ingress policy (else default-deny would cut it off, or a typo
    # in a label would leave it unreachable by the gateway).
    for name in SERVICES:
        (deployment, _service) = k8s(f"{name}.yaml")
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert any(
            all(labels.get(key) == value for key, value in spec["podSelector"].get("matchLabels", {}).items())
            and spec["podSelector"].get("matchLabels")
            for spec in ingress
        ), name


def test_kubernetes_scrapes_the_metrics_port_and_trusts_only_the_ingress() -> None:
    (config,) = k8s("configmap.yaml")
    assert config["data"]["METRICS_PORT"] == "9400"
    assert config["data"]["FORWARDED_ALLOW_IPS"]
    for name in ("gateway", *SERVICES):
        deployment = k8s(f"{name}.yaml")[0]
        template = deployment["spec"]["template"]
        assert template["metadata"]["annotations"]["prometheus.io/port"] == "9400", name
        ports = {port["name"]: port["containerPort"] for port in template["spec"]["containers"][0]["ports"]}
        assert ports["metrics"] == 9400, name
    prometheus = (ROOT / "deploy" / "prometheus" / "prometheus.yml").read_text()
    for name in ("gateway", *SERVICES):
        assert f'"{name}:9400"' in prometheus, name
