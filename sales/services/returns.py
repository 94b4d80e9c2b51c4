"""Customer returns (RMA): draft → authorized → received → complete, or canceled.

Returned goods flagged *back to stock* re-enter stock, with a "return" movement into the
warehouse that served the sale, when the RMA is received (or created already received, as a
POS exchange is).
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils.translation import gettext, gettext_noop

from integrations.models import Integration
from inventory.models import StockItem, StockMovement, Warehouse
from inventory.services import StockMove, lock_stock_items, stock_move_many
from sales.exceptions import InvalidOrder, InvalidStatusTransition, ReturnExceedsShipped
from sales.models import Order, OrderEvent, OrderLine, Rma, RmaLine, RmaStatus, ShipmentLine
from sales.services.common import event_add, lines_add, lock_order, real_user
from sales.services.numbers import next_number
from sales.services.orders import as_spec

TRANSITIONS = {
    RmaStatus.DRAFT: {RmaStatus.AUTHORIZED, RmaStatus.RECEIVED, RmaStatus.CANCELED},
    RmaStatus.AUTHORIZED: {RmaStatus.RECEIVED, RmaStatus.CANCELED},
    RmaStatus.RECEIVED: {RmaStatus.COMPLETE},
    RmaStatus.COMPLETE: set(),
    RmaStatus.CANCELED: set(),
}
RESTOCKED_STATUSES = (RmaStatus.RECEIVED, RmaStatus.COMPLETE)


@dataclass(frozen=True)
class RmaLineSpec:
    order_line: OrderLine
    quantity: int
    back_to_stock: bool = False
    # None: the warehouse that shipped this line (the order's warehouse if never shipped).
    warehouse: Warehouse | None = None


def _serving_warehouses(lines: list[OrderLine], order: Order) -> dict[int, Warehouse]:
    """The warehouse that last shipped each line (by line id), or the order's for a line
    never shipped: one query for all of them."""
    serving = {}
    shipment_lines = (
        ShipmentLine.objects.filter(order_line__in=lines)
        .select_related("shipment__warehouse")
        .order_by("-shipment__created_at", "-pk")
    )
    for shipment_line in shipment_lines:
        serving.setdefault(shipment_line.order_line_id, shipment_line.shipment.warehouse)
    for line in lines:
        if line.pk not in serving:
            # Looked up only here: `order.warehouse` costs a query.
            serving[line.pk] = order.warehouse
    return serving


def _restock(
    rma: Rma, user: object, locked_items: Mapping[tuple[int, int], StockItem] | None = None
) -> None:
    lines = list(
        rma.lines.filter(back_to_stock=True, restocked=False).select_related(
            "order_line__product", "warehouse"
        )
    )
    stock_move_many(
        moves=[
            StockMove(line.order_line.product, line.warehouse, line.quantity)
            for line in lines
            if line.order_line.product is not None
        ],
        reason=StockMovement.Reason.RETURN,
        reference=rma,
        reference_label=f"{rma.number} ({rma.order.number})",
        user=user,
        locked_items=locked_items,
    )
    if lines:
        RmaLine.objects.filter(pk__in=[line.pk for line in lines]).update(restocked=True)


def rma_create(
    *,
    order: Order,
    lines: Iterable[RmaLineSpec | Mapping],
    status: str = RmaStatus.AUTHORIZED,
    reason: str = "",
    integration: Integration | None = None,
    external_reference: str = "",
    user: object = None,
) -> Rma:
    """Open a return on shipped lines of `order`.

    `status` may be draft, authorized, received or complete: the last two restock the
    back-to-stock lines at once. A return with an (integration, external_reference) that
    already exists is returned unchanged, so an exchange event replayed never makes two.
    """
    status = RmaStatus(status)
    if status == RmaStatus.CANCELED:
        raise InvalidOrder(gettext("A return cannot be created canceled."))
    external_reference = external_reference.strip()
    if external_reference and integration is None:
        raise InvalidOrder(gettext("An external reference needs its integration."))
    specs = [as_spec(RmaLineSpec, line) for line in lines]
    if not specs:
        raise InvalidOrder(gettext("A return needs at least one line."))

    def existing() -> Rma | None:
        if not external_reference:
            return None
        return Rma.objects.filter(
            integration=integration, external_reference=external_reference
        ).first()

    if (found := existing()) is not None:
        return found
    try:
        with transaction.atomic():
            locked = lock_order(order)
            if (found := existing()) is not None:
                return found
            order_lines = {
                line.pk: line
                for line in OrderLine.objects.filter(order=locked).select_related("product")
            }
            asked: dict[int, int] = {}
            for spec in specs:
                line = order_lines.get(getattr(spec.order_line, "pk", None))
                if line is None:
                    raise InvalidOrder(gettext("A returned line is not part of this order."))
                if isinstance(spec.quantity, bool) or not isinstance(spec.quantity, int):
                    raise InvalidOrder(gettext("A returned quantity must be a whole number."))
                if spec.quantity <= 0:
                    raise InvalidOrder(gettext("A returned quantity must be above 0."))
                asked[line.pk] = asked.get(line.pk, 0) + spec.quantity
            over = [
                order_lines[pk].sku
                for pk, quantity in asked.items()
                if order_lines[pk].qty_returned + quantity > order_lines[pk].qty_shipped
            ]
            if over:
                raise ReturnExceedsShipped(
                    gettext("More returned than shipped for: %(skus)s")
                    % {"skus": ", ".join(sorted(over))}
                )
            unplaced = [order_lines[spec.order_line.pk] for spec in specs if not spec.warehouse]
            serving = _serving_warehouses(unplaced, locked) if unplaced else {}
            placed = [
                (
                    spec,
                    order_lines[spec.order_line.pk],
                    spec.warehouse or serving[spec.order_line.pk],
                )
                for spec in specs
            ]
            restocked_items = None
            if status in RESTOCKED_STATUSES:
                # The rows restocked below are locked before the return number: the order,
                # then stock rows, then number counters, as in every order service.
                restocked_items = lock_stock_items(
                    (line.product, warehouse)
                    for spec, line, warehouse in placed
                    if spec.back_to_stock and line.product is not None
                )
            rma = Rma.objects.create(
                number=next_number("rma"),
                order=locked,
                status=status,
                reason=reason,
                integration=integration,
                external_reference=external_reference,
                user=real_user(user),
            )
            RmaLine.objects.bulk_create(
                RmaLine(
                    rma=rma,
                    order_line=line,
                    quantity=spec.quantity,
                    back_to_stock=bool(spec.back_to_stock),
                    warehouse=warehouse,
                )
                for spec, line, warehouse in placed
            )
            lines_add("qty_returned", asked)
            if status in RESTOCKED_STATUSES:
                _restock(rma, user, restocked_items)
            event_add(
                order=locked,
                kind=OrderEvent.Kind.RMA,
                message=gettext_noop("Return %(number)s created (%(rma_status)s)."),
                params={"number": rma.number, "rma_status": status.value},
                user=user,
                data={"rma_id": rma.pk, "rma": rma.number, "status": status.value},
            )
    except IntegrityError:
        if (found := existing()) is not None:
            return found
        raise
    return rma


def rma_set_status(*, rma: Rma, status: str, user: object = None) -> Rma:
    """Move a return along its workflow. Receiving it restocks its back-to-stock lines;
    cancelling it frees its quantities for another return."""
    status = RmaStatus(status)
    with transaction.atomic():
        # Only the order's row is locked, as every order service locks it first: every change
        # of a return happens under it, and restocking then locks stock rows after it.
        locked = Rma.objects.select_related("order").select_for_update(of=("order",)).get(pk=rma.pk)
        old = RmaStatus(locked.status)
        if status not in TRANSITIONS[old]:
            raise InvalidStatusTransition(locked, old.label, status.label)
        if status in RESTOCKED_STATUSES:
            _restock(locked, user)
        if status == RmaStatus.CANCELED:
            given_back: dict[int, int] = {}
            for line in locked.lines.all():
                given_back[line.order_line_id] = (
                    given_back.get(line.order_line_id, 0) - line.quantity
                )
            lines_add("qty_returned", given_back)
        locked.status = status
        locked.save(update_fields=["status", "updated_at"])
        rma_status_event(locked, old, status, user)
    rma.refresh_from_db()
    return rma


def rma_status_event(rma: Rma, old: RmaStatus, new: RmaStatus, user: object) -> None:
    """Record a return's status change in its order's history."""
    event_add(
        order=rma.order,
        kind=OrderEvent.Kind.RMA,
        message=gettext_noop("Return %(number)s: %(old_rma_status)s → %(new_rma_status)s."),
        params={"number": rma.number, "old_rma_status": old.value, "new_rma_status": new.value},
        user=user,
        data={"rma_id": rma.pk, "old_status": old.value, "new_status": new.value},
    )
