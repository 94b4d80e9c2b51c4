"""A Hiboutik sale read as the order it becomes: pure, no database."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from hiboutik.mappers.orders import (
    exchange_plans,
    is_refund,
    order_line_plans,
    payment_plans,
    placed_at,
    tax_percent,
)
from hiboutik.types import CashFlow, PaymentDetail, Sale, SaleLine


def line(line_item_id=1, **fields):
    values = {
        "product_id": 4,
        "size_id": 0,
        "quantity": 1,
        "unit_price": Decimal("19.50"),
        "vat": Decimal("0.200"),
    }
    return SaleLine(line_item_id=line_item_id, **{**values, **fields})


def sale(*lines, **fields):
    fields.setdefault("total", Decimal("19.50"))
    return Sale(sale_id=9, store_id=1, lines=lines, **fields)


@pytest.mark.parametrize(
    ("vat", "percent"),
    [("0.200", "20.00"), ("0.2", "20.00"), ("0.055", "5.50"), ("20", "20.00"), ("5.5", "5.50"),
     ("0", "0.00"), ("0.08500", "8.50")],
)  # fmt: skip
def test_a_rate_is_read_as_a_fraction_or_a_percentage(vat, percent):
    assert tax_percent(Decimal(vat)) == Decimal(percent)


def test_lines_keep_the_tills_figures_and_prices_without_taxes_are_net():
    plan = order_line_plans(
        sale(
            line(
                quantity=3,
                unit_price=Decimal("9.6667"),
                ref_ext="REF",
                barcode="243",
                total_net=Decimal("24.18"),
                total_gross=Decimal("29.01"),
            ),
            prices_without_taxes=True,
        )
    )[0]
    assert (plan.unit_price, plan.unit_price_incl_tax) == (Decimal("9.6667"), None)
    assert (plan.row_total, plan.row_total_incl_tax) == (Decimal("24.18"), Decimal("29.01"))
    assert plan.references == ("REF", "243") and plan.reference == "REF"
    gross = order_line_plans(sale(line()))[0]
    assert (gross.unit_price, gross.unit_price_incl_tax, gross.row_total) == (
        None,
        Decimal("19.50"),
        None,
    )


def test_payments_per_type_split_sales_and_later_payments():
    single = sale(line(), payment="CB", payment_total=Decimal("19.50"))
    assert [(p.payment_type, p.amount, p.reference) for p in payment_plans(single)] == [
        ("CB", Decimal("19.50"), "sale")
    ]
    split = sale(
        line(),
        payment="DIV",
        payment_details=(
            PaymentDetail("ESP", Decimal("10.00"), 7),
            PaymentDetail("CB", Decimal("9.50"), 8),
            PaymentDetail("CHE", Decimal("0.00"), 9),
        ),
        cash_flow=(CashFlow("ESP", Decimal("-1.00"), cash_flow_id=3),),
    )
    assert [(p.payment_type, p.amount, p.reference) for p in payment_plans(split)] == [
        ("ESP", Decimal("10.00"), "detail:7"),
        ("CB", Decimal("9.50"), "detail:8"),
        ("ESP", Decimal("-1.00"), "cash_flow:3"),
    ]


def test_sale_times_are_the_stores_local_time_made_utc():
    closed = sale(line(), completed_at=datetime(2026, 7, 1, 10, 0, 0))
    assert placed_at(closed, "Europe/Paris") == datetime(2026, 7, 1, 8, 0, tzinfo=UTC)
    assert placed_at(closed, "Indian/Reunion") == datetime(2026, 7, 1, 6, 0, tzinfo=UTC)


def test_a_negative_sale_is_a_refund_unless_it_returns_lines():
    assert is_refund(sale(line(unit_price=Decimal("-5")), total=Decimal("-5.00")))
    returning = sale(
        line(2, unit_price=Decimal("-19.50"), credit_note=True, line_item_id_return=1),
        total=Decimal("-19.50"),
    )
    assert not is_refund(returning)
    assert order_line_plans(returning) == ()


def test_both_shapes_of_an_exchange_are_planned():
    returned = sale(
        line(5, unit_price=Decimal("-19.50"), credit_note=True, credit_note_id=2,
             line_item_id_return=1, stock_withdrawal=True),
        line(6, product_id=5),
    )  # fmt: skip
    (plan,) = exchange_plans(returned)
    assert plan.external_id == "return:9:1:2"
    assert plan.payload["shape"] == "return_line"
    assert plan.payload["original_line_item_id"] == 1
    assert plan.payload["restocked_in_hiboutik"] is True
    credited = sale(line(1, credit_note=True, credit_note_id=3, quantity=2))
    (plan,) = exchange_plans(credited)
    assert plan.external_id == "credit:9:1:3"
    assert (plan.payload["original_sale_id"], plan.payload["quantity"]) == (9, 2)
