"""What the notifier service is: its schema, settings, routes, consumer and workers."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter

from hub_shared.runtime import ConsumerSpec, ServiceSpec
from notifier.deliveries.worker import delivery_worker
from notifier.models import SCHEMA, messaging, metadata
from notifier.scheduler import evaluator_worker, tick_worker
from notifier.settings import NotifierSettings
from notifier.signals.consumers import EVENT_TYPES, make_event_handler


def routers() -> Sequence[APIRouter]:
    from notifier.channels.routes import router as channels
    from notifier.deliveries.routes import router as deliveries
    from notifier.reports.routes import router as reports
    from notifier.rules.routes import router as rules

    return (channels, rules, deliveries, reports)


SPEC = ServiceSpec(
    name="notifier",
    package="notifier",
    schema=SCHEMA,
    settings_cls=NotifierSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub notifier",
    routers=routers,
    consumers=(ConsumerSpec("events", EVENT_TYPES, make_event_handler),),
    workers=(evaluator_worker, delivery_worker, tick_worker),
)
