"""Period parsing: strict ``YYYY-MM`` and ``YYYY-Q1..Q4``; everything else is invalid."""

from __future__ import annotations

import pytest

from qbr.periods import InvalidPeriod, Month, Quarter, months_between


@pytest.mark.parametrize("text", ["2025-1", "2025-13", "2025-00", "25-01", "2025/01", "2025-01-01", "1999-12",
                                  "2101-01", "2025-Q4", "", "abcd-ef", "２０２５-01"])  # fmt: skip
def test_invalid_months(text: str) -> None:
    with pytest.raises(InvalidPeriod, match="YYYY-MM"):
        Month.parse(text)


@pytest.mark.parametrize("text", ["2025-Q0", "2025-Q5", "2025-q4", "2025Q4", "2025-4", "2025-11", "1999-Q1", ""])
def test_invalid_quarters(text: str) -> None:
    with pytest.raises(InvalidPeriod, match="YYYY-Q1"):
        Quarter.parse(text)


def test_months_and_quarters() -> None:
    assert Month.parse(" 2025-11 ") == Month(2025, 11)
    assert Month(2025, 11).label == "2025-11" and Month(2025, 11).quarter == Quarter(2025, 4)
    assert [m.label for m in Quarter.parse("2025-Q4").months] == ["2025-10", "2025-11", "2025-12"]
    assert [m.label for m in Quarter.parse("2026-Q1").months] == ["2026-01", "2026-02", "2026-03"]
    assert Month(2024, 12).next() == Month(2025, 1)
    assert [m.label for m in months_between(Month(2024, 11), Month(2025, 2))] == [
        "2024-11",
        "2024-12",
        "2025-01",
        "2025-02",
    ]
    assert months_between(Month(2025, 2), Month(2025, 1)) == []
