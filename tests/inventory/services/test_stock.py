import pytest
from django.contrib.auth.models import AnonymousUser, User

from inventory.exceptions import InsufficientStock, InvalidQuantity, InvalidReason
from inventory.models import StockItem, StockMovement
from inventory.services import (
    stock_missing,
    stock_move,
    stock_release,
    stock_reserve,
    stock_set,
)
from tests.inventory.factories import make_product

pytestmark = pytest.mark.django_db
Reason = StockMovement.Reason


def physical(product, warehouse) -> int:
    return StockItem.objects.get(product=product, warehouse=warehouse).physical


def test_move_out_records_movement_and_resulting_quantity(product, warehouse):
    user = User.objects.create_user("alice")
    movement = stock_move(
        product=product,
        warehouse=warehouse,
        quantity=-3,
        reason=Reason.ORDER_SHIPMENT,
        user=user,
        note="colis",
    )
    assert physical(product, warehouse) == 7
    assert (movement.quantity, movement.physical_after, movement.reason) == (
        -3,
        7,
        "order_shipment",
    )
    assert movement.user == user
    assert movement.note == "colis"


def test_move_creates_missing_stock_item(warehouse):
    product = make_product()
    assert not StockItem.objects.filter(product=product).exists()
    stock_move(product=product, warehouse=warehouse, quantity=5, reason=Reason.INITIAL)
    assert physical(product, warehouse) == 5


def test_move_below_zero_is_refused_and_writes_nothing(product, warehouse):
    movements = StockMovement.objects.count()
    with pytest.raises(InsufficientStock) as error:
        stock_move(product=product, warehouse=warehouse, quantity=-11, reason=Reason.MANUAL)
    assert error.value.skus == ["TSHIRT-BLEU-M"]
    assert "TSHIRT-BLEU-M" in str(error.value)
    assert physical(product, warehouse) == 10
    assert StockMovement.objects.count() == movements


def test_move_below_zero_allowed_when_asked(product, warehouse):
    movement = stock_move(
        product=product,
        warehouse=warehouse,
        quantity=-12,
        reason=Reason.MANUAL,
        allow_negative=True,
    )
    assert movement.physical_after == -2
    assert physical(product, warehouse) == -2


@pytest.mark.parametrize("quantity", [0, 1.5, "3", True, None])
def test_move_rejects_quantities_that_are_not_non_zero_integers(product, warehouse, quantity):
    with pytest.raises(InvalidQuantity):
        stock_move(product=product, warehouse=warehouse, quantity=quantity, reason=Reason.MANUAL)


def test_move_keeps_a_generic_reference_to_its_cause(product, warehouse, other_warehouse):
    movement = stock_move(
        product=product,
        warehouse=warehouse,
        quantity=1,
        reason=Reason.MANUAL,
        reference=other_warehouse,
    )
    movement.refresh_from_db()
    assert movement.reference == other_warehouse
    assert movement.reference_label == str(other_warehouse)


def test_anonymous_user_is_not_recorded(product, warehouse):
    movement = stock_move(
        product=product, warehouse=warehouse, quantity=1, reason=Reason.MANUAL, user=AnonymousUser()
    )
    assert movement.user is None


def test_set_records_the_difference(product, warehouse):
    movement = stock_set(product=product, warehouse=warehouse, quantity=4)
    assert (movement.quantity, movement.physical_after, movement.reason) == (-6, 4, "manual")
    assert physical(product, warehouse) == 4


def test_set_to_the_same_quantity_writes_no_movement(product, warehouse):
    before = StockMovement.objects.count()
    assert stock_set(product=product, warehouse=warehouse, quantity=10) is None
    assert StockMovement.objects.count() == before


def test_set_refuses_negative(product, warehouse):
    with pytest.raises(InvalidQuantity):
        stock_set(product=product, warehouse=warehouse, quantity=-1)
    assert physical(product, warehouse) == 10


def test_reserve_and_release_change_available_not_physical(product, warehouse):
    item = stock_reserve(product=product, warehouse=warehouse, quantity=4)
    assert (item.physical, item.reserved, item.available) == (10, 4, 6)
    annotated = StockItem.objects.with_available().get(pk=item.pk)
    assert annotated.available_quantity == 6
    assert StockItem.objects.with_available().filter(available_quantity__gte=7).count() == 0
    item = stock_release(product=product, warehouse=warehouse, quantity=3)
    stored = StockItem.objects.get(pk=item.pk)
    assert (stored.physical, stored.reserved) == (10, 1)


def test_reserve_more_than_available_is_refused(product, warehouse):
    stock_reserve(product=product, warehouse=warehouse, quantity=8)
    with pytest.raises(InsufficientStock):
        stock_reserve(product=product, warehouse=warehouse, quantity=3)
    assert StockItem.objects.get(product=product, warehouse=warehouse).reserved == 8


def test_release_more_than_reserved_is_refused(product, warehouse):
    stock_reserve(product=product, warehouse=warehouse, quantity=2)
    with pytest.raises(InvalidQuantity):
        stock_release(product=product, warehouse=warehouse, quantity=3)
    assert StockItem.objects.get(product=product, warehouse=warehouse).reserved == 2


def test_stock_missing_lists_every_short_product(warehouse):
    plenty = make_product(stock={warehouse: 10})
    short = make_product(stock={warehouse: 1})
    absent = make_product()
    stock_reserve(product=plenty, warehouse=warehouse, quantity=9)
    wanted = {plenty: 2, short: 3, absent: 1}
    assert stock_missing(warehouse=warehouse, quantities=wanted) == {short: 2, absent: 1}
    assert stock_missing(warehouse=warehouse, quantities=wanted, field_name="available") == {
        plenty: 1,
        short: 2,
        absent: 1,
    }


def test_unknown_reason_is_refused(product, warehouse):
    with pytest.raises(InvalidReason):
        stock_move(product=product, warehouse=warehouse, quantity=1, reason="gift")
    with pytest.raises(InvalidReason):
        stock_set(product=product, warehouse=warehouse, quantity=1, reason="")
    assert physical(product, warehouse) == 10
