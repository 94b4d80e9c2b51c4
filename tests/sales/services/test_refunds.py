from decimal import Decimal

import pytest
from django.utils import translation

from sales.exceptions import InvalidOrder, RefundExceedsRemaining
from sales.models import OrderStatus, RmaStatus
from sales.services import (
    LineSpec,
    RefundLineSpec,
    RmaLineSpec,
    order_create,
    order_import_complete,
    order_invoice,
    refund_create,
    refundable_amount,
    rma_create,
)
from tests.factories import make_source
from tests.sales.helpers import event_texts, table_counts
from tests.sales.services.query_counts import queries_of, stocked

pytestmark = pytest.mark.django_db


@pytest.fixture
def sold(store, mug, book, placed_at):
    """A completed sale: 3 mugs at 12.00 and 1 book at 5.57 = 41.57."""
    return order_import_complete(
        store=store,
        lines=[
            LineSpec(product=mug, quantity=3),
            LineSpec(product=book, quantity=1, unit_price_incl_tax="5.57"),
        ],
        payments=[],
        shipping_method=None,
        integration=make_source("pos"),
        external_reference="5",
        placed_at=placed_at,
    )


def test_refund_lines_at_their_price(sold):
    mug_line = sold.lines.get(sku="MUG-BLANC")
    refund = refund_create(order=sold, lines=[RefundLineSpec(order_line=mug_line, quantity=1)])
    assert refund.number.startswith("AVO-")
    assert refund.amount == Decimal("12.00")
    mug_line.refresh_from_db()
    assert mug_line.qty_refunded == 1
    assert refundable_amount(sold) == Decimal("29.57")
    assert sold.status == OrderStatus.COMPLETE
    assert sold.events.filter(kind="refund").count() == 1


def test_refunding_everything_closes_the_order(sold):
    refund_create(order=sold, amount="30")
    refund_create(order=sold, amount="11.57", note="Solde")
    assert refundable_amount(sold) == 0
    assert sold.status == OrderStatus.CLOSED
    closed = sold.events.last()
    assert closed.new_status == OrderStatus.CLOSED
    assert event_texts(closed) == (
        "Statut passé de Terminée à Clôturée.",
        "Status changed from Complete to Closed.",
    )
    refund = sold.refunds.get(note="Solde")
    event = sold.events.get(kind="refund", data__refund_id=refund.pk)
    assert event.params == {"number": refund.number, "amount": "11.57", "currency": "EUR"}
    assert event_texts(event) == (
        f"Remboursement {refund.number} de 11,57\u00a0€.",
        f"Refund {refund.number} of €11.57.",
    )


def test_refund_never_exceeds_what_remains(sold):
    refund_create(order=sold, amount="40")
    before = table_counts()
    with pytest.raises(RefundExceedsRemaining) as error:
        refund_create(order=sold, amount="1.58")
    assert error.value.remaining == Decimal("1.57")
    assert table_counts() == before


def test_refund_quantities_cannot_exceed_invoiced(sold):
    line = sold.lines.get(sku="LIVRE-POCHE")
    refund_create(order=sold, lines=[RefundLineSpec(order_line=line, quantity=1)])
    with pytest.raises(InvalidOrder):
        refund_create(order=sold, lines=[RefundLineSpec(order_line=line, quantity=1)])


def test_a_line_given_twice_in_one_refund_is_refused(sold):
    mug_line = sold.lines.get(sku="MUG-BLANC")
    before = table_counts()
    with pytest.raises(InvalidOrder, match=r"Line MUG-BLANC is given twice\."):
        refund_create(
            order=sold,
            lines=[
                RefundLineSpec(order_line=mug_line, quantity=1),
                RefundLineSpec(order_line=mug_line, quantity=1),
            ],
        )
    assert table_counts() == before
    # Given once with its whole quantity, the two mugs are paid once.
    refund = refund_create(order=sold, lines=[RefundLineSpec(order_line=mug_line, quantity=2)])
    assert refund.amount == Decimal("24.00")


