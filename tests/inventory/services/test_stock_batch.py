import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.exceptions import InsufficientStock, InvalidQuantity, InvalidReason
from inventory.models import StockItem, StockMovement
from inventory.services import (
    StockMove,
    lock_stock_items,
    stock_missing_locked,
    stock_move_many,
    stock_release_many,
    stock_reserve,
    stock_reserve_many,
)
from tests.inventory.factories import make_product

pytestmark = pytest.mark.django_db
Reason = StockMovement.Reason


def stock(product, warehouse) -> tuple[int, int]:
    item = StockItem.objects.get(product=product, warehouse=warehouse)
    return item.physical, item.reserved


def snapshot() -> tuple[list, list]:
    """Every stock row and movement, to prove a refused batch changed nothing."""
    return (
        list(StockItem.objects.order_by("pk").values_list("pk", "physical", "reserved")),
        list(StockMovement.objects.order_by("pk").values_list("pk", flat=True)),
    )


def test_moves_change_stock_and_return_the_movements_in_order(product, warehouse):
    other = make_product("MUG", stock={warehouse: 4})
    user = User.objects.create_user("alice")
    movements = stock_move_many(
        moves=[StockMove(product, warehouse, -3), (other, warehouse, 2)],
        reason=Reason.MANUAL,
        user=user,
        note="inventaire",
    )
    assert stock(product, warehouse) == (7, 0)
    assert stock(other, warehouse) == (6, 0)
    assert [(m.product, m.quantity, m.physical_after) for m in movements] == [
        (product, -3, 7),
        (other, 2, 6),
    ]
    assert all(m.pk is not None for m in movements)
    saved = StockMovement.objects.filter(pk__in=[m.pk for m in movements])
    assert {(m.reason, m.user, m.note) for m in saved} == {("manual", user, "inventaire")}


def test_moves_of_one_row_apply_in_the_order_given(product, warehouse):
    movements = stock_move_many(
        moves=[(product, warehouse, -4), (product, warehouse, 1), (product, warehouse, -2)],
        reason=Reason.ORDER_SHIPMENT,
    )
    assert [m.physical_after for m in movements] == [6, 7, 5]
    assert stock(product, warehouse) == (5, 0)


def test_moves_create_missing_rows_in_every_warehouse(warehouse, other_warehouse):
    first, second = make_product(), make_product()
    stock_move_many(
        moves=[
            (first, warehouse, 2),
            (second, other_warehouse, 3),
            (first, other_warehouse, 1),
        ],
        reason=Reason.INITIAL,
    )
    assert stock(first, warehouse) == (2, 0)
    assert stock(first, other_warehouse) == (1, 0)
    assert stock(second, other_warehouse) == (3, 0)
    assert not StockItem.objects.filter(product=second, warehouse=warehouse).exists()


def test_short_rows_are_all_listed_and_nothing_is_written(product, warehouse):
    short = make_product("ZZ-SHORT", stock={warehouse: 1})
    never_stocked = make_product("AA-NEVER")
    before = snapshot()
    with pytest.raises(InsufficientStock) as error:
        stock_move_many(
            moves=[
                (short, warehouse, -2),
                (product, warehouse, -5),  # enough
                (never_stocked, warehouse, -1),
            ],
            reason=Reason.ORDER_SHIPMENT,
        )
    assert error.value.skus == ["AA-NEVER", "ZZ-SHORT"]
    assert error.value.warehouse == warehouse
    # Not even the stock row of the product never stocked is left behind.
    assert snapshot() == before


def test_a_row_short_only_after_its_earlier_moves_is_refused(product, warehouse):
    before = snapshot()
    with pytest.raises(InsufficientStock) as error:
        stock_move_many(
            moves=[(product, warehouse, -6), (product, warehouse, -6)], reason=Reason.MANUAL
        )
    assert error.value.skus == ["TSHIRT-BLEU-M"]
    assert snapshot() == before


def test_short_rows_in_several_warehouses_name_no_single_warehouse(
    product, warehouse, other_warehouse
):
    with pytest.raises(InsufficientStock) as error:
        stock_move_many(
            moves=[(product, warehouse, -11), (product, other_warehouse, -1)],
            reason=Reason.MANUAL,
        )
    assert error.value.skus == ["TSHIRT-BLEU-M"]
    assert error.value.warehouse is None


