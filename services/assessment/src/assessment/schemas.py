"""The answers of the Windows 11 24H2 routes (``reference/response-shapes.md`` §6), field for field.

Each model forbids undeclared fields, so a route that adds a field without declaring it fails its tests
instead of publishing an answer the document does not describe.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    model_config = ConfigDict(extra="forbid")


Verdict = Literal["compatible", "compatible_after_fix", "incompatible", "not_assessed"]


class Counts(Shape):
    total_windows_devices: int
    total_compatible_devices: int
    already_compatible_devices: int
    compatible_for_upgrade_devices: int
    compatible_after_fix_devices: int
    incompatible_devices: int
    not_assessed_devices: int
    excluded_devices: int
