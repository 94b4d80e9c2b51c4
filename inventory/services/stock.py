"""Stock writes of one product × warehouse row.

Every change of physical stock leaves a `StockMovement`. The single-row services are the batch
services of `stock_batch` applied to one row, so both follow one set of rules: the row is locked
(`SELECT … FOR UPDATE`; SQLite serialises writers at BEGIN IMMEDIATE) and changed with an `F()`
expression, so two concurrent decrements can never both read the same old quantity.
"""

from collections.abc import Mapping

from django.db import models, transaction
from django.utils.translation import gettext

from inventory.exceptions import InvalidQuantity
from inventory.models import Product, StockItem, StockMovement, Warehouse
from inventory.services.stock_batch import (
    StockMove,
    apply_moves,
    lock_stock_items,
    stock_move_many,
    stock_release_many,
    stock_reserve_many,
)
from inventory.services.stock_checks import check_int, check_reason

Reason = StockMovement.Reason


def stock_move(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    reason: str,
    reference: models.Model | None = None,
    reference_label: str = "",
    user: object = None,
    note: str = "",
    allow_negative: bool = False,
) -> StockMovement:
    """Add (`quantity` > 0) or remove (< 0) physical stock and record the movement.

    Removing more than the physical quantity raises `InsufficientStock` unless `allow_negative`
    (for sales that already happened elsewhere and must be recorded anyway).
    """
    (movement,) = stock_move_many(
        moves=[(product, warehouse, quantity)],
        reason=reason,
        reference=reference,
        reference_label=reference_label,
        user=user,
        note=note,
        allow_negative=allow_negative,
    )
    return movement


def stock_set(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    reason: str = Reason.MANUAL,
    reference: models.Model | None = None,
    reference_label: str = "",
    user: object = None,
    note: str = "",
) -> StockMovement | None:
    """Make the physical quantity equal `quantity`, recording the difference as a movement.

    Returns None (and writes nothing) when the quantity is already right.
    """
    quantity = check_int(quantity)
    check_reason(reason)
    if quantity < 0:
        raise InvalidQuantity(gettext("A stock quantity cannot be negative."))
    with transaction.atomic():
        items = lock_stock_items([(product, warehouse)])
        difference = quantity - items[product.pk, warehouse.pk].physical
        if difference == 0:
            return None
        # Already inside this row's transaction and lock: the batch's writes, no savepoint.
        (movement,) = apply_moves(
            [StockMove(product, warehouse, difference)],
            items,
            reason=reason,
            reference=reference,
            reference_label=reference_label,
            user=user,
            note=note,
            allow_negative=True,
        )
        return movement


def stock_reserve(
    *, product: Product, warehouse: Warehouse, quantity: int, allow_exceed: bool = False
) -> StockItem:
    """Hold `quantity` for an open order: it stays physical but is no longer available."""
    items = stock_reserve_many(
        warehouse=warehouse, quantities={product: quantity}, allow_exceed=allow_exceed
    )
    return items[product]


def stock_release(*, product: Product, warehouse: Warehouse, quantity: int) -> StockItem:
    """Give back a reservation (order shipped or canceled)."""
    return stock_release_many(warehouse=warehouse, quantities={product: quantity})[product]


def stock_missing(
    *, warehouse: Warehouse, quantities: Mapping[Product, int], field_name: str = "physical"
) -> dict[Product, int]:
    """For each product, how much is lacking in `warehouse` to cover the quantity (0 omitted).

    `field_name` is "physical" (goods on the shelf) or "available" (not yet reserved). It reads
    without locking: it lists every short product for a clear error up front, while the writes
    that follow re-check under their row lock.
    """
    items = StockItem.objects.filter(
        warehouse=warehouse, product__in=[product.pk for product in quantities]
    )
    on_hand = {item.product_id: getattr(item, field_name) for item in items}
    missing = {}
    for product, wanted in quantities.items():
        # Negative stock counts as a debt: covering it brings the shelf back to zero.
        lacking = wanted - on_hand.get(product.pk, 0)
        if lacking > 0:
            missing[product] = lacking
    return missing
