from decimal import Decimal

import pytest

from sales.exceptions import InvalidOrder
from sales.services.amounts import line_amounts, share


def test_amounts_from_a_tax_included_price():
    amounts = line_amounts(quantity=3, tax_rate=Decimal("20"), unit_price_incl_tax=Decimal("9.99"))
    assert amounts.row_total_incl_tax == Decimal("29.97")
    assert amounts.row_total == Decimal("24.98")
    assert amounts.tax_amount == Decimal("4.99")
    assert amounts.unit_price == Decimal("8.3250")


def test_amounts_from_a_tax_excluded_price():
    amounts = line_amounts(quantity=2, tax_rate=Decimal("5.5"), unit_price=Decimal("2.8341"))
    assert amounts.unit_price_incl_tax == Decimal("2.9900")
    assert amounts.row_total_incl_tax == Decimal("5.98")


def test_both_prices_given_are_kept_as_stated():
    amounts = line_amounts(
        quantity=1,
        tax_rate=Decimal("20"),
        unit_price=Decimal("10"),
        unit_price_incl_tax=Decimal("12"),
    )
    assert (amounts.unit_price, amounts.unit_price_incl_tax) == (Decimal("10"), Decimal("12"))


@pytest.mark.parametrize(
    "kwargs",
    [
        {},
        {"unit_price": Decimal("1"), "tax_rate": Decimal("-1")},
        {"unit_price": Decimal("1"), "discount_amount": Decimal("-1")},
    ],
)
def test_bad_amounts_are_refused(kwargs):
    kwargs = {"quantity": 1, "tax_rate": Decimal("20"), **kwargs}
    with pytest.raises(InvalidOrder):
        line_amounts(**kwargs)


def test_shares_add_up_to_the_total():
    total = Decimal("10.00")
    first = share(total, 1, 3, Decimal("0"), completes=False)
    second = share(total, 1, 3, first, completes=False)
    third = share(total, 1, 3, first + second, completes=True)
    assert (first, second, third) == (Decimal("3.33"), Decimal("3.33"), Decimal("3.34"))
