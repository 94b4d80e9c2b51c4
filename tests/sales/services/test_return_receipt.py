"""Receiving a return: back to stock in the chosen warehouse, the refund of what came back, and
both safe to call twice."""

from decimal import Decimal

import pytest

from inventory.models import StockItem, StockMovement
from sales.exceptions import InvalidOrder, InvalidStatusTransition
from sales.models import Refund, RmaStatus
from sales.services import (
    LineSpec,
    RefundLineSpec,
    RmaLineSpec,
    RmaReceiptLine,
    order_create,
    order_invoice,
    order_ship,
    refund_create,
    rma_create,
    rma_receive,
    rma_refund,
    rma_set_status,
)
from tests.sales.helpers import event_texts
from tests.sales.services.query_counts import queries_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_order(store, mug, book):
    """2 mugs (12.00 each) and 1 book (5.57), invoiced and shipped from the main warehouse."""
    order = order_create(
        store=store,
        lines=[LineSpec(product=mug, quantity=2), LineSpec(product=book, quantity=1)],
    )
    order_invoice(order=order)
    order_ship(order=order)
    return order


def physical(product, warehouse) -> int:
    item = StockItem.objects.filter(product=product, warehouse=warehouse).first()
    return item.physical if item else 0


def authorized_return(order, *, back_to_stock=True, mugs=2, books=1):
    lines = {line.sku: line for line in order.lines.all()}
    wanted = {"MUG-BLANC": mugs, "LIVRE-POCHE": books}
    specs = [
        RmaLineSpec(order_line=lines[sku], quantity=quantity, back_to_stock=back_to_stock)
        for sku, quantity in wanted.items()
        if quantity
    ]
    return rma_create(order=order, lines=specs, status=RmaStatus.AUTHORIZED)


def test_receiving_puts_the_goods_back_in_the_warehouse_chosen(
    shipped_order, mug, book, warehouse, other_warehouse
):
    rma = authorized_return(shipped_order)
    assert physical(mug, warehouse) == 8 and physical(book, warehouse) == 3

    receipt = rma_receive(rma=rma, warehouse=other_warehouse)

    assert receipt.rma.status == RmaStatus.RECEIVED
    assert (physical(mug, other_warehouse), physical(book, other_warehouse)) == (2, 1)
    assert (physical(mug, warehouse), physical(book, warehouse)) == (8, 3)
    assert sorted((m.product.sku, m.quantity, m.reason) for m in receipt.movements) == [
        ("LIVRE-POCHE", 1, "return"),
        ("MUG-BLANC", 2, "return"),
    ]
    assert {(line.warehouse, line.restocked) for line in rma.lines.all()} == {
        (other_warehouse, True)
    }
    assert receipt.refund is None
    event = shipped_order.events.filter(kind="rma").last()
    assert event_texts(event)[1] == f"Return {rma.number}: Authorized → Received."


def test_each_line_may_come_back_differently(shipped_order, mug, book, warehouse, other_warehouse):
    rma = authorized_return(shipped_order)
    mug_line = rma.lines.get(order_line__sku="MUG-BLANC")
    book_line = rma.lines.get(order_line__sku="LIVRE-POCHE")

    rma_receive(
        rma=rma,
        lines=[
            RmaReceiptLine(rma_line=mug_line, back_to_stock=True, warehouse=other_warehouse),
            {"rma_line": book_line.pk, "back_to_stock": False},  # damaged: not resold
        ],
    )

    assert physical(mug, other_warehouse) == 2
    assert physical(book, warehouse) == 3 and physical(book, other_warehouse) == 0
    book_line.refresh_from_db()
    assert (book_line.back_to_stock, book_line.restocked) == (False, False)


def test_lines_not_given_keep_what_the_return_declared(shipped_order, mug, book, warehouse):
    rma = authorized_return(shipped_order)  # both back to stock, to the serving warehouse
    rma_receive(rma=rma)
    assert (physical(mug, warehouse), physical(book, warehouse)) == (10, 4)


