"""Decimal arithmetic and formatting as Hiboutik presents it: money as strings with a fixed
number of places, rounding half away from zero (PHP's ``round``)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
TEN_THOUSANDTH = Decimal("0.0001")


def round_cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def round4(value: Decimal) -> Decimal:
    return value.quantize(TEN_THOUSANDTH, rounding=ROUND_HALF_UP)


def fmt(value: Decimal, places: int = 2) -> str:
    """``Decimal("62")`` → ``"62.00"`` (or ``"62.0000"`` with 4 places)."""
    step = Decimal(1).scaleb(-places)
    text = str(value.quantize(step, rounding=ROUND_HALF_UP))
    return "0." + "0" * places if text.startswith("-0") and Decimal(text) == 0 else text


def rate_percent(rate: Decimal) -> int | float:
    """A VAT fraction as the percentage number sale lines carry (``20``, ``5.5``)."""
    percent = (rate * 100).normalize()
    return int(percent) if percent == percent.to_integral_value() else float(percent)


def rate_label(rate: Decimal) -> str:
    return f"{rate_percent(rate)}%"
