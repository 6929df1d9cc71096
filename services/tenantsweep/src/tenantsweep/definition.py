"""What the tenantsweep service is: its schema, settings and routes (it consumes and publishes no events:
the catalogue has none for audits and nothing downstream needs one)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from hub_shared.runtime import ServiceSpec
from tenantsweep.models import SCHEMA, messaging, metadata
from tenantsweep.settings import TenantSweepSettings


def routers() -> Sequence[APIRouter]:
    from tenantsweep.audits.routes import router as audits
    from tenantsweep.exports.routes import router as exports
    from tenantsweep.findings.routes import router as findings
    from tenantsweep.insights.routes import router as insights

    return (audits, findings, exports, insights)


SPEC = ServiceSpec(
    name="tenantsweep",
    package="tenantsweep",
    schema=SCHEMA,
    settings_cls=TenantSweepSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub TenantSweep",
    routers=routers,
)
