"""What the qbr service is: its schema, settings, routes, consumers and workers."""

from __future__ import annotations

from hub_shared.runtime import ServiceSpec
from qbr.models import SCHEMA, messaging, metadata
from qbr.settings import QbrSettings

SPEC = ServiceSpec(
    name="qbr",
    package="qbr",
    schema=SCHEMA,
    settings_cls=QbrSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub QBR",
)
