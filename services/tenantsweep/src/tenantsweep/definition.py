"""What the tenantsweep service is: its schema, settings, routes, consumers and workers."""

from __future__ import annotations

from hub_shared.runtime import ServiceSpec
from tenantsweep.models import SCHEMA, messaging, metadata
from tenantsweep.settings import TenantSweepSettings

SPEC = ServiceSpec(
    name="tenantsweep",
    package="tenantsweep",
    schema=SCHEMA,
    settings_cls=TenantSweepSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub TenantSweep",
)
