"""Refunds (credit memos, avoirs): money given back on what was invoiced."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext, gettext_noop

from sales.exceptions import InvalidOrder, RefundExceedsRemaining
from sales.models import (
    Order,
    OrderEvent,
    OrderLine,
    OrderStatus,
    Refund,
    RefundLine,
    Rma,
)
from sales.services.amounts import ZERO, money, share, to_decimal
from sales.services.common import event_add, lines_add, lock_order, real_user, status_set
from sales.services.numbers import next_number
from sales.services.orders import as_spec


@dataclass(frozen=True)
class RefundLineSpec:
    order_line: OrderLine
    quantity: int
    # None: the line's tax-included price for that quantity.
    amount: Decimal | None = None


def refundable_amount(order: Order) -> Decimal:
    """What can still be refunded on `order`: invoiced total minus refunds already made."""
    invoiced = order.invoices.aggregate(total=Sum("grand_total", default=ZERO))["total"]
    refunded = order.refunds.aggregate(total=Sum("amount", default=ZERO))["total"]
    return invoiced - refunded


def _line_amounts(
    locked: Order, specs: list[RefundLineSpec]
) -> list[tuple[OrderLine, int, Decimal]]:
    lines = {
        line.pk: line
        for line in OrderLine.objects.filter(order=locked).annotate(
            refunded_amount=Sum("refund_lines__amount", default=ZERO)
        )
    }
    result = []
    for spec in specs:
        line = lines.get(getattr(spec.order_line, "pk", None))
        if line is None:
            raise InvalidOrder(gettext("A refunded line is not part of this order."))
        if any(earlier.pk == line.pk for earlier, _, _ in result):
            # Each spec's default amount is the line's share counted from what was refunded
            # before this refund: a second spec of the line would be paid as if it were first.
            raise InvalidOrder(gettext("Line %(sku)s is given twice.") % {"sku": line.sku})
        quantity = spec.quantity
        if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
            raise InvalidOrder(gettext("A refunded quantity must be a whole number above 0."))
        if line.qty_refunded + quantity > line.qty_invoiced:
            raise InvalidOrder(
                gettext("More refunded than invoiced for %(sku)s.") % {"sku": line.sku}
            )
        left = line.row_total_incl_tax - line.refunded_amount
        if spec.amount is None:
            completes = line.qty_refunded + quantity == line.quantity
            # Hand-typed amounts below the line's price can leave less than its next share.
            amount = min(
                left,
                share(
                    line.row_total_incl_tax,
                    quantity,
                    line.quantity,
                    line.refunded_amount,
                    completes,
                ),
            )
        else:
            amount = money(to_decimal(spec.amount, gettext("Amount")))
            if amount < 0:
                raise InvalidOrder(gettext("A refunded amount cannot be negative."))
            if amount > left:
                raise InvalidOrder(
                    gettext("%(amount)s refunded on %(sku)s: only %(left)s is left to refund.")
                    % {"amount": amount, "sku": line.sku, "left": left}
                )
        result.append((line, quantity, amount))
    return result


def refund_create(
    *,
    order: Order,
    lines: Iterable[RefundLineSpec | Mapping] = (),
    amount: Decimal | str | None = None,
    rma: Rma | None = None,
    note: str = "",
    external_reference: str = "",
    user: object = None,
) -> Refund:
    """Refund part of an order. The amount defaults to the sum of the refunded lines; it can
    never exceed what remains refundable (`RefundExceedsRemaining`). A refund with an external
    reference already used on this order is returned unchanged. Refunding everything closes a
    complete order."""
    specs = [as_spec(RefundLineSpec, line) for line in lines]
    external_reference = external_reference.strip()
    with transaction.atomic():
        locked = lock_order(order)
        if external_reference:
            found = Refund.objects.filter(
                order=locked, external_reference=external_reference
            ).first()
            if found is not None:
                return found
        if rma is not None and rma.order_id != locked.pk:
            raise InvalidOrder(gettext("The return belongs to another order."))
        refund_lines = _line_amounts(locked, specs)
        if amount is None:
            if not refund_lines:
                raise InvalidOrder(gettext("Give the lines to refund or an amount."))
            total = sum((line_amount for _, _, line_amount in refund_lines), ZERO)
        else:
            total = money(to_decimal(amount, gettext("Amount")))
        if total <= 0:
            raise InvalidOrder(gettext("A refund amount must be above 0."))
        remaining = refundable_amount(locked)
        if total > remaining:
            raise RefundExceedsRemaining(total, remaining)
        refund = Refund.objects.create(
            number=next_number("refund"),
            order=locked,
            rma=rma,
            amount=total,
            note=note,
            external_reference=external_reference,
            user=real_user(user),
        )
        RefundLine.objects.bulk_create(
            RefundLine(refund=refund, order_line=line, quantity=quantity, amount=line_amount)
            for line, quantity, line_amount in refund_lines
        )
        refunded: dict[int, int] = {}
        for line, quantity, _ in refund_lines:
            refunded[line.pk] = refunded.get(line.pk, 0) + quantity
        lines_add("qty_refunded", refunded)
        event_add(
            order=locked,
            kind=OrderEvent.Kind.REFUND,
            message=gettext_noop("Refund %(number)s of %(amount)s."),
            params={"number": refund.number, "amount": str(total), "currency": locked.currency},
            user=user,
            data={"refund_id": refund.pk, "refund": refund.number, "amount": str(total)},
        )
        if locked.status == OrderStatus.COMPLETE and refundable_amount(locked) == 0:
            status_set(locked, OrderStatus.CLOSED, user=user)
    order.refresh_from_db()
    return refund
