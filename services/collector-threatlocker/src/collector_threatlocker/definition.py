"""What the ThreatLocker collector is: a ``collect.requested`` consumer and a one-shot ``collect`` command."""

from __future__ import annotations

from collector_threatlocker.consumers import collect_into, make_collect_handler
from collector_threatlocker.models import SCHEMA, messaging, metadata
from collector_threatlocker.settings import ThreatLockerCollectorSettings
from hub_shared.collection import collect_command
from hub_shared.runtime import ConsumerSpec, ServiceSpec


def _spec() -> ServiceSpec:
    return SPEC


SPEC = ServiceSpec(
    name="collector_threatlocker",
    package="collector_threatlocker",
    schema=SCHEMA,
    settings_cls=ThreatLockerCollectorSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub ThreatLocker collector",
    consumers=(ConsumerSpec("collect", ("collect.requested",), make_collect_handler),),
    extra_commands=collect_command("threatlocker", collect_into, _spec),
)
