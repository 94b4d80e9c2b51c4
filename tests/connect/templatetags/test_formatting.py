from decimal import Decimal

import pytest
from django.template import Context, Template
from django.utils import translation

from connect.templatetags.formatting import format_money, money, percent


@pytest.mark.parametrize(
    ("amount", "currency", "language", "expected"),
    [
        ("12.5", "EUR", "fr", "12,50\u00a0€"),
        ("12.5", "EUR", "en", "€12.50"),
        ("1234567.891", "EUR", "fr", "1\u202f234\u202f567,89\u00a0€"),
        ("1234567.891", "EUR", "en", "€1,234,567.89"),
        ("-3.005", "EUR", "fr", "-3,01\u00a0€"),
        ("-3.005", "EUR", "en", "-€3.01"),
        ("0", "usd", "en", "$0.00"),
        ("9.99", "CHF", "en", "CHF\u00a09.99"),
        ("9.99", "SEK", "fr", "9,99\u00a0SEK"),
        # Each currency with its own decimals and symbol placement.
        ("1234", "JPY", "en", "¥1,234"),
        ("1234.5", "JPY", "en", "¥1,235"),
        ("1234", "JPY", "fr", "1\u202f234\u00a0JPY"),
        ("1.2345", "KWD", "en", "KWD\u00a01.235"),
        ("10", "USD", "fr", "10,00\u00a0$US"),
    ],
)
def test_format_money_per_locale(amount, currency, language, expected):
    assert format_money(Decimal(amount), currency, language) == expected


def test_filter_uses_active_language_and_default_currency(settings):
    settings.DEFAULT_CURRENCY = "EUR"
    with translation.override("fr"):
        assert money(Decimal("12.50")) == "12,50\u00a0€"
    with translation.override("en"):
        assert money("12.50", "GBP") == "£12.50"


@pytest.mark.parametrize("value", [None, ""])
def test_filter_leaves_missing_amounts_empty(value):
    assert money(value) == ""


def test_filter_returns_non_numbers_unchanged():
    assert money("n/a") == "n/a"
    assert money(float("nan")) == "nan"


def test_filter_in_a_template():
    template = Template("{% load formatting %}{{ total|money:currency }}")
    with translation.override("en"):
        assert template.render(Context({"total": Decimal("7"), "currency": "EUR"})) == "€7.00"


@pytest.mark.parametrize(
    ("rate", "language", "expected"),
    [
        (Decimal("20.00"), "fr", "20\u00a0%"),
        (Decimal("20.00"), "en", "20%"),
        (Decimal("5.50"), "fr", "5,5\u00a0%"),
        ("2.1", "en", "2.1%"),
    ],
)
def test_percent_per_locale(rate, language, expected):
    with translation.override(language):
        assert percent(rate) == expected


def test_percent_leaves_missing_and_odd_values_alone():
    assert percent(None) == ""
    assert percent("abc") == "abc"
