"""Helpers shared by the order services: locking, the audit trail, status progression."""

import json
from collections.abc import Callable, Iterable, Mapping, Sequence

from django.db.models import Case, F, IntegerField, Value, When
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


def event_build(
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
    """An event for the order's history, checked but not saved (see `event_add`).

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
    return OrderEvent(
        order=order,
        kind=kind,
        message=message,
        user=real_user(user),
        data=data,
        old_status=old_status,
        new_status=new_status,
    )


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
    """Record an event in the order's history (the rules of `event_build`)."""
    event = event_build(
        order=order,
        kind=kind,
        message=message,
        params=params,
        note=note,
        user=user,
        data=data,
        old_status=old_status,
        new_status=new_status,
    )
    event.save()
    return event


def _status_change(
    order: Order,
    new_status: str,
    *,
    user: object,
    message: str,
    note: str,
    kind: str,
    data: dict | None,
) -> OrderEvent | None:
    """Save the order's new status; its history event is returned unsaved (None: unchanged)."""
    old_status = order.status
    if old_status == new_status:
        return None
    order.status = new_status
    order.save(update_fields=["status", "updated_at"])
    return event_build(
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
    event = _status_change(
        order, new_status, user=user, message=message, note=note, kind=kind, data=data
    )
    if event is None:
        return False
    event.save()
    return True


def progress_status(
    order: Order,
    *,
    user: object = None,
    lines: Sequence[OrderLine] | None = None,
    events: Sequence[OrderEvent] = (),
) -> None:
    """Move an open order to processing / complete according to what is invoiced and shipped.

    `lines`: all the order's lines with their current quantities, when the caller holds them
    (read again otherwise). `events` (from `event_build`) are saved in the same INSERT as the
    status change's event, before it."""
    status_event = None
    if order.status in OPEN_STATUSES:
        if lines is None:
            lines = list(OrderLine.objects.filter(order=order))
        status_event = _status_change(
            order,
            _progressed_status(lines),
            user=user,
            message=STATUS_CHANGED,
            note="",
            kind=OrderEvent.Kind.STATUS,
            data=None,
        )
    OrderEvent.objects.bulk_create([*events, *filter(None, [status_event])])


def _progressed_status(lines: Sequence[OrderLine]) -> str:
    active = [line for line in lines if line.quantity > line.qty_canceled]
    if active and all(line.qty_to_invoice == 0 and line.qty_to_ship == 0 for line in active):
        return OrderStatus.COMPLETE
    if any(line.qty_invoiced or line.qty_shipped for line in lines):
        return OrderStatus.PROCESSING
    return OrderStatus.NEW


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
    seen = set()
    for key, quantity in quantities.items():
        line = by_id.get(getattr(key, "pk", key))
        if line is None:
            raise InvalidOrder(gettext("Line %(line)s is not part of this order.") % {"line": key})
        if line.pk in seen:
            raise InvalidOrder(gettext("Line %(sku)s is given twice.") % {"sku": line.sku})
        seen.add(line.pk)
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


def lines_add(field: str, quantities: Mapping[int, int]) -> None:
    """Add to one quantity counter of order lines (`qty_invoiced`, `qty_shipped`…), given per
    line id, in one UPDATE: `F()` adds to the value the database holds, and a CASE on the
    line id gives each line its own quantity."""
    changed = {pk: quantity for pk, quantity in quantities.items() if quantity}
    if not changed:
        return
    OrderLine.objects.filter(pk__in=changed).update(
        **{
            field: F(field)
            + Case(
                *(When(pk=pk, then=Value(quantity)) for pk, quantity in changed.items()),
                output_field=IntegerField(),
            )
        }
    )
