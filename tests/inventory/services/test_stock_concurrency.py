"""Concurrent decrements on one StockItem must never lose an update (PostgreSQL row locks)."""

import pytest

from inventory.models import StockItem, StockMovement
from inventory.services import stock_move
from tests.db_threads import run_in_threads
from tests.inventory.factories import make_product, make_warehouse

THREADS = 8
DECREMENTS = 25


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_decrements_lose_nothing():
    warehouse = make_warehouse()
    product = make_product(stock={warehouse: THREADS * DECREMENTS + 10})

    def decrement() -> None:
        for _ in range(DECREMENTS):
            stock_move(
                product=product,
                warehouse=warehouse,
                quantity=-1,
                reason=StockMovement.Reason.ORDER_SHIPMENT,
            )

    assert run_in_threads(*[decrement] * THREADS) == []
    assert StockItem.objects.get(product=product, warehouse=warehouse).physical == 10
    shipped = StockMovement.objects.filter(product=product, reason="order_shipment")
    assert shipped.count() == THREADS * DECREMENTS
    # Each movement saw a distinct resulting quantity: no two read the same old value.
    assert sorted(shipped.values_list("physical_after", flat=True)) == list(
        range(10, 10 + THREADS * DECREMENTS)
    )


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_first_moves_create_one_stock_item():
    warehouse = make_warehouse()
    product = make_product()

    def add_one() -> None:
        stock_move(product=product, warehouse=warehouse, quantity=1, reason="initial")

    assert run_in_threads(*[add_one] * THREADS) == []
    assert StockItem.objects.get(product=product, warehouse=warehouse).physical == THREADS
