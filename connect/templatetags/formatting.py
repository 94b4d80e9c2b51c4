"""Locale-aware money formatting: `{{ order.total|money:order.currency }}`.

Django localizes numbers but knows no currencies: French writes `1 234,50 €`, English `€1,234.50`,
and a yen amount has no decimals. Babel knows each currency and each language.
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from babel.numbers import format_currency, get_currency_precision
from django import template
from django.conf import settings
from django.utils.translation import get_language

register = template.Library()

NBSP = "\u00a0"  # keeps "12,50 €" on one line
# A currency written as letters before the amount ("CHF 9.99") needs a space to be read.
GLUED_CODE = re.compile(r"^(-?)([A-Z]{2,})(?=\d)")


@lru_cache(maxsize=32)
def _locale(language: str) -> Locale:
    try:
        return Locale.parse(language.replace("-", "_"))
    except (UnknownLocaleError, ValueError):
        return Locale.parse(settings.LANGUAGE_CODE)


def format_money(amount: Decimal, currency: str, language: str) -> str:
    """`amount` in `currency` as `language` writes it (CLDR data through Babel): each currency
    with its own decimals (none for yen) and symbol placement. Rounded half up, as prices are."""
    currency = currency.upper()
    step = Decimal(1).scaleb(-get_currency_precision(currency))
    rounded = amount.quantize(step, rounding=ROUND_HALF_UP)
    text = format_currency(rounded, currency, locale=_locale(language))
    return GLUED_CODE.sub(lambda match: f"{match[1]}{match[2]}{NBSP}", text)


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
