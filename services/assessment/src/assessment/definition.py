"""What the assessment service is: its schema, settings, routes, consumers and workers."""

from __future__ import annotations

from hub_shared.runtime import ServiceSpec

from assessment.models import SCHEMA, messaging, metadata
from assessment.settings import AssessmentSettings

SPEC = ServiceSpec(
    name="assessment",
    package="assessment",
    schema=SCHEMA,
    settings_cls=AssessmentSettings,
    metadata=metadata,
    tables=messaging,
    title="Inventory Hub Windows 11 assessment",
)
