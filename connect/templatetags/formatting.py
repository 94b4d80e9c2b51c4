"""Locale-aware money formatting: `{{ order.total|money:order.currency }}`.

Django localizes numbers but knows no currencies: French writes `1 234,50 €`, English `€1,234.50`.
"""

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()

CURRENCY_SYMBOLS = {"EUR": "€", "USD": "$", "GBP": "£", "JPY": "¥", "CHF": "CHF"}
NARROW_NBSP = "\u202f"  # French thousands separator
NBSP = "\u00a0"  # keeps "12,50 €" on one line

CENT = Decimal("0.01")


def format_money(amount: Decimal, currency: str, language: str) -> str:
    currency = currency.upper()
    symbol = CURRENCY_SYMBOLS.get(currency, currency)
    rounded = amount.quantize(CENT, rounding=ROUND_HALF_UP)
    sign = "-" if rounded < 0 else ""
    english = f"{abs(rounded):,.2f}"
    if language.split("-")[0] == "fr":
        number = english.replace(",", NARROW_NBSP).replace(".", ",")
        return f"{sign}{number}{NBSP}{symbol}"
    # Alphabetic codes (CHF, SEK) read badly glued to the number.
    separator = NBSP if symbol.isalpha() else ""
    return f"{sign}{symbol}{separator}{english}"


@register.filter
def money(value, currency: str | None = None) -> str:
    """`value` as an amount in `currency` (default: settings.DEFAULT_CURRENCY) for the active
    language; empty for None, and the value unchanged when it is not a number."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    return format_money(
        amount, currency or settings.DEFAULT_CURRENCY, get_language() or settings.LANGUAGE_CODE
    )


@register.filter
def percent(value) -> str:
    """A rate such as 20 or 5.5 as `20 %` / `5,5 %` in French and `20%` / `5.5%` in English."""
    if value is None or value == "":
        return ""
    try:
        rate = Decimal(str(value)).normalize()
    except (InvalidOperation, ValueError):
        return str(value)
    text = format(rate.quantize(Decimal(1)) if rate == rate.to_integral() else rate, "f")
    if (get_language() or settings.LANGUAGE_CODE).split("-")[0] == "fr":
        return f"{text.replace('.', ',')}{NBSP}%"
    return f"{text}%"
