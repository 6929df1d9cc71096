"""What the collector-ninja service is: its schema, settings, routes, consumers and workers."""

from __future__ import annotations

from hub_shared.runtime import ServiceSpec

from collector_ninja.models import SCHEMA, messaging, metadata
from collector_ninja.settings import NinjaCollectorSettings

SPEC = ServiceSpec(
    name="collector_ninja",
    package="collector_ninja",
    schema=SCHEMA,
    settings_cls=NinjaCollectorSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub NinjaOne collector",
)
