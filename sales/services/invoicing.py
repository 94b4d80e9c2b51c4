"""Invoicing orders."""

from collections.abc import Mapping
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext, gettext_noop

from sales.exceptions import NothingToInvoice
from sales.models import Invoice, InvoiceLine, Order, OrderEvent, OrderLine
from sales.services.amounts import ZERO, share
from sales.services.common import (
    OPEN_STATUSES,
    event_build,
    lines_add,
    lock_order,
    pick_quantities,
    progress_status,
)
from sales.services.numbers import next_number


def order_invoice(
    *, order: Order, quantities: Mapping[object, int] | None = None, user: object = None
) -> Invoice:
    """Invoice what remains to invoice (or the given quantities per line).

    Partial invoices take each row's amounts pro rata; the invoice that completes a row takes
    what is left of it, and shipping goes on the first invoice.
    """
    with transaction.atomic():
        locked = lock_order(order)
        if locked.status not in OPEN_STATUSES:
            raise NothingToInvoice(
                gettext("Order %(number)s is %(status)s: it cannot be invoiced.")
                % {"number": locked.number, "status": locked.get_status_display()}
            )
        lines = list(
            OrderLine.objects.filter(order=locked).annotate(
                invoiced_row_total=Sum("invoice_lines__row_total", default=ZERO),
                invoiced_row_total_incl_tax=Sum("invoice_lines__row_total_incl_tax", default=ZERO),
            )
        )
        invoice = invoice_write(
            order=locked,
            lines=lines,
            quantities=quantities,
            invoiced_before={
                line.pk: (line.invoiced_row_total, line.invoiced_row_total_incl_tax)
                for line in lines
            },
            first=not locked.invoices.exists(),
            user=user,
        )
    order.refresh_from_db()
    return invoice


def invoice_write(
    *,
    order: Order,
    lines: list[OrderLine],
    quantities: Mapping[object, int] | None = None,
    invoiced_before: Mapping[int, tuple[Decimal, Decimal]],
    first: bool,
    user: object = None,
) -> Invoice:
    """The writes of `order_invoice`, in the caller's transaction (no savepoint of its own),
    for an order it locked or created: `lines` are all its lines as they stand,
    `invoiced_before` what earlier invoices took of each line's totals (excluding and
    including tax; none when absent), `first` whether no invoice exists yet (shipping goes on
    the first). The invoice number is taken just before the invoice is inserted: its counter
    stays locked until commit, so callers invoice last."""
    picked = pick_quantities(lines, quantities, lambda line: line.qty_to_invoice)
    if not picked:
        raise NothingToInvoice(
            gettext("Order %(number)s has nothing left to invoice.") % {"number": order.number}
        )
    invoice_lines = []
    for line, quantity in picked:
        completes = line.qty_invoiced + quantity == line.quantity
        excl_before, incl_before = invoiced_before.get(line.pk, (ZERO, ZERO))
        row_total = share(line.row_total, quantity, line.quantity, excl_before, completes)
        row_total_incl_tax = share(
            line.row_total_incl_tax, quantity, line.quantity, incl_before, completes
        )
        invoice_lines.append(
            InvoiceLine(
                order_line=line,
                quantity=quantity,
                row_total=row_total,
                tax_amount=row_total_incl_tax - row_total,
                row_total_incl_tax=row_total_incl_tax,
            )
        )
    shipping_excl = shipping_tax = ZERO
    if first:
        shipping_excl = order.shipping_amount
        # The order stores shipping excluding tax; its tax is what the line taxes do not
        # account for in the order's tax total.
        shipping_tax = order.tax_total - sum((line.tax_amount for line in lines), ZERO)
    # The number is taken before the invoice's date (its created_at) is set: with the counter
    # locked until commit, a later number never carries an earlier date.
    number = next_number("invoice")
    invoice = Invoice.objects.create(
        number=number,
        order=order,
        subtotal=sum((item.row_total for item in invoice_lines), ZERO),
        shipping_amount=shipping_excl,
        tax_total=sum((item.tax_amount for item in invoice_lines), ZERO) + shipping_tax,
        grand_total=sum((item.row_total_incl_tax for item in invoice_lines), ZERO)
        + shipping_excl
        + shipping_tax,
    )
    for item in invoice_lines:
        item.invoice = invoice
    InvoiceLine.objects.bulk_create(invoice_lines)
    lines_add("qty_invoiced", {line.pk: quantity for line, quantity in picked})
    invoiced = event_build(
        order=order,
        kind=OrderEvent.Kind.INVOICED,
        message=gettext_noop("Invoice %(number)s created (%(total)s)."),
        params={
            "number": invoice.number,
            "total": str(invoice.grand_total),
            "currency": order.currency,
        },
        user=user,
        data={"invoice_id": invoice.pk, "invoice": invoice.number},
    )
    # The order lock keeps every line's quantities as read: count the new ones in memory.
    for line, quantity in picked:
        line.qty_invoiced += quantity
    progress_status(order, user=user, lines=lines, events=[invoiced])
    return invoice
