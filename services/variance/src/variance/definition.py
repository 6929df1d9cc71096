"""What the variance service is: its schema, settings, routes, consumers and workers."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from hub_shared.runtime import ConsumerSpec, ServiceSpec
from variance.checks.consumers import make_snapshot_handler
from variance.models import SCHEMA, messaging, metadata
from variance.retention import retention_worker
from variance.settings import VarianceSettings


def routers() -> Sequence[APIRouter]:
    from variance.aliases.routes import router as aliases
    from variance.devices.routes import router as devices
    from variance.exceptions.routes import router as exceptions
    from variance.exports.routes import router as exports
    from variance.reports.routes import router as reports
    from variance.usage.routes import router as usage

    # Static report paths (/latest, /filtered, /available-dates, /trends) are declared before the
    # /{date} patterns inside each router, so they win.
    return (reports, exports, exceptions, devices, usage, aliases)


SPEC = ServiceSpec(
    name="variance",
    package="variance",
    schema=SCHEMA,
    settings_cls=VarianceSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub variance",
    routers=routers,
    consumers=(ConsumerSpec("snapshots", ("snapshot.completed",), make_snapshot_handler),),
    workers=(retention_worker,),
)
