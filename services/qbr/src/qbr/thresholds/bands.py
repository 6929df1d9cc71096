"""A SmartNumber's threshold status (pure, no I/O): green, yellow or red by its bands.

A threshold has a green band (``green_min``..``green_max``), a yellow band (``yellow_min``..``yellow_max``)
and a ``red_threshold``; any bound may be null, meaning the band is open on that side. That one rule
covers the three kinds of metric: higher is better (only the min bounds), lower is better (only the max
bounds, as ``domain-rules.md`` puts it), and a target range (both). Bounds are inclusive.

- inside the green band → green;
- else inside the yellow band → yellow;
- else, when no yellow band is set but a red threshold is, the values between the green band and the
  red threshold are yellow and the red threshold itself and beyond is red;
- else red.

No value, no threshold, or a threshold without a green band → no status (null).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Status = Literal["green", "yellow", "red"]
STATUSES: tuple[Status, ...] = ("green", "yellow", "red")


@dataclass(frozen=True)
class Bands:
    green_min: Decimal | None = None
    green_max: Decimal | None = None
    yellow_min: Decimal | None = None
    yellow_max: Decimal | None = None
    red_threshold: Decimal | None = None

    @property
    def has_green(self) -> bool:
        return self.green_min is not None or self.green_max is not None

    @property
    def has_yellow(self) -> bool:
        return self.yellow_min is not None or self.yellow_max is not None


def _within(value: Decimal, low: Decimal | None, high: Decimal | None) -> bool:
    return (low is None or value >= low) and (high is None or value <= high)


def band_problem(bands: Bands) -> str | None:
    """Why these bands cannot be used (a min above its max), or None when they are consistent."""
    for name, low, high in (
        ("green", bands.green_min, bands.green_max),
        ("yellow", bands.yellow_min, bands.yellow_max),
    ):
        if low is not None and high is not None and low > high:
            return f"{name}_min must not be greater than {name}_max"
    return None


def status(value: Decimal | None, bands: Bands | None) -> Status | None:
    if value is None or bands is None or not bands.has_green:
        return None
    if _within(value, bands.green_min, bands.green_max):
        return "green"
    if bands.has_yellow:
        return "yellow" if _within(value, bands.yellow_min, bands.yellow_max) else "red"
    red = bands.red_threshold
    if red is None:
        return "red"
    # The red threshold lies on the value's side of the green band: values short of it are yellow.
    if bands.green_max is not None and value > bands.green_max:
        return "red" if value >= red else "yellow"
    return "red" if value <= red else "yellow"
