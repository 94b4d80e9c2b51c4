import pytest

from inventory.models import StockItem, StockMovement
from inventory.services import stock_set
from sales.exceptions import InvalidOrder, InvalidStatusTransition, ReturnExceedsShipped
from sales.models import Rma, RmaStatus
from sales.services import (
    LineSpec,
    RmaLineSpec,
    order_create,
    order_invoice,
    order_ship,
    rma_create,
    rma_set_status,
)
from tests.factories import make_source
from tests.sales.helpers import event_texts, table_counts
from tests.sales.services.query_counts import queries_of, stocked

pytestmark = pytest.mark.django_db


@pytest.fixture
def shipped_order(store, mug, book, other_warehouse):
    """2 mugs and 1 book shipped from the second warehouse."""
    stock_set(product=mug, warehouse=other_warehouse, quantity=5)
    stock_set(product=book, warehouse=other_warehouse, quantity=5)
    order = order_create(
        store=store,
        lines=[LineSpec(product=mug, quantity=2), LineSpec(product=book, quantity=1)],
        reserve_stock=False,
    )
    order_invoice(order=order)
    order_ship(order=order, warehouse=other_warehouse)
    return order


def physical(product, warehouse) -> int:
    return StockItem.objects.get(product=product, warehouse=warehouse).physical


def test_received_return_goes_back_to_the_warehouse_that_served_the_sale(
    shipped_order, mug, warehouse, other_warehouse
):
    line = shipped_order.lines.get(sku="MUG-BLANC")
    rma = rma_create(
        order=shipped_order,
        lines=[RmaLineSpec(order_line=line, quantity=1, back_to_stock=True)],
        status=RmaStatus.RECEIVED,
        reason="Ébréché",
    )
    assert rma.number.startswith("RMA-")
    assert physical(mug, other_warehouse) == 4
    assert physical(mug, warehouse) == 10
    movement = StockMovement.objects.get(reason="return")
    assert (movement.quantity, movement.reference) == (1, rma)
    assert rma.lines.get().restocked
    line.refresh_from_db()
    assert line.qty_returned == 1
    assert shipped_order.events.filter(kind="rma").count() == 1


def test_authorized_return_restocks_only_when_received(shipped_order, mug, other_warehouse):
    line = shipped_order.lines.get(sku="MUG-BLANC")
    rma = rma_create(
        order=shipped_order, lines=[{"order_line": line, "quantity": 2, "back_to_stock": True}]
    )
    assert rma.status == RmaStatus.AUTHORIZED
    assert physical(mug, other_warehouse) == 3
    rma_set_status(rma=rma, status=RmaStatus.RECEIVED)
    assert physical(mug, other_warehouse) == 5
    rma_set_status(rma=rma, status=RmaStatus.COMPLETE)
    assert StockMovement.objects.filter(reason="return").count() == 1
    assert rma.status == RmaStatus.COMPLETE
    created, received, completed = shipped_order.events.filter(kind="rma").order_by("pk")
    assert created.params == {"number": rma.number, "rma_status": "authorized"}
    assert event_texts(created) == (
        f"Retour {rma.number} créé (Autorisé).",
        f"Return {rma.number} created (Authorized).",
    )
    assert received.params == {
        "number": rma.number,
        "old_rma_status": "authorized",
        "new_rma_status": "received",
    }
    assert event_texts(received) == (
        f"Retour {rma.number} : Autorisé → Reçu.",
        f"Return {rma.number}: Authorized → Received.",
    )
    assert event_texts(completed)[1] == f"Return {rma.number}: Received → Complete."


def test_lines_not_back_to_stock_do_not_move_stock(shipped_order, book, other_warehouse):
    line = shipped_order.lines.get(sku="LIVRE-POCHE")
    rma_create(
        order=shipped_order,
        lines=[RmaLineSpec(order_line=line, quantity=1)],
        status=RmaStatus.COMPLETE,
    )
    assert physical(book, other_warehouse) == 4
    assert not StockMovement.objects.filter(reason="return").exists()


def test_cannot_return_more_than_shipped(shipped_order):
    line = shipped_order.lines.get(sku="MUG-BLANC")
    rma_create(order=shipped_order, lines=[RmaLineSpec(order_line=line, quantity=1)])
    before = table_counts()
    with pytest.raises(ReturnExceedsShipped, match="MUG-BLANC"):
        rma_create(
            order=shipped_order,
            lines=[
                RmaLineSpec(order_line=line, quantity=1),
                RmaLineSpec(order_line=line, quantity=1),
            ],
        )
    assert table_counts() == before


