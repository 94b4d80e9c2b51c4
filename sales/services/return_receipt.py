"""Receiving a customer return: its goods back to stock (in the warehouse chosen), and the
refund of what came back.

Called by the operators' pages and by integrations (a POS exchange) with plain data. Both are
idempotent, because a retried task or a double click can call them twice: a return already
received is never received again, and a return whose returned quantities are all refunded is
never refunded again.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import NamedTuple

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext

from inventory.models import StockMovement, Warehouse
from inventory.services import StockMove, lock_stock_items, stock_move_many
from sales.exceptions import InvalidOrder, InvalidStatusTransition
from sales.models import Order, OrderLine, Refund, RefundLine, Rma, RmaLine, RmaStatus
from sales.services.common import lock_order
from sales.services.orders import as_spec
from sales.services.refunds import RefundLineSpec, refund_create
from sales.services.returns import RESTOCKED_STATUSES, rma_status_event

RECEIVABLE_STATUSES = (RmaStatus.DRAFT, RmaStatus.AUTHORIZED)


@dataclass(frozen=True)
class RmaReceiptLine:
    """How one line of the return comes back. `rma_line` is the RmaLine or its id."""

    rma_line: RmaLine | int
    back_to_stock: bool
    # None: the line's warehouse (the one that served the sale, unless chosen at creation).
    warehouse: Warehouse | None = None


class RmaReceipt(NamedTuple):
    """What a receipt did: the return, the stock movements this call wrote (none when the
    return was already received) and the refund (None unless asked for)."""

    rma: Rma
    movements: list[StockMovement]
    refund: Refund | None


def _lock_rma(rma: Rma) -> Rma:
    """The return, its order's row locked: every order service locks that row first."""
    return Rma.objects.select_related("order").select_for_update(of=("order",)).get(pk=rma.pk)


def _apply_choices(
    locked: Rma, lines: list[RmaLine], choices: list[RmaReceiptLine], warehouse: Warehouse | None
) -> None:
    """Set each line's back-to-stock flag and warehouse as received (one UPDATE per line
    changed: a return has a handful of lines)."""
    by_id = {line.pk: line for line in lines}
    seen = set()
    for choice in choices:
        line = by_id.get(getattr(choice.rma_line, "pk", choice.rma_line))
        if line is None:
            raise InvalidOrder(gettext("A received line is not part of this return."))
        if line.pk in seen:
            raise InvalidOrder(
                gettext("Line %(sku)s is given twice.") % {"sku": line.order_line.sku}
            )
        seen.add(line.pk)
        line.back_to_stock = bool(choice.back_to_stock)
        line.warehouse = choice.warehouse or warehouse or line.warehouse
    for line in lines:
        if line.pk not in seen and warehouse is not None and line.back_to_stock:
            line.warehouse = warehouse
    for line in lines:
        if line.back_to_stock and line.warehouse is None:
            line.warehouse = locked.order.warehouse
    RmaLine.objects.bulk_update(lines, ["back_to_stock", "warehouse"])


def rma_receive(
    *,
    rma: Rma,
    lines: Iterable[RmaReceiptLine | Mapping] | None = None,
    warehouse: Warehouse | None = None,
    refund: bool = False,
    refund_note: str = "",
    refund_external_reference: str = "",
    user: object = None,
) -> RmaReceipt:
    """Mark a draft or authorized return received and put its back-to-stock lines back on the
    shelf, with a "return" movement each; optionally refund what came back (`rma_refund`),
    all in one transaction.

    `lines` changes how given lines come back (back to stock or not, into which warehouse);
    other lines keep what the return declared. `warehouse` is the warehouse of every line put
    back that names none. A return already received (or complete) is returned as it is, with
    no movement: a retried call never restocks twice (the refund, when asked, is still made
    if it is missing). A canceled return raises `InvalidStatusTransition`.
    """
    choices = [as_spec(RmaReceiptLine, line) for line in lines or ()]
    with transaction.atomic():
        locked = _lock_rma(rma)
        status = RmaStatus(locked.status)
        movements: list[StockMovement] = []
        if status in RECEIVABLE_STATUSES:
            movements = _receive(locked, choices, warehouse, user)
        elif status not in RESTOCKED_STATUSES:
            raise InvalidStatusTransition(locked, status.label, RmaStatus.RECEIVED.label)
        made = None
        if refund:
            made = rma_refund(
                rma=locked,
                note=refund_note,
                external_reference=refund_external_reference,
                user=user,
            )
    rma.refresh_from_db()
    return RmaReceipt(rma, movements, made)


