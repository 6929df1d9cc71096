"""What the collector-threatlocker service is: its schema, settings, routes, consumers and workers."""

from __future__ import annotations

from hub_shared.runtime import ServiceSpec

from collector_threatlocker.models import SCHEMA, messaging, metadata
from collector_threatlocker.settings import ThreatLockerCollectorSettings

SPEC = ServiceSpec(
    name="collector_threatlocker",
    package="collector_threatlocker",
    schema=SCHEMA,
    settings_cls=ThreatLockerCollectorSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub ThreatLocker collector",
)
