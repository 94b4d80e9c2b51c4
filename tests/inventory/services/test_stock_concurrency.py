"""Concurrent decrements on one StockItem must never lose an update (PostgreSQL row locks)."""

import threading

import pytest
from django.db import connection

from inventory.models import StockItem, StockMovement
from inventory.services import stock_move
from tests.inventory.factories import make_product, make_warehouse

THREADS = 8
DECREMENTS = 25


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_decrements_lose_nothing():
    warehouse = make_warehouse()
    product = make_product(stock={warehouse: THREADS * DECREMENTS + 10})
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def decrement() -> None:
        try:
            start.wait()
            for _ in range(DECREMENTS):
                stock_move(
                    product=product,
                    warehouse=warehouse,
                    quantity=-1,
                    reason=StockMovement.Reason.ORDER_SHIPMENT,
                )
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=decrement) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
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
    start = threading.Barrier(THREADS)
    failures: list[BaseException] = []

    def add_one() -> None:
        try:
            start.wait()
            stock_move(product=product, warehouse=warehouse, quantity=1, reason="initial")
        except BaseException as error:
            failures.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=add_one) for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    assert StockItem.objects.get(product=product, warehouse=warehouse).physical == THREADS
