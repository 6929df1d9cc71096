"""Which service owns which public path: the one table the gateway routes by.

Paths the gateway serves itself (``/api/health``, ``/api/status``, ``/api/collectors/*``,
``/api/auth/*``) are its own routes and never reach this table.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Upstream:
    prefix: str
    service: str


ROUTE_TABLE: tuple[Upstream, ...] = (
    Upstream("/api/variance-report", "variance"),
    Upstream("/api/variances", "variance"),
    Upstream("/api/exceptions", "variance"),
    Upstream("/api/devices", "variance"),
    Upstream("/api/ninja", "variance"),
    Upstream("/api/organization-aliases", "variance"),
    Upstream("/api/windows-11-24h2", "assessment"),
    Upstream("/api/qbr", "qbr"),
    Upstream("/api/tenantsweep", "tenantsweep"),
    Upstream("/api/notifications", "notifier"),
)

# Routes that do all their work before the first byte of the answer (the spec's synchronous Windows 11 run,
# which clients wait on for up to 300 s; export files built before they are sent): they get the long
# upstream timeout instead of the default one.
LONG_RUNNING: frozenset[tuple[str, str]] = frozenset(
    {
        ("POST", "/api/windows-11-24h2/run"),
        ("GET", "/api/variances/export/pdf"),
        ("GET", "/api/variances/export/excel"),
    }
)

UPSTREAM_SERVICES: tuple[str, ...] = (
    "collector_ninja",
    "collector_threatlocker",
    "collector_connectwise",
    "variance",
    "assessment",
    "qbr",
    "tenantsweep",
    "notifier",
)


def owner_of(path: str) -> Upstream | None:
    for upstream in ROUTE_TABLE:
        if path == upstream.prefix or path.startswith(upstream.prefix + "/"):
            return upstream
    return None