def test_receiving_twice_restocks_once(shipped_order, mug, warehouse):
    rma = authorized_return(shipped_order, books=0)
    rma_receive(rma=rma)
    again = rma_receive(rma=rma, warehouse=warehouse)
    assert again.movements == []
    assert physical(mug, warehouse) == 10
    assert StockMovement.objects.filter(reason="return").count() == 1
    # A return received at creation (a POS exchange) is already received too.
    lines = list(shipped_order.lines.filter(sku="LIVRE-POCHE"))
    exchange = rma_create(
        order=shipped_order,
        lines=[RmaLineSpec(order_line=lines[0], quantity=1, back_to_stock=True)],
        status=RmaStatus.RECEIVED,
    )
    assert rma_receive(rma=exchange).movements == []
    assert StockMovement.objects.filter(reason="return").count() == 2


def test_a_canceled_return_cannot_be_received(shipped_order):
    rma = authorized_return(shipped_order)
    rma_set_status(rma=rma, status=RmaStatus.CANCELED)
    with pytest.raises(InvalidStatusTransition):
        rma_receive(rma=rma)


def test_a_line_of_another_return_is_refused_and_nothing_is_written(shipped_order, mug, warehouse):
    first = authorized_return(shipped_order, mugs=1, books=0)
    second = authorized_return(shipped_order, mugs=1, books=0)
    with pytest.raises(InvalidOrder):
        rma_receive(
            rma=first, lines=[RmaReceiptLine(rma_line=second.lines.get(), back_to_stock=True)]
        )
    first.refresh_from_db()
    assert first.status == RmaStatus.AUTHORIZED
    assert physical(mug, warehouse) == 8


def test_receipt_with_refund_refunds_what_came_back_in_the_same_transaction(
    shipped_order, warehouse
):
    rma = authorized_return(shipped_order, mugs=1)

    receipt = rma_receive(rma=rma, refund=True, refund_note="Retour en boutique")

    refund = receipt.refund
    assert refund.rma == rma
    assert refund.amount == Decimal("17.57")  # one mug 12.00 + one book 5.57
    assert refund.note == "Retour en boutique"
    assert sorted((line.order_line.sku, line.quantity) for line in refund.lines.all()) == [
        ("LIVRE-POCHE", 1),
        ("MUG-BLANC", 1),
    ]
    # Called again (a retried task): the same refund, nothing new.
    assert rma_receive(rma=rma, refund=True).refund == refund
    assert rma_refund(rma=rma) == refund
    assert Refund.objects.count() == 1


def test_a_refused_refund_undoes_the_receipt(store, mug, warehouse):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    order_ship(order=order)  # shipped, never invoiced: nothing to refund
    rma = rma_create(
        order=order,
        lines=[RmaLineSpec(order_line=order.lines.get(), quantity=1, back_to_stock=True)],
    )
    with pytest.raises(InvalidOrder) as refused:
        rma_receive(rma=rma, refund=True)
    assert "can be refunded" in str(refused.value)
    rma.refresh_from_db()
    assert rma.status == RmaStatus.AUTHORIZED
    assert physical(mug, warehouse) == 9


def test_refund_covers_only_what_no_refund_of_the_return_covers(shipped_order):
    rma = authorized_return(shipped_order)
    mug_line = shipped_order.lines.get(sku="MUG-BLANC")
    refund_create(order=shipped_order, rma=rma, lines=[RefundLineSpec(mug_line, 1)])

    refund = rma_refund(rma=rma)

    assert sorted((line.order_line.sku, line.quantity) for line in refund.lines.all()) == [
        ("LIVRE-POCHE", 1),
        ("MUG-BLANC", 1),
    ]
    assert refund.amount == Decimal("17.57")


def test_refund_with_a_known_external_reference_is_returned_as_it_is(shipped_order):
    rma = authorized_return(shipped_order, books=0)
    first = rma_refund(rma=rma, external_reference="EXCH-1")
    assert rma_refund(rma=rma, external_reference="EXCH-1") == first
    assert Refund.objects.count() == 1


def test_receipt_queries_do_not_grow_with_the_lines(store, warehouse):
    from tests.sales.services.query_counts import stocked

    def received(count: int) -> list[str]:
        products = stocked(warehouse, count)
        order = order_create(store=store, lines=[LineSpec(product=p, quantity=1) for p in products])
        order_invoice(order=order)
        order_ship(order=order)
        rma = rma_create(
            order=order,
            lines=[
                RmaLineSpec(order_line=line, quantity=1, back_to_stock=True)
                for line in order.lines.all()
            ],
        )
        return queries_of(lambda: rma_receive(rma=rma, refund=True))

    received(1)  # warm-up: counters and content types
    assert len(received(1)) == len(received(8))
