"""Helpers shared by the order services: locking, the audit trail, status progression."""

import json
from collections.abc import Callable, Iterable, Mapping

from django.utils.translation import gettext, gettext_noop

from sales.exceptions import InvalidOrder
from sales.models import Order, OrderEvent, OrderLine, OrderStatus

OPEN_STATUSES = (OrderStatus.NEW, OrderStatus.PROCESSING)


def real_user(user: object) -> object | None:
    return user if getattr(user, "is_authenticated", False) else None


def lock_order(order: Order) -> Order:
    """A fresh copy of the order with its row locked until the transaction ends: invoicing,
    shipping, cancelling or refunding the same order at once queue behind each other."""
    return Order.objects.select_for_update().get(pk=order.pk)


STATUS_CHANGED = gettext_noop("Status changed from %(old_status)s to %(new_status)s.")


def event_add(
    *,
    order: Order,
    kind: str,
    message: str = "",
    params: Mapping[str, object] | None = None,
    note: str = "",
    user: object = None,
    data: dict | None = None,
    old_status: str = "",
    new_status: str = "",
) -> OrderEvent:
    """Record an event in the order's history.

    `message` is an English message id marked with `gettext_noop`: it is translated for each
    reader, with `params` (codes and plain numbers only, see `OrderEvent.text`). `note` is
    free text typed by someone: stored and shown exactly as typed, never translated.
    """
    data = dict(data or {})
    if message and note:
        raise ValueError("An order event has a message id or a note, not both.")
    if note:
        if params:
            raise ValueError("A note is free text: it takes no parameters.")
        message = note
    elif message:
        if "params" in data:
            raise ValueError('"params" in an order event\'s data is reserved for its message.')
        params = dict(params or {})
        try:
            message % params
            # Stored as JSON: codes, strings and plain numbers (amounts as strings) only.
            json.dumps(params)
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"Order event message {message!r} does not fit its parameters {params!r}: {error}"
            ) from None
        data["params"] = params
    return OrderEvent.objects.create(
        order=order,
        kind=kind,
        message=message,
        user=real_user(user),
        data=data,
        old_status=old_status,
        new_status=new_status,
    )


def status_set(
    order: Order,
    new_status: str,
    *,
    user: object = None,
    message: str = STATUS_CHANGED,
    note: str = "",
    kind: str = OrderEvent.Kind.STATUS,
    data: dict | None = None,
) -> bool:
    """Change the order's status and record it in its history; False when unchanged.

    The event's message gets the old and new status codes as `old_status` / `new_status`
    parameters; a `note` (free text) replaces the message."""
    old_status = order.status
    if old_status == new_status:
        return False
    order.status = new_status
    order.save(update_fields=["status", "updated_at"])
    event_add(
        order=order,
        kind=kind,
        message="" if note else message,
        params=None if note else {"old_status": str(old_status), "new_status": str(new_status)},
        note=note,
        user=user,
        data=data,
        old_status=old_status,
        new_status=new_status,
    )
    return True


def progress_status(order: Order, *, user: object = None) -> None:
    """Move an open order to processing / complete according to what is invoiced and shipped."""
    if order.status not in OPEN_STATUSES:
        return
    lines = list(OrderLine.objects.filter(order=order))
    active = [line for line in lines if line.quantity > line.qty_canceled]
    if active and all(line.qty_to_invoice == 0 and line.qty_to_ship == 0 for line in active):
        new_status = OrderStatus.COMPLETE
    elif any(line.qty_invoiced or line.qty_shipped for line in lines):
        new_status = OrderStatus.PROCESSING
    else:
        new_status = OrderStatus.NEW
    status_set(order, new_status, user=user)


def pick_quantities(
    lines: Iterable[OrderLine],
    quantities: Mapping[object, int] | None,
    remaining: Callable[[OrderLine], int],
) -> list[tuple[OrderLine, int]]:
    """(line, quantity) pairs to process: everything remaining when `quantities` is None,
    otherwise the given quantities (keys: OrderLine or line id), each checked against what
    remains for its line."""
    lines = list(lines)
    if quantities is None:
        return [(line, remaining(line)) for line in lines if remaining(line) > 0]
    by_id = {line.pk: line for line in lines}
    picked = []
    for key, quantity in quantities.items():
        line = by_id.get(getattr(key, "pk", key))
        if line is None:
            raise InvalidOrder(gettext("Line %(line)s is not part of this order.") % {"line": key})
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 0:
            raise InvalidOrder(
                gettext("Quantity for %(sku)s must be a whole number of 0 or more.")
                % {"sku": line.sku}
            )
        if quantity > remaining(line):
            raise InvalidOrder(
                gettext("Only %(left)d of %(sku)s remain(s), not %(quantity)d.")
                % {"left": remaining(line), "sku": line.sku, "quantity": quantity}
            )
        if quantity:
            picked.append((line, quantity))
    return picked