def test_canceling_a_return_frees_its_quantity(shipped_order):
    line = shipped_order.lines.get(sku="MUG-BLANC")
    rma = rma_create(order=shipped_order, lines=[RmaLineSpec(order_line=line, quantity=2)])
    rma_set_status(rma=rma, status=RmaStatus.CANCELED)
    line.refresh_from_db()
    assert line.qty_returned == 0
    rma_create(order=shipped_order, lines=[RmaLineSpec(order_line=line, quantity=2)])


@pytest.mark.parametrize(
    ("path", "refused"),
    [
        ([RmaStatus.RECEIVED], RmaStatus.AUTHORIZED),
        ([RmaStatus.RECEIVED], RmaStatus.CANCELED),
        ([RmaStatus.CANCELED], RmaStatus.RECEIVED),
        ([RmaStatus.RECEIVED, RmaStatus.COMPLETE], RmaStatus.CANCELED),
    ],
)
def test_status_workflow_is_enforced(shipped_order, path, refused):
    line = shipped_order.lines.get(sku="MUG-BLANC")
    rma = rma_create(
        order=shipped_order,
        lines=[RmaLineSpec(order_line=line, quantity=1, back_to_stock=True)],
    )
    for status in path:
        rma_set_status(rma=rma, status=status)
    before = table_counts()
    with pytest.raises(InvalidStatusTransition):
        rma_set_status(rma=rma, status=refused)
    assert table_counts() == before


def test_same_external_reference_gives_the_same_return(shipped_order, mug, other_warehouse):
    line = shipped_order.lines.get(sku="MUG-BLANC")
    spec = RmaLineSpec(order_line=line, quantity=1, back_to_stock=True)
    kwargs = {
        "order": shipped_order,
        "lines": [spec],
        "status": RmaStatus.RECEIVED,
        "integration": make_source("hiboutik"),
        "external_reference": "exchange-9",
    }
    first = rma_create(**kwargs)
    assert rma_create(**kwargs) == first
    assert Rma.objects.count() == 1
    assert physical(mug, other_warehouse) == 4


def test_return_lines_must_belong_to_the_order(shipped_order, store, mug):
    other = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    with pytest.raises(InvalidOrder):
        rma_create(
            order=shipped_order, lines=[RmaLineSpec(order_line=other.lines.get(), quantity=1)]
        )
    with pytest.raises(InvalidOrder):
        rma_create(order=shipped_order, lines=[])


def _shipped(store, products) -> list:
    order = order_create(
        store=store, lines=[LineSpec(product=p, quantity=2) for p in products], reserve_stock=False
    )
    order_invoice(order=order)
    order_ship(order=order)
    return order


def _exchange(order):
    """A POS exchange: every line comes back at once, into the warehouse that served it."""
    return rma_create(
        order=order,
        lines=[
            RmaLineSpec(order_line=line, quantity=1, back_to_stock=True)
            for line in order.lines.all()
        ],
        status=RmaStatus.RECEIVED,
    )


def test_return_queries_do_not_grow_with_the_lines(store, warehouse, django_assert_max_num_queries):
    products = stocked(warehouse, 10)
    _exchange(_shipped(store, products[:1]))  # warm-up
    small, large = _shipped(store, products[:1]), _shipped(store, products)
    one = queries_of(lambda: _exchange(small))
    with django_assert_max_num_queries(21) as ten:
        rma = _exchange(large)
    assert len(ten) == len(one)
    assert rma.lines.filter(restocked=True).count() == 10
    assert [physical(product, warehouse) for product in products] == [7] + [9] * 9


def test_canceling_a_return_costs_the_same_for_any_number_of_lines(
    store, warehouse, django_assert_max_num_queries
):
    products = stocked(warehouse, 10)
    small, large = _shipped(store, products[:1]), _shipped(store, products)
    authorized = []
    for order in (small, large):
        authorized.append(
            rma_create(
                order=order,
                lines=[RmaLineSpec(order_line=line, quantity=2) for line in order.lines.all()],
            )
        )
    one = queries_of(lambda: rma_set_status(rma=authorized[0], status=RmaStatus.CANCELED))
    with django_assert_max_num_queries(8) as ten:
        rma_set_status(rma=authorized[1], status=RmaStatus.CANCELED)
    assert len(ten) == len(one)
    assert set(large.lines.values_list("qty_returned", flat=True)) == {0}
