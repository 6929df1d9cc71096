"""What the ConnectWise collector is: a ``collect.requested`` consumer, the ``collect`` command, and
its ``/configuration`` route."""

from __future__ import annotations

from collector_connectwise.consumers import collect_command, make_collect_handler
from collector_connectwise.models import SCHEMA, messaging, metadata
from collector_connectwise.routes import router
from collector_connectwise.settings import ConnectWiseCollectorSettings
from hub_shared.runtime import ConsumerSpec, ServiceSpec


def _spec() -> ServiceSpec:
    return SPEC


SPEC = ServiceSpec(
    name="collector_connectwise",
    package="collector_connectwise",
    schema=SCHEMA,
    settings_cls=ConnectWiseCollectorSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub ConnectWise collector",
    routers=lambda: (router,),
    consumers=(ConsumerSpec("collect", ("collect.requested",), make_collect_handler),),
    extra_commands=collect_command(_spec),
)