def test_negative_stock_when_allowed(product, warehouse):
    movements = stock_move_many(
        moves=[(product, warehouse, -12)], reason=Reason.ORDER_SHIPMENT, allow_negative=True
    )
    assert movements[0].physical_after == -2
    assert stock(product, warehouse) == (-2, 0)


def test_moves_keep_a_generic_reference_and_skip_anonymous_users(
    product, warehouse, other_warehouse
):
    movements = stock_move_many(
        moves=[(product, warehouse, 1), (product, other_warehouse, 1)],
        reason=Reason.RETURN,
        reference=other_warehouse,
        user=AnonymousUser(),
    )
    for movement in StockMovement.objects.filter(pk__in=[m.pk for m in movements]):
        assert movement.reference == other_warehouse
        assert movement.reference_label == str(other_warehouse)
        assert movement.user is None


@pytest.mark.parametrize("quantity", [0, 1.5, "3", True, None])
def test_bad_quantities_are_refused_before_anything_is_written(product, warehouse, quantity):
    before = snapshot()
    with pytest.raises(InvalidQuantity):
        stock_move_many(
            moves=[(product, warehouse, -1), (product, warehouse, quantity)],
            reason=Reason.MANUAL,
        )
    assert snapshot() == before


def test_bad_reason_and_bad_moves_are_refused(product, warehouse):
    with pytest.raises(InvalidReason):
        stock_move_many(moves=[(product, warehouse, 1)], reason="gift")
    with pytest.raises(TypeError, match="product, warehouse, quantity"):
        stock_move_many(moves=[(product, 1)], reason=Reason.MANUAL)
    with pytest.raises(ValueError, match="saved products"):
        stock_move_many(moves=[(type(product)(sku="X"), warehouse, 1)], reason=Reason.MANUAL)


