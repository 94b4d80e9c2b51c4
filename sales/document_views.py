"""An order's printable documents: the invoice and the packing slip, as PDF."""

from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from sales.documents import invoice_pdf, packing_slip_pdf
from sales.models import Invoice, Order


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    # Opened in the browser's viewer, saved under a name that says what it is.
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


@require_GET
@permission_required("sales.view_invoice", raise_exception=True)
def invoice_pdf_view(request: HttpRequest, number: str) -> HttpResponse:
    invoice = get_object_or_404(
        Invoice.objects.select_related("order", "order__store", "order__customer"), number=number
    )
    return _pdf(invoice_pdf(invoice), f"{invoice.number}.pdf")


@require_GET
@permission_required("sales.view_order", raise_exception=True)
def packing_slip_view(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(
        Order.objects.select_related("store", "customer", "warehouse", "shipping_method"),
        number=number,
    )
    return _pdf(packing_slip_pdf(order), f"{order.number}-packing-slip.pdf")
