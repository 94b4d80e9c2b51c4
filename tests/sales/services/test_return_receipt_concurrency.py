"""Two receipts of the same return at once on PostgreSQL (a double click, a task retried while
the first run still works): the goods go back to stock once and one refund is made."""

import pytest

from inventory.models import StockItem, StockMovement
from sales.models import Refund, RmaStatus, Store
from sales.services import (
    LineSpec,
    RmaLineSpec,
    order_create,
    order_invoice,
    order_ship,
    rma_create,
    rma_receive,
)
from tests.db_threads import run_in_threads
from tests.inventory.factories import make_product, make_warehouse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_simultaneous_receipts_restock_and_refund_once():
    warehouse = make_warehouse()
    store = Store.objects.create(code="S", name="S", default_warehouse=warehouse)
    product = make_product(stock={warehouse: 5})
    order = order_create(store=store, lines=[LineSpec(product=product, quantity=2)])
    order_invoice(order=order)
    order_ship(order=order)
    rma = rma_create(
        order=order,
        lines=[RmaLineSpec(order_line=order.lines.get(), quantity=2, back_to_stock=True)],
        status=RmaStatus.AUTHORIZED,
    )

    failures = run_in_threads(*[lambda: rma_receive(rma=rma, refund=True)] * 4)

    assert failures == []
    assert StockItem.objects.get(product=product, warehouse=warehouse).physical == 5
    assert StockMovement.objects.filter(reason="return").count() == 1
    assert Refund.objects.filter(rma=rma).count() == 1
