"""Money arithmetic for order lines (pure functions, no database).

French retail prices are set tax included, so a row's amounts are derived from the
tax-included total: row incl. tax → row excl. tax → tax = the difference. The tax-included
total a customer paid is therefore never off by a rounding cent.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.utils.translation import gettext

from sales.exceptions import InvalidOrder

CENT = Decimal("0.01")
PRICE_PLACES = Decimal("0.0001")
ZERO = Decimal("0")


def to_decimal(value: object, label: str) -> Decimal:
    try:
        number = value if isinstance(value, Decimal) else Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise InvalidOrder(
            gettext("%(label)s must be a number, not %(value)r.") % {"label": label, "value": value}
        ) from None
    if not number.is_finite():
        raise InvalidOrder(gettext("%(label)s must be a number.") % {"label": label})
    return number


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, ROUND_HALF_UP)


def excl_tax(amount_incl_tax: Decimal, tax_rate: Decimal, places: Decimal = CENT) -> Decimal:
    return (amount_incl_tax / (1 + tax_rate / 100)).quantize(places, ROUND_HALF_UP)


def incl_tax(amount_excl_tax: Decimal, tax_rate: Decimal, places: Decimal = CENT) -> Decimal:
    return (amount_excl_tax * (1 + tax_rate / 100)).quantize(places, ROUND_HALF_UP)


@dataclass(frozen=True)
class LineAmounts:
    unit_price: Decimal
    unit_price_incl_tax: Decimal
    discount_amount: Decimal
    row_total: Decimal
    tax_amount: Decimal
    row_total_incl_tax: Decimal


def line_amounts(
    *,
    quantity: int,
    tax_rate: Decimal,
    unit_price: Decimal | None = None,
    unit_price_incl_tax: Decimal | None = None,
    discount_amount: Decimal = ZERO,
) -> LineAmounts:
    """Amounts of one order row. Give the unit price excluding or including tax (or both, when
    the source system states both); `discount_amount` is tax included, for the whole row."""
    if unit_price is None and unit_price_incl_tax is None:
        raise InvalidOrder(gettext("An order line needs a unit price."))
    if tax_rate < 0 or tax_rate > 100:
        raise InvalidOrder(gettext("Tax rate must be between 0 and 100."))
    if unit_price_incl_tax is None:
        unit_price_incl_tax = incl_tax(unit_price, tax_rate, PRICE_PLACES)
    elif unit_price is None:
        unit_price = excl_tax(unit_price_incl_tax, tax_rate, PRICE_PLACES)
    if unit_price < 0 or unit_price_incl_tax < 0:
        raise InvalidOrder(gettext("A unit price cannot be negative."))
    gross = unit_price_incl_tax * quantity
    if discount_amount < 0 or discount_amount > gross:
        raise InvalidOrder(gettext("A discount must be between 0 and the row's total."))
    row_total_incl_tax = money(gross - discount_amount)
    row_total = excl_tax(row_total_incl_tax, tax_rate)
    return LineAmounts(
        unit_price=unit_price.quantize(PRICE_PLACES, ROUND_HALF_UP),
        unit_price_incl_tax=unit_price_incl_tax.quantize(PRICE_PLACES, ROUND_HALF_UP),
        discount_amount=money(discount_amount),
        row_total=row_total,
        tax_amount=row_total_incl_tax - row_total,
        row_total_incl_tax=row_total_incl_tax,
    )


def share(total: Decimal, part: int, whole: int, already: Decimal, completes: bool) -> Decimal:
    """The part of a row's `total` for `part` units out of `whole`.

    The document that completes the row takes what is left (`total − already`), so partial
    invoices or refunds of one row always add up to its total exactly.
    """
    if completes:
        return total - already
    return money(total * part / whole)
