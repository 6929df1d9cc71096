"""The import contracts hold (``.importlinter``, run by ``lint-imports`` as in ``make lint``), and the
service_layers contract catches what it is there to catch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import grimp

from hub_shared.layering import ServiceLayersContract

ROOT = Path(__file__).resolve().parents[3]


def test_the_repository_keeps_its_import_contracts() -> None:
    command = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or "lint-imports"
    result = subprocess.run(
        [command, "--no-logo", "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def graph_of(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.ImportGraph()
    for importer, imported in imports:
        for module in (importer, imported):
            graph.add_module(module)
        graph.add_import(importer=importer, imported=imported, line_number=1, line_contents="import")
    return graph


def broken(graph: grimp.ImportGraph, **options: object) -> set[tuple[str, str]]:
    contract = ServiceLayersContract("test", {}, {"service": "svc", **options})
    check = contract.check(graph, verbose=False)
    return {(violation.importer, violation.imported) for violation in check.metadata["violations"]}


def test_layers_within_a_domain_point_one_way() -> None:
    graph = graph_of(
        ("svc.a.routes", "svc.a.service"),
        ("svc.a.service", "svc.a.repository"),
        ("svc.a.routes", "svc.a.repository"),
        ("svc.a.repository", "svc.a.service"),
        ("svc.a.service", "svc.a.routes"),
    )
    assert broken(graph) == {
        ("svc.a.routes", "svc.a.repository"),
        ("svc.a.repository", "svc.a.service"),
        ("svc.a.service", "svc.a.routes"),
    }


def test_domains_meet_only_through_their_service() -> None:
    graph = graph_of(
        ("svc.a.service", "svc.b.service"),
        ("svc.a.routes", "svc.b"),
        ("svc.a.service", "svc.b.repository"),
        ("svc.a.routes", "svc.b.routes"),
        ("svc.a.service", "svc.models"),
        ("svc.definition", "svc.b.routes"),
        ("svc.settings", "svc.b.settings"),
    )
    assert broken(graph) == {("svc.a.service", "svc.b.repository"), ("svc.a.routes", "svc.b.routes")}
    assert broken(graph, public=["service", "routes"]) == {("svc.a.service", "svc.b.repository")}
