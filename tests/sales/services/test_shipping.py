import pytest

from inventory.exceptions import InsufficientStock
from inventory.models import StockItem, StockMovement
from inventory.services import stock_set
from sales.exceptions import NothingToShip
from sales.models import OrderStatus
from sales.services import LineSpec, order_create, order_invoice, order_ship
from tests.sales.helpers import event_texts, table_counts
from tests.sales.services.query_counts import queries_of, stocked

pytestmark = pytest.mark.django_db


def stock(product, warehouse) -> tuple[int, int]:
    item = StockItem.objects.get(product=product, warehouse=warehouse)
    return item.physical, item.reserved


def test_ship_moves_stock_out_and_releases_the_reservation(store, mug, book, warehouse):
    order = order_create(
        store=store, lines=[LineSpec(product=mug, quantity=2), LineSpec(product=book, quantity=1)]
    )
    shipment = order_ship(order=order, tracking_number=" 6A123 ")
    assert shipment.number.startswith("EXP-")
    assert shipment.tracking_number == "6A123"
    assert stock(mug, warehouse) == (8, 0)
    assert stock(book, warehouse) == (3, 0)
    movements = StockMovement.objects.filter(reason="order_shipment").order_by("product__sku")
    assert [(m.product.sku, m.quantity) for m in movements] == [
        ("LIVRE-POCHE", -1),
        ("MUG-BLANC", -2),
    ]
    assert all(m.reference == shipment for m in movements)
    assert not order.stock_reserved
    assert order.status == OrderStatus.PROCESSING
    order_invoice(order=order)
    assert order.status == OrderStatus.COMPLETE


def test_partial_shipments_keep_the_rest_reserved(store, mug, warehouse):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=5)])
    order_ship(order=order, quantities={order.lines.get(): 2})
    assert stock(mug, warehouse) == (8, 3)
    assert order.stock_reserved
    order_ship(order=order)
    assert stock(mug, warehouse) == (5, 0)
    with pytest.raises(NothingToShip):
        order_ship(order=order)


def test_ship_from_another_warehouse(store, mug, warehouse, other_warehouse):

    stock_set(product=mug, warehouse=other_warehouse, quantity=3)
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=2)])
    shipment = order_ship(order=order, warehouse=other_warehouse)
    assert shipment.warehouse == other_warehouse
    assert stock(mug, other_warehouse) == (1, 0)
    assert stock(mug, warehouse) == (10, 0)


def test_ship_without_stock_lists_the_skus_and_writes_nothing(store, mug, book, warehouse):
    order = order_create(
        store=store,
        lines=[LineSpec(product=mug, quantity=2), LineSpec(product=book, quantity=2)],
        reserve_stock=False,
    )

    stock_set(product=mug, warehouse=warehouse, quantity=1)
    stock_set(product=book, warehouse=warehouse, quantity=0)
    before = table_counts()
    with pytest.raises(InsufficientStock) as error:
        order_ship(order=order)
    assert error.value.skus == ["LIVRE-POCHE", "MUG-BLANC"]
    assert table_counts() == before
    shipment = order_ship(order=order, allow_negative=True)
    assert shipment.lines.count() == 2
    assert stock(book, warehouse) == (-2, 0)


def test_shipment_event_names_the_warehouse_in_both_languages(store, mug, other_warehouse):
    stock_set(product=mug, warehouse=other_warehouse, quantity=1)
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    order_invoice(order=order)
    shipment = order_ship(order=order, warehouse=other_warehouse)
    event = order.events.get(kind="shipped")
    assert event.params == {"number": shipment.number, "warehouse": "Réserve boutique (SHOP)"}
    assert event_texts(event) == (
        f"Expédition {shipment.number} depuis Réserve boutique (SHOP).",
        f"Shipment {shipment.number} from Réserve boutique (SHOP).",
    )
    completed = order.events.filter(kind="status").last()
    assert event_texts(completed) == (
        "Statut passé de En cours à Terminée.",
        "Status changed from Processing to Complete.",
    )


def test_shipping_queries_do_not_grow_with_the_lines(
    store, warehouse, django_assert_max_num_queries
):
    """A reserved order: the reservation is released and the stock moved out, per batch."""
    products = stocked(warehouse, 10)
    orders = [
        order_create(store=store, lines=[LineSpec(product=p, quantity=2) for p in chosen])
        for chosen in (products[:1], products[:1], products)
    ]
    order_ship(order=orders[0])  # warm-up
    one = queries_of(lambda: order_ship(order=orders[1]))
    with django_assert_max_num_queries(25) as ten:
        order_ship(order=orders[2])
    assert len(ten) == len(one)
    assert [stock(product, warehouse) for product in products] == [(4, 0)] + [(8, 0)] * 9
    assert not orders[2].stock_reserved