def test_no_moves_no_queries(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert stock_move_many(moves=[], reason=Reason.MANUAL) == []


def moves_queries(moves, **arguments) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        stock_move_many(moves=moves, **arguments)
    return [query["sql"] for query in queries.captured_queries]


def test_queries_do_not_grow_with_the_rows(warehouse, other_warehouse):
    products = [make_product(stock={warehouse: 5, other_warehouse: 5}) for _ in range(21)]
    # Warm ContentType's cache, as any running server has it.
    stock_move_many(moves=[(products[0], warehouse, 1)], reason="manual", reference=warehouse)
    arguments = {"reason": Reason.MANUAL, "reference": warehouse}
    one = moves_queries([(products[0], warehouse, -1)], **arguments)
    many = moves_queries(
        [(product, w, -1) for product in products[1:] for w in (warehouse, other_warehouse)],
        **arguments,
    )
    # savepoint, existence read, lock, update, integrations' stock mark, insert, release
    assert len(one) == len(many) == 7
    lock = [sql for sql in many if "ORDER BY" in sql and "inventory_stockitem" in sql]
    assert len(lock) == 1
    assert lock[0].endswith(
        'ORDER BY "inventory_stockitem"."product_id" ASC, "inventory_stockitem"."warehouse_id" '
        "ASC" + (" FOR UPDATE" if connection.vendor == "postgresql" else "")
    )
    assert not any("django_content_type" in sql for sql in one + many)


def test_missing_rows_cost_one_insert_for_all_of_them(warehouse):
    products = [make_product() for _ in range(10)]
    queries = moves_queries([(product, warehouse, 1) for product in products], reason="initial")
    inserts = [sql for sql in queries if sql.startswith("INSERT") and "inventory_stockitem" in sql]
    assert len(inserts) == 1
    assert len(queries) == 8


def test_reserve_many_holds_every_quantity(product, warehouse):
    other = make_product("MUG", stock={warehouse: 3})
    items = stock_reserve_many(warehouse=warehouse, quantities={product: 4, other: 3})
    assert stock(product, warehouse) == (10, 4)
    assert stock(other, warehouse) == (3, 3)
    assert (items[product].reserved, items[other].available) == (4, 0)


def test_reserve_many_lists_every_short_sku_and_reserves_nothing(product, warehouse):
    other = make_product("MUG", stock={warehouse: 3})
    never_stocked = make_product("ABSENT")
    stock_reserve(product=product, warehouse=warehouse, quantity=8)
    before = snapshot()
    with pytest.raises(InsufficientStock) as error:
        stock_reserve_many(warehouse=warehouse, quantities={product: 3, other: 3, never_stocked: 1})
    assert error.value.skus == ["ABSENT", "TSHIRT-BLEU-M"]
    assert snapshot() == before


def test_reserve_many_may_exceed_when_allowed(product, warehouse):
    stock_reserve_many(warehouse=warehouse, quantities={product: 12}, allow_exceed=True)
    assert stock(product, warehouse) == (10, 12)


def test_release_many_gives_back_reservations(product, warehouse):
    other = make_product("MUG", stock={warehouse: 3})
    stock_reserve_many(warehouse=warehouse, quantities={product: 4, other: 2})
    stock_release_many(warehouse=warehouse, quantities={product: 3, other: 2})
    assert stock(product, warehouse) == (10, 1)
    assert stock(other, warehouse) == (3, 0)


def test_release_many_names_every_over_release_and_releases_nothing(product, warehouse):
    other = make_product("MUG", stock={warehouse: 3})
    stock_reserve_many(warehouse=warehouse, quantities={product: 4, other: 1})
    before = snapshot()
    with pytest.raises(InvalidQuantity) as error:
        stock_release_many(warehouse=warehouse, quantities={product: 5, other: 2})
    assert str(error.value) == (
        "Cannot release 2 of MUG: only 1 reserved. "
        "Cannot release 5 of TSHIRT-BLEU-M: only 4 reserved."
    )
    assert snapshot() == before


@pytest.mark.parametrize("quantity", [0, -1, 1.5, True])
def test_reserve_and_release_many_refuse_bad_quantities(product, warehouse, quantity):
    before = snapshot()
    with pytest.raises(InvalidQuantity):
        stock_reserve_many(warehouse=warehouse, quantities={product: quantity})
    with pytest.raises(InvalidQuantity):
        stock_release_many(warehouse=warehouse, quantities={product: quantity})
    assert snapshot() == before


def test_reservation_queries_do_not_grow_with_the_products(warehouse):
    products = [make_product(stock={warehouse: 5}) for _ in range(20)]
    with CaptureQueriesContext(connection) as one:
        stock_reserve_many(warehouse=warehouse, quantities={products[0]: 1})
    with CaptureQueriesContext(connection) as many:
        stock_reserve_many(warehouse=warehouse, quantities=dict.fromkeys(products, 1))
    with CaptureQueriesContext(connection) as released:
        stock_release_many(warehouse=warehouse, quantities=dict.fromkeys(products, 1))
    # savepoint, existence read, lock, update, integrations' stock mark, release
    assert len(one) == len(many) == len(released) == 6


def test_missing_locked_counts_the_shelf_and_creates_absent_rows(warehouse):
    short, enough, absent = (
        make_product(stock={warehouse: 1}),
        make_product(stock={warehouse: 5}),
        make_product(),
    )
    stock_move_many(moves=[(short, warehouse, -3)], reason=Reason.MANUAL, allow_negative=True)
    missing, items = stock_missing_locked(
        warehouse=warehouse, quantities={short: 2, enough: 5, absent: 1}
    )
    # The negative shelf is a debt the shortfall covers too.
    assert missing == {short: 4, absent: 1}
    assert items[(absent.pk, warehouse.pk)].physical == 0
    assert stock(absent, warehouse) == (0, 0)


def test_locked_items_are_used_without_locking_again(product, warehouse):
    stock_reserve_many(warehouse=warehouse, quantities={product: 2})
    items = lock_stock_items([(product, warehouse)])
    with CaptureQueriesContext(connection) as captured:
        stock_release_many(warehouse=warehouse, quantities={product: 2}, locked_items=items)
        stock_move_many(moves=[(product, warehouse, -2)], reason=Reason.MANUAL, locked_items=items)
    assert not [q for q in captured.captured_queries if q["sql"].startswith("SELECT")]
    # The rows given are kept up to date.
    item = items[(product.pk, warehouse.pk)]
    assert (item.physical, item.reserved) == stock(product, warehouse) == (8, 0)


def test_locked_items_must_hold_every_row_of_the_batch(product, warehouse, other_warehouse):
    items = lock_stock_items([(product, warehouse)])
    with pytest.raises(ValueError, match="every stock row"):
        stock_move_many(
            moves=[(product, other_warehouse, 1)], reason=Reason.MANUAL, locked_items=items
        )
    assert not StockItem.objects.filter(product=product, warehouse=other_warehouse).exists()
