"""What the NinjaOne collector is: a ``collect.requested`` consumer and a one-shot ``collect`` command."""

from __future__ import annotations

from collector_ninja.consumers import collect_into, make_collect_handler
from collector_ninja.models import SCHEMA, messaging, metadata
from collector_ninja.settings import NinjaCollectorSettings
from hub_shared.collection import collect_command
from hub_shared.runtime import ConsumerSpec, ServiceSpec


def _spec() -> ServiceSpec:
    return SPEC


SPEC = ServiceSpec(
    name="collector_ninja",
    package="collector_ninja",
    schema=SCHEMA,
    settings_cls=NinjaCollectorSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub NinjaOne collector",
    consumers=(ConsumerSpec("collect", ("collect.requested",), make_collect_handler),),
    extra_commands=collect_command("ninja", collect_into, _spec),
)
