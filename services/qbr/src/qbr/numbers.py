"""The numbers a metric or threshold may hold (pure, no I/O), one rule for the API and the imports.

A stored value is finite, below 10^15 in size and has at most 20 decimal places (trailing zeros do not
count: ``1.50`` has one). Outside those bounds PostgreSQL cannot take the value (``1e-20000`` has more
decimal places than ``numeric`` holds), or the views that show it cannot round it (a 30-digit value, or a
SmartNumber dividing by ``1e-30``, overflows the 28-digit decimal context): refused as input, never a 500
when it is stored or read back.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext

MAX_ABS_VALUE = Decimal(10) ** 15
MAX_DECIMAL_PLACES = 20


class ValueOutOfRange(ValueError):
    """A number outside what a metric may hold; the message says why (e.g. "is too large")."""


def without_trailing_zeros(value: Decimal) -> Decimal:
    """The same number without trailing zeros after the decimal point (exact, unlike ``normalize()``,
    which rounds to the context's precision); any zero becomes ``0``."""
    sign, digits, exponent = value.as_tuple()
    if not isinstance(exponent, int) or exponent >= 0:
        return value
    kept = list(digits)
    while exponent < 0 and len(kept) > 1 and kept[-1] == 0:
        kept.pop()
        exponent += 1
    if not any(kept):
        return Decimal(0)
    return Decimal((sign, tuple(kept), exponent))


def storable_value(value: Decimal) -> Decimal:
    """``value`` as it is stored (trailing decimal zeros dropped), or :class:`ValueOutOfRange`."""
    if not value.is_finite():
        raise ValueOutOfRange("must be a finite number")
    if value.copy_abs() >= MAX_ABS_VALUE:  # exact: abs() rounds to the 28-digit context
        raise ValueOutOfRange("is too large")
    exact = without_trailing_zeros(value)
    exponent = exact.as_tuple().exponent
    assert isinstance(exponent, int)
    if -exponent > MAX_DECIMAL_PLACES:
        raise ValueOutOfRange(f"must have at most {MAX_DECIMAL_PLACES} decimal places")
    return exact


def round_half_up(value: Decimal, places: int) -> Decimal:
    """``value`` rounded half away from zero to ``places`` decimals, whatever its size (a ratio with a small
    denominator can have more digits than the default 28-digit context, where quantize would fail)."""
    with localcontext() as context:
        context.prec = max(context.prec, value.adjusted() + places + 2)
        return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def as_float(value: Decimal | None) -> float | None:
    """A stored value as the JSON number the spec shows (``574.0``)."""
    return None if value is None else float(value)
