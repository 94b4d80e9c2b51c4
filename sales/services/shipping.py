"""Shipping orders: stock leaves the warehouse through `stock_move_many`."""

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from inventory.models import StockItem, StockMovement, Warehouse
from inventory.services import (
    StockMove,
    apply_moves,
    lock_stock_items,
    stock_release_many,
)
from sales.exceptions import NothingToShip
from sales.models import Order, OrderEvent, OrderLine, Shipment, ShipmentLine
from sales.services.common import (
    OPEN_STATUSES,
    event_build,
    lines_add,
    lock_order,
    pick_quantities,
    progress_status,
)
from sales.services.numbers import next_number
from sales.services.orders import quantities_by_product


def order_ship(
    *,
    order: Order,
    quantities: Mapping[object, int] | None = None,
    warehouse: Warehouse | None = None,
    tracking_number: str = "",
    user: object = None,
    allow_negative: bool = False,
) -> Shipment:
    """Ship what remains to ship (or the given quantities per line) from `warehouse` (the
    order's by default): one "order shipment" stock movement per line. Raises
    `InsufficientStock` listing every short SKU, and writes nothing, unless `allow_negative`."""
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status not in OPEN_STATUSES:
            raise NothingToShip(
                gettext("Order %(number)s is %(status)s: it cannot be shipped.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        lines = list(OrderLine.objects.filter(order=locked).select_related("product"))
        picked = _picked(locked, lines, quantities)
        warehouse = warehouse or locked.warehouse
        picked_of = {line.pk: quantity for line, quantity in picked}
        wanted = quantities_by_product(
            [line for line, _ in picked], lambda line: picked_of[line.pk]
        )
        # Every stock row this shipment changes, locked in one sorted batch before the
        # shipment number: the order, then stock rows, then counters, as in every service.
        items = lock_stock_items(
            [(line.product, warehouse) for line, _ in picked if line.product is not None]
            + ([(product, locked.warehouse) for product in wanted] if locked.stock_reserved else [])
        )
        shipment = shipment_write(
            order=locked,
            lines=lines,
            picked=picked,
            warehouse=warehouse,
            locked_items=items,
            tracking_number=tracking_number,
            user=user,
            allow_negative=allow_negative,
        )
    order.refresh_from_db()
    return shipment


def _picked(
    order: Order, lines: list[OrderLine], quantities: Mapping[object, int] | None
) -> list[tuple[OrderLine, int]]:
    picked = pick_quantities(lines, quantities, lambda line: line.qty_to_ship)
    if not picked:
        raise NothingToShip(
            gettext("Order %(number)s has nothing left to ship.") % {"number": order.number}
        )
    return picked


def shipment_write(
    *,
    order: Order,
    lines: list[OrderLine],
    picked: list[tuple[OrderLine, int]],
    warehouse: Warehouse,
    locked_items: Mapping[tuple[int, int], StockItem],
    tracking_number: str = "",
    user: object = None,
    allow_negative: bool = False,
) -> Shipment:
    """The writes of `order_ship`, in the caller's transaction (no savepoint of its own), for
    an order it locked or created: `lines` are all its lines as they stand, `picked` the
    (line, quantity) pairs to ship, and `locked_items` every stock row the shipment changes
    (and, for an order holding a reservation, its rows in the order's warehouse), locked by
    `lock_stock_items` in this transaction. Raises `InsufficientStock` unless
    `allow_negative`: the caller's transaction is then to be rolled back."""
    picked_of = {line.pk: quantity for line, quantity in picked}
    # Picked quantities are whole numbers above 0: the moves need no other check.
    moves = [
        StockMove(line.product, warehouse, -quantity)
        for line, quantity in picked
        if line.product is not None
    ]
    moved_items = {
        key: locked_items[key]
        for key in sorted({(move.product.pk, warehouse.pk) for move in moves})
    }
    shipment = Shipment.objects.create(
        number=next_number("shipment"),
        order=order,
        warehouse=warehouse,
        shipping_method=order.shipping_method,
        tracking_number=tracking_number.strip(),
    )
    ShipmentLine.objects.bulk_create(
        ShipmentLine(shipment=shipment, order_line=line, quantity=quantity)
        for line, quantity in picked
    )
    if order.stock_reserved:
        # The reservation was taken in the order's warehouse, whichever ships.
        stock_release_many(
            warehouse=order.warehouse,
            quantities=quantities_by_product(
                [line for line, _ in picked], lambda line: picked_of[line.pk]
            ),
            locked_items=locked_items,
        )
    if moves:
        apply_moves(
            moves,
            moved_items,
            reason=StockMovement.Reason.ORDER_SHIPMENT,
            reference=shipment,
            reference_label=f"{shipment.number} ({order.number})",
            user=user,
            note="",
            allow_negative=allow_negative,
        )
    lines_add("qty_shipped", picked_of)
    # The order lock keeps every line's quantities as read: count the new ones in memory.
    for line, quantity in picked:
        line.qty_shipped += quantity
    if order.stock_reserved and all(line.qty_to_ship == 0 for line in lines):
        order.stock_reserved = False
        order.save(update_fields=["stock_reserved", "updated_at"])
    shipped_event = event_build(
        order=order,
        kind=OrderEvent.Kind.SHIPPED,
        message=gettext_noop("Shipment %(number)s from %(warehouse)s."),
        params={"number": shipment.number, "warehouse": str(warehouse)},
        user=user,
        data={"shipment_id": shipment.pk, "shipment": shipment.number},
    )
    progress_status(order, user=user, lines=lines, events=[shipped_event])
    return shipment
