"""deploy/k8s as an operator applies it: `kubectl kustomize` builds it, every object validates against the
Kubernetes schema, and the hardening holds for every Deployment (including ones added later)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest
import yaml

K8S = Path(__file__).resolve().parents[2] / "deploy" / "k8s"
KUBERNETES_VERSION = "1.32.0"


@pytest.fixture(scope="module")
def objects() -> list[dict[str, Any]]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.fail("kubectl is needed to build deploy/k8s (its built-in kustomize)")
    built = subprocess.run([kubectl, "kustomize", str(K8S)], capture_output=True, text=True, check=False)
    assert built.returncode == 0, built.stderr
    return [document for document in yaml.safe_load_all(built.stdout) if document]


def of_kind(objects: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [item for item in objects if item["kind"] == kind]


def test_every_object_validates_against_the_kubernetes_schema(objects) -> None:
    assert len(of_kind(objects, "Deployment")) >= 7
    for item in objects:
        kubernetes_validate.validate(item, KUBERNETES_VERSION, strict=True)


def test_pods_carry_no_service_account_token_and_pause_before_stopping(objects) -> None:
    for deployment in of_kind(objects, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        name = deployment["metadata"]["name"]
        assert pod["automountServiceAccountToken"] is False, name
        main = pod["containers"][0]
        assert main["lifecycle"]["preStop"]["exec"]["command"][0] == "sleep", name
        assert pod["terminationGracePeriodSeconds"] > 5, name


def test_images_are_pinned_to_a_release(objects) -> None:
    for deployment in of_kind(objects, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            image = container["image"]
            assert ":" in image and not image.endswith(":latest"), image


def test_two_replica_services_have_a_disruption_budget(objects) -> None:
    budgets = {
        item["spec"]["selector"]["matchLabels"]["app.kubernetes.io/name"]
        for item in of_kind(objects, "PodDisruptionBudget")
    }
    replicated = {
        item["spec"]["template"]["metadata"]["labels"]["app.kubernetes.io/name"]
        for item in of_kind(objects, "Deployment")
        if item["spec"]["replicas"] >= 2
    }
    assert replicated and replicated <= budgets


def test_the_namespace_enforces_the_restricted_pod_security_standard(objects) -> None:
    (namespace,) = of_kind(objects, "Namespace")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    # What `restricted` demands of each container, so the API server would admit these pods.
    for deployment in of_kind(objects, "Deployment"):
        pod = deployment["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        for container in [*pod.get("initContainers", []), *pod["containers"]]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False, container["name"]
            assert context["capabilities"]["drop"] == ["ALL"], container["name"]


def test_the_shipped_configuration_requires_sign_in_for_writes(objects) -> None:
    (config,) = [item for item in of_kind(objects, "ConfigMap") if item["metadata"]["name"] == "inventory-hub-config"]
    assert config["data"]["AUTH_REQUIRE_FOR_WRITES"] == "true"
