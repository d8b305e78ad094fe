"""Numbers as the statistics show them: percentages and figures with one decimal.

DESIGN §4: percentages have one decimal, rounded half away from zero, and a
share over nothing is none, never 0 and never an error.
"""

from decimal import ROUND_HALF_UP, Decimal


def percent(numerator: int, denominator: int) -> Decimal | None:
    """``numerator / denominator`` in per cent, one decimal, half away from zero.

    None over a zero denominator (DESIGN §4: never 0, never an error). Counted in
    integers, so a half is a half exactly (5/16 = 31.25 % gives 31.3).
    """
    if denominator == 0:
        return None
    tenths, remainder = divmod(numerator * 1000, denominator)
    # Counts are never negative, so rounding half up is rounding half away from zero.
    if 2 * remainder >= denominator:
        tenths += 1
    return (Decimal(tenths) / 10).quantize(Decimal("0.1"))


def one_decimal(value: float | None) -> float | None:
    """A figure with one decimal, half away from zero, as it reads (12.35 → 12.4)."""
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))
