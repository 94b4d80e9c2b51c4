"""Concurrent stock batches on PostgreSQL: no lost update, no deadlock whatever the order of
their moves (each batch locks its rows in one query ordered by product and warehouse)."""

import time

import pytest
from django.db import transaction

from inventory.models import StockItem, StockMovement
from inventory.services import stock_move_many
from tests.db_threads import run_in_threads
from tests.inventory.factories import make_product, make_warehouse

ROUNDS = 30
START = 1000

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_batches_in_opposite_orders_never_deadlock():
    warehouse, other = make_warehouse(), make_warehouse()
    products = [make_product(stock={warehouse: START, other: START}) for _ in range(4)]
    rows = [(product, w) for product in products for w in (warehouse, other)]

    def ship(order: list) -> None:
        for _ in range(ROUNDS):
            with transaction.atomic():
                stock_move_many(
                    moves=[(product, w, -1) for product, w in order], reason="order_shipment"
                )
                # Hold the locks a moment, so that the two batches overlap.
                time.sleep(0.002)

    failures = run_in_threads(lambda: ship(rows), lambda: ship(rows[::-1]))

    assert failures == []
    for product, w in rows:
        assert StockItem.objects.get(product=product, warehouse=w).physical == START - 2 * ROUNDS
        after = StockMovement.objects.filter(
            product=product, warehouse=w, reason="order_shipment"
        ).values_list("physical_after", flat=True)
        # Every movement saw a distinct quantity: no two batches read the same old value.
        assert sorted(after) == list(range(START - 2 * ROUNDS, START))


def test_batches_creating_the_same_rows_in_opposite_orders_make_each_row_once():
    warehouse = make_warehouse()
    products = [make_product() for _ in range(6)]

    def receive(order: list) -> None:
        stock_move_many(moves=[(product, warehouse, 1) for product in order], reason="initial")

    failures = run_in_threads(
        lambda: receive(products), lambda: receive(products[::-1]), lambda: receive(products)
    )

    assert failures == []
    for product in products:
        assert StockItem.objects.get(product=product, warehouse=warehouse).physical == 3
