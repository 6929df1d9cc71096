"""Windows 11 24H2 readiness: pure rules, no I/O.

``assess(DeviceHardware(...))`` gives a device's :class:`Assessment`; ``judge_cpu(brand)`` judges one
processor brand string against the versioned supported-processor data in ``cpu_data/``.
"""

from assessment.readiness.cpu import CpuVerdict, catalog, judge_cpu
from assessment.readiness.rules import (
    ALREADY_INSTALLED_REQUIREMENT,
    REQUIREMENTS,
    Assessment,
    DeviceHardware,
    Requirement,
    RequirementResult,
    Status,
    Verdict,
    assess,
    installed_release,
    parse_flag,
    parse_os_build,
)

__all__ = [
    "ALREADY_INSTALLED_REQUIREMENT",
    "REQUIREMENTS",
    "Assessment",
    "CpuVerdict",
    "DeviceHardware",
    "Requirement",
    "RequirementResult",
    "Status",
    "Verdict",
    "assess",
    "catalog",
    "installed_release",
    "judge_cpu",
    "parse_flag",
    "parse_os_build",
]
