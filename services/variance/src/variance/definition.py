"""What the variance service is: its schema, settings, routes, consumers and workers."""

from __future__ import annotations

from hub_shared.runtime import ServiceSpec

from variance.models import SCHEMA, messaging, metadata
from variance.settings import VarianceSettings

SPEC = ServiceSpec(
    name="variance",
    package="variance",
    schema=SCHEMA,
    settings_cls=VarianceSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub variance",
)
