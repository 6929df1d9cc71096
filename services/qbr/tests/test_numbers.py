"""The number rules shared by the API and the imports (pure): exact trailing-zero removal, the storable
range, and half-up rounding of values of any size."""

from __future__ import annotations

from decimal import Decimal

import pytest

from qbr.numbers import ValueOutOfRange, round_half_up, storable_value, without_trailing_zeros


def test_number_helpers_are_exact() -> None:
    assert without_trailing_zeros(Decimal("1.2300")) == Decimal("1.23")
    assert without_trailing_zeros(Decimal("1.2300")).as_tuple().exponent == -2
    assert without_trailing_zeros(Decimal("0E-20000")).as_tuple().exponent == 0
    assert without_trailing_zeros(Decimal("100")).as_tuple() == Decimal("100").as_tuple()
    # normalize() would round this 40-digit value to 28 digits; the helper keeps every digit.
    long = Decimal("12345678901234.12345678901234567891000")
    assert str(without_trailing_zeros(long)) == "12345678901234.12345678901234567891"
    assert storable_value(Decimal("-999999999999999.99999999999999999999")) < 0
    assert round_half_up(Decimal("1E+40") / Decimal(3), 4) == Decimal("3333333333333333333333333333000000000000.0000")
    assert round_half_up(Decimal("2.00005"), 4) == Decimal("2.0001")
    assert round_half_up(Decimal("-2.00005"), 4) == Decimal("-2.0001")
    for bad in ("1E+15", "-1000000000000000", "1E-21", "NaN", "Infinity"):
        with pytest.raises(ValueOutOfRange):
            storable_value(Decimal(bad))
