"""What the qbr service is: its schema, settings, routes, consumers and commands."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from hub_shared.runtime import ConsumerSpec, ServiceSpec
from qbr.api import configure_app
from qbr.cli import register
from qbr.devices.consumers import make_snapshot_handler
from qbr.models import SCHEMA, messaging, metadata
from qbr.settings import QbrSettings
from qbr.tickets.consumers import make_tickets_handler


def routers() -> Sequence[APIRouter]:
    from qbr.definitions.routes import router as definitions
    from qbr.devices.routes import router as devices
    from qbr.metrics.routes import router as metrics
    from qbr.smartnumbers.routes import router as smartnumbers
    from qbr.thresholds.routes import router as thresholds

    return (metrics, devices, smartnumbers, thresholds, definitions)


SPEC = ServiceSpec(
    name="qbr",
    package="qbr",
    schema=SCHEMA,
    settings_cls=QbrSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub QBR",
    routers=routers,
    consumers=(
        ConsumerSpec("snapshots", ("snapshot.completed",), make_snapshot_handler),
        ConsumerSpec("tickets", ("ticket_metrics.collected",), make_tickets_handler),
    ),
    extra_commands=register,
    configure_app=configure_app,
)
