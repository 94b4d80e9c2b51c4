"""Invoicing orders."""

from collections.abc import Mapping

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
        picked = pick_quantities(lines, quantities, lambda line: line.qty_to_invoice)
        if not picked:
            raise NothingToInvoice(
                gettext("Order %(number)s has nothing left to invoice.") % {"number": locked.number}
            )
        invoice_lines = []
        for line, quantity in picked:
            completes = line.qty_invoiced + quantity == line.quantity
            row_total = share(
                line.row_total, quantity, line.quantity, line.invoiced_row_total, completes
            )
            row_total_incl_tax = share(
                line.row_total_incl_tax,
                quantity,
                line.quantity,
                line.invoiced_row_total_incl_tax,
                completes,
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
        if not locked.invoices.exists():
            shipping_excl = locked.shipping_amount
            # The order stores shipping excluding tax; its tax is what the line taxes do not
            # account for in the order's tax total.
            shipping_tax = locked.tax_total - sum((line.tax_amount for line in lines), ZERO)
        invoice = Invoice.objects.create(
            number=next_number("invoice"),
            order=locked,
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
            order=locked,
            kind=OrderEvent.Kind.INVOICED,
            message=gettext_noop("Invoice %(number)s created (%(total)s)."),
            params={
                "number": invoice.number,
                "total": str(invoice.grand_total),
                "currency": locked.currency,
            },
            user=user,
            data={"invoice_id": invoice.pk, "invoice": invoice.number},
        )
        # The order lock keeps every line's quantities as read: count the new ones in memory.
        for line, quantity in picked:
            line.qty_invoiced += quantity
        progress_status(locked, user=user, lines=lines, events=[invoiced])
    order.refresh_from_db()
    return invoice