def _receive(
    locked: Rma, choices: list[RmaReceiptLine], warehouse: Warehouse | None, user: object
) -> list[StockMovement]:
    lines = list(locked.lines.select_related("order_line__product", "warehouse"))
    _apply_choices(locked, lines, choices, warehouse)
    restocked = [
        line
        for line in lines
        if line.back_to_stock and not line.restocked and line.order_line.product is not None
    ]
    # Stock rows locked in one sorted batch, after the order row: the services' lock order.
    items = lock_stock_items((line.order_line.product, line.warehouse) for line in restocked)
    movements = stock_move_many(
        moves=[
            StockMove(line.order_line.product, line.warehouse, line.quantity) for line in restocked
        ],
        reason=StockMovement.Reason.RETURN,
        reference=locked,
        reference_label=f"{locked.number} ({locked.order.number})",
        user=user,
        locked_items=items,
    )
    if restocked:
        RmaLine.objects.filter(pk__in=[line.pk for line in restocked]).update(restocked=True)
    old = RmaStatus(locked.status)
    locked.status = RmaStatus.RECEIVED
    locked.save(update_fields=["status", "updated_at"])
    rma_status_event(locked, old, RmaStatus.RECEIVED, user)
    return movements


def _left_to_refund(locked_order: Order, rma: Rma) -> list[tuple[OrderLine, int]]:
    """Per order line of the return: the returned quantity that no refund of this return
    covers yet, within what is invoiced and not refunded on the order line."""
    returned: dict[int, int] = {}
    for line in rma.lines.all():
        returned[line.order_line_id] = returned.get(line.order_line_id, 0) + line.quantity
    refunded = dict(
        RefundLine.objects.filter(refund__rma=rma)
        .values("order_line")
        .annotate(total=Sum("quantity"))
        .values_list("order_line", "total")
    )
    order_lines = OrderLine.objects.filter(order=locked_order, pk__in=returned).order_by("pk")
    left = []
    for order_line in order_lines:
        wanted = returned[order_line.pk] - refunded.get(order_line.pk, 0)
        quantity = min(wanted, order_line.qty_invoiced - order_line.qty_refunded)
        if quantity > 0:
            left.append((order_line, quantity))
    return left


def rma_refund(
    *, rma: Rma, note: str = "", external_reference: str = "", user: object = None
) -> Refund:
    """Refund the returned quantities of `rma` that no refund of this return covers yet, each
    at its line's price (`refund_create`, linked to the return).

    Idempotent: when everything returned is already refunded, the return's latest refund is
    returned and nothing is written; a refund with `external_reference` already made on the
    order is returned as it is. Raises `InvalidOrder` when nothing of the return can be
    refunded and it has no refund (its lines were never invoiced, or were refunded apart).
    """
    with transaction.atomic():
        locked_order = lock_order(rma.order)
        if external_reference:
            found = Refund.objects.filter(
                order=locked_order, external_reference=external_reference.strip()
            ).first()
            if found is not None:
                return found
        left = _left_to_refund(locked_order, rma)
        if not left:
            latest = rma.refunds.order_by("-created_at", "-pk").first()
            if latest is not None:
                return latest
            raise InvalidOrder(
                gettext(
                    "Nothing on return %(number)s can be refunded: its items are not invoiced "
                    "or were already refunded."
                )
                % {"number": rma.number}
            )
        return refund_create(
            order=locked_order,
            rma=rma,
            lines=[RefundLineSpec(order_line=line, quantity=quantity) for line, quantity in left],
            note=note,
            external_reference=external_reference,
            user=user,
        )
