"""Every installed service, found through the ``inventory_hub.services`` entry point.

Used by the tools that act on the whole system at once (migrate everything, the test harness), so
hub_shared never imports a service by name.
"""

from __future__ import annotations

from importlib.metadata import entry_points

from hub_shared.runtime import ServiceSpec

# The order services are migrated and listed in; anything else installed comes after, by name.
PREFERRED_ORDER = (
    "gateway",
    "collector_ninja",
    "collector_threatlocker",
    "variance",
    "assessment",
    "qbr",
    "tenantsweep",
    "notifier",
)


def installed_services() -> list[ServiceSpec]:
    specs = [entry.load() for entry in entry_points(group="inventory_hub.services")]

    def order(spec: ServiceSpec) -> tuple[int, str]:
        position = PREFERRED_ORDER.index(spec.name) if spec.name in PREFERRED_ORDER else len(PREFERRED_ORDER)
        return position, spec.name

    return sorted(specs, key=order)
