"""Order services running at once on PostgreSQL: every one locks the order row, then the stock
rows (one query sorted by product and warehouse), then the document counters, so none of them
ever waits for another in the opposite order."""

import threading
import time
from decimal import Decimal

import pytest
from django.db import connection

import sales.services.order_import
import sales.services.shipping
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem, StockMovement
from inventory.services import stock_move, stock_set
from sales.models import Order, OrderStatus, Store
from sales.services import LineSpec, order_create, order_import_complete
from tests.db_threads import run_in_threads
from tests.factories import make_source
from tests.inventory.factories import make_product, make_warehouse

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]

ROUNDS = 12


def physical(product, warehouse) -> int:
    return StockItem.objects.get(product=product, warehouse=warehouse).physical


def pos_sale(store: Store, product, quantity: int, reference: str) -> Order:
    return order_import_complete(
        store=store,
        lines=[LineSpec(product=product, quantity=quantity, unit_price_incl_tax=Decimal("12"))],
        payments=[],
        shipping_method=None,
        integration=make_source("hiboutik"),
        external_reference=reference,
        placed_at=Order._meta.get_field("placed_at").default(),
        force_stock=True,
    )


def test_forced_import_and_shipment_of_the_same_product_never_deadlock(monkeypatch):
    shop, depot = make_warehouse(), make_warehouse()
    store = Store.objects.create(code="S", name="S", default_warehouse=shop)
    product = make_product(stock={shop: 1, depot: 100})
    real_next_number = sales.services.shipping.next_number

    def slow_next_number(kind: str) -> str:
        # Hold the shipment counter a moment, so that the two paths overlap.
        number = real_next_number(kind)
        time.sleep(0.05)
        return number

    monkeypatch.setattr(sales.services.shipping, "next_number", slow_next_number)
    for round_ in range(ROUNDS):
        stock_set(product=product, warehouse=shop, quantity=1)
        # Reserved in the shop, shipped from the depot: its shipment frees the shop's row.
        web_order = order_create(store=store, lines=[LineSpec(product=product, quantity=1)])
        # The till sold 3 with 1 on the shop's shelf: 2 forced in, whichever runs first.
        failures = run_in_threads(
            lambda: sales.services.shipping.order_ship(order=web_order, warehouse=depot),  # noqa: B023
            lambda: pos_sale(store, product, 3, f"pos-{round_}"),  # noqa: B023
        )
        assert failures == []
        assert web_order.lines.get().qty_shipped == 1
        shop_row = StockItem.objects.get(product=product, warehouse=shop)
        assert (shop_row.physical, shop_row.reserved) == (0, 0)
    assert physical(product, depot) == 100 - ROUNDS
    imported = Order.objects.filter(integration__name="hiboutik", status=OrderStatus.COMPLETE)
    assert imported.count() == ROUNDS


def test_forced_import_covers_a_move_committed_while_it_runs(monkeypatch):
    warehouse = make_warehouse()
    store = Store.objects.create(code="S", name="S", default_warehouse=warehouse)
    product = make_product(stock={warehouse: 3})
    real_order_write = sales.services.order_import.order_write
    other_sale: list[BaseException] = []

    def other_shipment() -> None:
        try:
            stock_move(product=product, warehouse=warehouse, quantity=-2, reason="manual")
        except BaseException as error:
            other_sale.append(error)
        finally:
            connection.close()

    other = threading.Thread(target=other_shipment)

    def create_while_another_sale_ships(**kwargs) -> Order:
        # Another sale of the product ships now: it either commits before the import has
        # counted what it lacks, or waits for the import to end. It never slips in between.
        other.start()
        other.join(timeout=0.5)
        return real_order_write(**kwargs)

    monkeypatch.setattr(sales.services.order_import, "order_write", create_while_another_sale_ships)
    order = pos_sale(store, product, 5, "race")
    other.join()

    assert order.status == OrderStatus.COMPLETE
    forced = StockMovement.objects.get(product=product, reason="forced_import")
    # The import counted 3 on the shelf under its lock: 2 forced in, all 5 shipped.
    assert forced.quantity == 2
    assert physical(product, warehouse) == 0
    # The other sale ran after the import and found the shelf empty.
    assert len(other_sale) == 1 and isinstance(other_sale[0], InsufficientStock)
