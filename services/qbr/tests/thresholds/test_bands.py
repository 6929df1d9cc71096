"""Threshold statuses follow the bands: higher-better, lower-better (max bounds) and target ranges."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbr.thresholds.bands import Bands, band_problem, status

D = Decimal
# The spec's example: a target range of 50–70 tickets per tech, tolerable 40–80.
RANGE = Bands(green_min=D(50), green_max=D(70), yellow_min=D(40), yellow_max=D(80), red_threshold=D(90))
# Lower is better (RHEM): only the max bounds.
LOWER = Bands(green_max=D("0.2"), yellow_max=D("0.3"))
# Higher is better (close rate): only the min bounds.
HIGHER = Bands(green_min=D("0.95"), yellow_min=D("0.9"))
# Lower is better with a red threshold instead of a yellow band.
LOWER_RED = Bands(green_max=D("0.5"), red_threshold=D("1.0"))


@pytest.mark.parametrize(
    ("bands", "value", "expected"),
    [
        (RANGE, "50", "green"), (RANGE, "60", "green"), (RANGE, "70", "green"),
        (RANGE, "49.99", "yellow"), (RANGE, "40", "yellow"), (RANGE, "80", "yellow"), (RANGE, "70.01", "yellow"),
        (RANGE, "39.99", "red"), (RANGE, "80.01", "red"), (RANGE, "95", "red"),
        (LOWER, "0", "green"), (LOWER, "0.2", "green"), (LOWER, "0.25", "yellow"), (LOWER, "0.3", "yellow"),
        (LOWER, "0.31", "red"),
        (HIGHER, "1.02", "green"), (HIGHER, "0.95", "green"), (HIGHER, "0.94", "yellow"), (HIGHER, "0.9", "yellow"),
        (HIGHER, "0.8999", "red"),
        (LOWER_RED, "0.5", "green"), (LOWER_RED, "0.75", "yellow"), (LOWER_RED, "1.0", "red"),
        (LOWER_RED, "3", "red"),
    ],
)  # fmt: skip
def test_status_follows_the_bands(bands: Bands, value: str, expected: str) -> None:
    assert status(D(value), bands) == expected


def test_no_status_without_value_or_bands() -> None:
    assert status(None, RANGE) is None
    assert status(D(1), None) is None
    assert status(D(1), Bands(red_threshold=D(5))) is None  # no green band: nothing to judge by


def test_inconsistent_bands_are_refused() -> None:
    assert band_problem(RANGE) is None
    assert band_problem(Bands(green_min=D(70), green_max=D(50))) == "green_min must not be greater than green_max"
    assert band_problem(Bands(yellow_min=D(2), yellow_max=D(1))) == "yellow_min must not be greater than yellow_max"