def test_a_typed_line_amount_cannot_exceed_what_is_left_on_the_line(sold):
    mug_line = sold.lines.get(sku="MUG-BLANC")  # 3 × 12.00 = 36.00
    before = table_counts()
    with pytest.raises(InvalidOrder) as error:
        refund_create(
            order=sold, lines=[RefundLineSpec(order_line=mug_line, quantity=1, amount="36.01")]
        )
    assert str(error.value) == "36.01 refunded on MUG-BLANC: only 36.00 is left to refund."
    assert table_counts() == before
    refund_create(order=sold, lines=[RefundLineSpec(order_line=mug_line, quantity=1, amount="30")])
    with pytest.raises(InvalidOrder, match=r"only 6\.00 is left"):
        refund_create(
            order=sold, lines=[RefundLineSpec(order_line=mug_line, quantity=1, amount="6.01")]
        )
    # Without a typed amount, the next mug is paid no more than what is left on its line.
    refund = refund_create(order=sold, lines=[RefundLineSpec(order_line=mug_line, quantity=1)])
    assert refund.amount == Decimal("6.00")
    mug_line.refresh_from_db()
    assert mug_line.qty_refunded == 2


def test_a_typed_line_amount_error_is_translated(sold):
    mug_line = sold.lines.get(sku="MUG-BLANC")
    with translation.override("fr"), pytest.raises(InvalidOrder) as error:
        refund_create(
            order=sold, lines=[RefundLineSpec(order_line=mug_line, quantity=1, amount="40")]
        )
    assert (
        str(error.value) == "40.00 remboursés sur MUG-BLANC : il ne reste que 36.00 à rembourser."
    )


def test_nothing_invoiced_means_nothing_refundable(store, mug):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    with pytest.raises(RefundExceedsRemaining):
        refund_create(order=order, amount="1")
    order_invoice(order=order)
    assert refund_create(order=order, amount="12").amount == Decimal("12")


@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_refund_amount_must_be_positive(sold, amount):
    with pytest.raises(InvalidOrder):
        refund_create(order=sold, amount=amount)


def test_refund_for_a_return_with_an_external_reference_is_made_once(sold):
    line = sold.lines.get(sku="MUG-BLANC")
    rma = rma_create(
        order=sold,
        lines=[RmaLineSpec(order_line=line, quantity=1, back_to_stock=True)],
        status=RmaStatus.COMPLETE,
    )
    kwargs = {
        "order": sold,
        "lines": [RefundLineSpec(order_line=line, quantity=1)],
        "rma": rma,
        "external_reference": "exchange-9",
    }
    first = refund_create(**kwargs)
    assert refund_create(**kwargs) == first
    assert rma.refunds.get() == first
    assert sold.refunds.count() == 1


def test_refund_queries_do_not_grow_with_the_lines(
    store, warehouse, placed_at, django_assert_max_num_queries
):
    products = stocked(warehouse, 10)
    sales = [
        order_import_complete(
            store=store,
            lines=[LineSpec(product=product, quantity=2) for product in chosen],
            payments=[],
            shipping_method=None,
            integration=make_source("hiboutik"),
            external_reference=reference,
            placed_at=placed_at,
        )
        for reference, chosen in [("warm-up", products[:1]), ("1", products[:1]), ("10", products)]
    ]

    def refund_one_each(order):
        return refund_create(
            order=order,
            lines=[RefundLineSpec(order_line=line, quantity=1) for line in order.lines.all()],
        )

    refund_one_each(sales[0])
    one = queries_of(lambda: refund_one_each(sales[1]))
    with django_assert_max_num_queries(16) as ten:
        refund = refund_one_each(sales[2])
    assert len(ten) == len(one)
    assert refund.lines.count() == 10
    assert set(sales[2].lines.values_list("qty_refunded", flat=True)) == {1}
