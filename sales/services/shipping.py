"""Shipping orders: stock leaves the warehouse through `stock_move_many`."""

from collections.abc import Mapping

from django.db import transaction
from django.utils.translation import gettext, gettext_noop

from inventory.models import StockMovement, Warehouse
from inventory.services import (
    StockMove,
    lock_stock_items,
    stock_move_many,
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
        picked = pick_quantities(lines, quantities, lambda line: line.qty_to_ship)
        if not picked:
            raise NothingToShip(
                gettext("Order %(number)s has nothing left to ship.") % {"number": locked.number}
            )
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
        shipment = Shipment.objects.create(
            number=next_number("shipment"),
            order=locked,
            warehouse=warehouse,
            shipping_method=locked.shipping_method,
            tracking_number=tracking_number.strip(),
        )
        ShipmentLine.objects.bulk_create(
            ShipmentLine(shipment=shipment, order_line=line, quantity=quantity)
            for line, quantity in picked
        )
        if locked.stock_reserved:
            # The reservation was taken in the order's warehouse, whichever ships.
            stock_release_many(warehouse=locked.warehouse, quantities=wanted, locked_items=items)
        stock_move_many(
            moves=[
                StockMove(line.product, warehouse, -quantity)
                for line, quantity in picked
                if line.product is not None
            ],
            reason=StockMovement.Reason.ORDER_SHIPMENT,
            reference=shipment,
            reference_label=f"{shipment.number} ({locked.number})",
            user=user,
            allow_negative=allow_negative,
            locked_items=items,
        )
        lines_add("qty_shipped", picked_of)
        # The order lock keeps every line's quantities as read: count the new ones in memory.
        for line, quantity in picked:
            line.qty_shipped += quantity
        if locked.stock_reserved and all(line.qty_to_ship == 0 for line in lines):
            locked.stock_reserved = False
            locked.save(update_fields=["stock_reserved", "updated_at"])
        shipped_event = event_build(
            order=locked,
            kind=OrderEvent.Kind.SHIPPED,
            message=gettext_noop("Shipment %(number)s from %(warehouse)s."),
            params={"number": shipment.number, "warehouse": str(warehouse)},
            user=user,
            data={"shipment_id": shipment.pk, "shipment": shipment.number},
        )
        progress_status(locked, user=user, lines=lines, events=[shipped_event])
    order.refresh_from_db()
    return shipment
