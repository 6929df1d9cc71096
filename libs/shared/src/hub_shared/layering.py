"""The import-linter contract every service's layers are checked with (``.importlinter``, ``make lint``).

Development only: ``lint-imports`` loads it (``contract_types = service_layers: hub_shared.layering...``);
nothing at run time imports this module.

A service package (``gateway``, ``variance``, …) is made of *domains* — its sub-packages (``collectors``,
``exceptions``, …) — and of top-level modules (``models``, ``settings``, ``definition``, …). The contract
holds when, for every direct import inside the service:

- within a domain, the layers point one way: ``routes`` never imports ``repository`` (it asks the
  service), ``service`` never imports ``routes``/``consumers``/``workers``, and ``repository`` never
  imports ``service``/``routes``/``consumers``/``workers``;
- a domain reaches another only through that domain's ``public`` modules (by default its ``service``)
  or its package itself (``from gateway.auth import X`` where ``__init__`` re-exports); everything else
  in another domain (its routes, repository, consumers, …) is private to it;
- the ``wiring`` modules (``definition``, ``cli``, ``__main__`` by default: what assembles the service)
  and the service's top-level modules (``settings``, ``models``, …: its shared kernel) may import
  anything; domains may import the top-level modules.

Options (besides ``ignore_imports``, as in import-linter's own contracts):

- ``service``: the package;
- ``public``: the module names of a domain other domains may import (default ``service``);
- ``wiring``: top-level modules or sub-packages that assemble the service (default
  ``definition cli __main__``);
- ``exclude``: sub-packages that are not domains (default ``migrations``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import grimp
from importlinter import Contract, ContractCheck, fields, output
from importlinter.application import contract_utils

# Within a domain: importer layer → layers it must not import directly.
FORBIDDEN_WITHIN = {
    "routes": {"repository"},
    "service": {"routes", "consumers", "workers"},
    "repository": {"service", "routes", "consumers", "workers"},
}


@dataclass(frozen=True)
class Violation:
    importer: str
    imported: str
    line: int | None
    rule: str


class ServiceLayersContract(Contract):
    type_name = "service_layers"

    service = fields.StringField()
    public = fields.ListField(subfield=fields.StringField(), required=False)
    wiring = fields.ListField(subfield=fields.StringField(), required=False)
    exclude = fields.ListField(subfield=fields.StringField(), required=False)
    ignore_imports = fields.SetField(subfield=fields.ImportExpressionField(), required=False)
    unmatched_ignore_imports_alerting = fields.EnumField(
        contract_utils.AlertLevel, default=contract_utils.AlertLevel.ERROR
    )

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        removal = contract_utils.remove_ignored_imports_and_report(
            graph=graph,
            ignore_imports=self.ignore_imports,  # type: ignore[arg-type]
            unmatched_alerting=self.unmatched_ignore_imports_alerting,  # type: ignore[arg-type]
        )
        service = str(self.service)
        public = set(self._list(self.public, ["service"]))
        wiring = set(self._list(self.wiring, ["definition", "cli", "__main__"]))
        exclude = set(self._list(self.exclude, ["migrations"]))
        prefix = service + "."
        modules = {name for name in graph.modules if name == service or name.startswith(prefix)}
        packages = {name.split(".")[1] for name in modules if name.count(".") >= 2}
        domains = packages - exclude - wiring

        violations: list[Violation] = []
        for importer in sorted(modules):
            parts = importer.split(".")
            if len(parts) < 2 or parts[1] in wiring or parts[1] in exclude:
                continue
            importer_domain = parts[1] if parts[1] in domains else None
            if importer_domain is None:
                continue  # a top-level module (settings, models, …): the service's shared kernel
            importer_layer = parts[2] if importer_domain and len(parts) > 2 else None
            for imported in sorted(graph.find_modules_directly_imported_by(importer)):
                if not imported.startswith(prefix):
                    continue
                target = imported.split(".")
                if target[1] not in domains or len(target) < 3:
                    continue  # a top-level module, or a domain's package itself
                rule = None
                if target[1] == importer_domain:
                    if target[2] in FORBIDDEN_WITHIN.get(importer_layer or "", set()):
                        rule = f"{importer_layer} must not import {target[2]} (routes → service → repository)"
                elif target[2] not in public:
                    rule = f"another domain reaches {service}.{target[1]} only through {'/'.join(sorted(public))}"
                if rule is not None:
                    violations.append(Violation(importer, imported, _line(graph, importer, imported), rule))
        return ContractCheck(
            kept=not violations,
            warnings=list(removal.warnings),
            metadata={"violations": violations},
            ignored_import_count=removal.ignored_import_count,
        )

    def render_broken_contract(self, check: ContractCheck) -> None:
        for violation in check.metadata["violations"]:
            where = f" (l.{violation.line})" if violation.line else ""
            output.print_error(f"{violation.importer} -> {violation.imported}{where}: {violation.rule}", bold=False)
        output.new_line()

    @staticmethod
    def _list(value: Any, default: list[str]) -> list[str]:
        return [str(item) for item in value] if value else default


def _line(graph: grimp.ImportGraph, importer: str, imported: str) -> int | None:
    details = graph.get_import_details(importer=importer, imported=imported)
    return details[0]["line_number"] if details else None
