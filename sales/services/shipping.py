"""Shipping orders: stock leaves the warehouse through `stock_move`."""

from collections.abc import Mapping

from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext, gettext_noop

from inventory.exceptions import InsufficientStock
from inventory.models import StockMovement, Warehouse
from inventory.services import stock_missing, stock_move, stock_release
from sales.exceptions import NothingToShip
from sales.models import Order, OrderEvent, OrderLine, Shipment, ShipmentLine
from sales.services.common import (
    OPEN_STATUSES,
    event_add,
    lock_order,
    pick_quantities,
    progress_status,
)
from sales.services.numbers import next_number


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
    `InsufficientStock` listing every short SKU unless `allow_negative`."""
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status not in OPEN_STATUSES:
            raise NothingToShip(
                gettext("Order %(number)s is %(status)s: it cannot be shipped.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        lines = OrderLine.objects.filter(order=locked).select_related("product")
        picked = pick_quantities(lines, quantities, lambda line: line.qty_to_ship)
        if not picked:
            raise NothingToShip(
                gettext("Order %(number)s has nothing left to ship.") % {"number": locked.number}
            )
        warehouse = warehouse or locked.warehouse
        # Product-id order: stock rows are always locked in the same order (no deadlock).
        picked.sort(key=lambda pair: (pair[0].product_id or 0, pair[0].pk))
        wanted: dict = {}
        for line, quantity in picked:
            if line.product is not None:
                wanted[line.product] = wanted.get(line.product, 0) + quantity
        if not allow_negative:
            missing = stock_missing(warehouse=warehouse, quantities=wanted)
            if missing:
                raise InsufficientStock([product.sku for product in missing], warehouse)
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
        for line, quantity in picked:
            if line.product is not None:
                if locked.stock_reserved:
                    # The reservation was taken in the order's warehouse, whichever ships.
                    stock_release(
                        product=line.product, warehouse=locked.warehouse, quantity=quantity
                    )
                stock_move(
                    product=line.product,
                    warehouse=warehouse,
                    quantity=-quantity,
                    reason=StockMovement.Reason.ORDER_SHIPMENT,
                    reference=shipment,
                    reference_label=f"{shipment.number} ({locked.number})",
                    user=user,
                    allow_negative=allow_negative,
                )
            OrderLine.objects.filter(pk=line.pk).update(qty_shipped=F("qty_shipped") + quantity)
        event_add(
            order=locked,
            kind=OrderEvent.Kind.SHIPPED,
            message=gettext_noop("Shipment %(number)s from %(warehouse)s."),
            params={"number": shipment.number, "warehouse": str(warehouse)},
            user=user,
            data={"shipment_id": shipment.pk, "shipment": shipment.number},
        )
        if (
            locked.stock_reserved
            and not OrderLine.objects.filter(
                order=locked, quantity__gt=F("qty_shipped") + F("qty_canceled")
            ).exists()
        ):
            locked.stock_reserved = False
            locked.save(update_fields=["stock_reserved", "updated_at"])
        progress_status(locked, user=user)
    order.refresh_from_db()
    return shipment
