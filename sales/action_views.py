"""Actions on orders and returns: cancel an order, comment on it, open a return from its lines,
move a return through its statuses, receive it (back to stock, refund). Each view validates
what was typed and calls one service; a refusal is shown as the service words it."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from sales.action_forms import CancelOrderForm, OrderNoteForm, RmaCreateForm, RmaReceiveForm
from sales.exceptions import SalesError
from sales.models import Order, Rma, RmaStatus
from sales.services import (
    order_cancel,
    order_note_add,
    rma_create,
    rma_receive,
    rma_refund,
    rma_set_status,
)

# The statuses a return may be moved to from its page with one click (receiving has its form).
ONE_CLICK_STATUSES = {RmaStatus.AUTHORIZED, RmaStatus.COMPLETE, RmaStatus.CANCELED}


def _order_url(order: Order, tab: str = "") -> str:
    url = reverse("sales:order_detail", args=[order.number])
    return f"{url}?tab={tab}" if tab else url


@require_POST
@permission_required("sales.change_order", raise_exception=True)
def order_cancel_view(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order, number=number)
    form = CancelOrderForm(request.POST)
    if form.is_valid():
        try:
            order_cancel(order=order, user=request.user, reason=form.cleaned_data["reason"])
        except SalesError as error:
            messages.error(request, str(error))
        else:
            messages.success(
                request,
                gettext("Order %(number)s is canceled; its reserved stock is free again.")
                % {"number": order.number},
            )
    else:
        messages.error(request, gettext("The reason is too long (500 characters at most)."))
    return redirect(_order_url(order))


@require_POST
@permission_required("sales.change_order", raise_exception=True)
def order_note_view(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order, number=number)
    form = OrderNoteForm(request.POST)
    if form.is_valid():
        try:
            order_note_add(order=order, message=form.cleaned_data["message"], user=request.user)
        except SalesError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, gettext("Comment added to the history."))
    else:
        messages.error(request, gettext("Write a comment first (2,000 characters at most)."))
    return redirect(_order_url(order, "history"))


@require_http_methods(["GET", "POST"])
@permission_required("sales.add_rma", raise_exception=True)
def rma_create_view(request: HttpRequest, number: str) -> HttpResponse:
    order = get_object_or_404(Order.objects.select_related("store"), number=number)
    form = RmaCreateForm(request.POST or None, order=order)
    if request.method == "POST" and form.is_valid():
        try:
            rma = rma_create(
                order=order,
                lines=form.specs(),
                reason=form.cleaned_data["reason"],
                user=request.user,
            )
        except SalesError as error:
            form.add_error(None, str(error))
        else:
            messages.success(
                request,
                gettext("Return %(number)s is open: receive it when the items arrive.")
                % {"number": rma.number},
            )
            return redirect("sales:rma_detail", rma.number)
    return render(request, "sales/rma_create.html", {"order": order, "form": form})


@require_POST
@permission_required("sales.change_rma", raise_exception=True)
def rma_status_view(request: HttpRequest, number: str) -> HttpResponse:
    rma = get_object_or_404(Rma, number=number)
    try:
        status = RmaStatus(request.POST.get("status", ""))
    except ValueError:
        status = None
    if status not in ONE_CLICK_STATUSES:
        messages.error(request, gettext("Choose one of the actions shown on the return."))
        return redirect("sales:rma_detail", rma.number)
    try:
        rma_set_status(rma=rma, status=status, user=request.user)
    except SalesError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("Return %(number)s is now %(status)s.")
            % {"number": rma.number, "status": status.label.lower()},
        )
    return redirect("sales:rma_detail", rma.number)


@require_http_methods(["GET", "POST"])
@permission_required("sales.change_rma", raise_exception=True)
def rma_receive_view(request: HttpRequest, number: str) -> HttpResponse:
    rma = get_object_or_404(Rma.objects.select_related("order", "order__store"), number=number)
    if rma.status not in (RmaStatus.DRAFT, RmaStatus.AUTHORIZED):
        messages.info(request, gettext("This return is already received or closed."))
        return redirect("sales:rma_detail", rma.number)
    can_refund = request.user.has_perm("sales.add_refund")
    form = RmaReceiveForm(request.POST or None, rma=rma, can_refund=can_refund)
    if request.method == "POST" and form.is_valid():
        try:
            receipt = rma_receive(
                rma=rma,
                lines=form.receipt_lines(),
                refund=form.cleaned_data.get("refund", False),
                user=request.user,
            )
        except SalesError as error:
            form.add_error(None, str(error))
        else:
            count = sum(movement.quantity for movement in receipt.movements)
            text = ngettext(
                "Return %(number)s received: %(count)s item back to stock.",
                "Return %(number)s received: %(count)s items back to stock.",
                count,
            ) % {"number": rma.number, "count": count}
            if receipt.refund is not None:
                text += " " + gettext("Refund %(number)s created.") % {
                    "number": receipt.refund.number
                }
            messages.success(request, text)
            return redirect("sales:rma_detail", rma.number)
    return render(request, "sales/rma_receive.html", {"rma": rma, "form": form})


@require_POST
@permission_required("sales.add_refund", raise_exception=True)
def rma_refund_view(request: HttpRequest, number: str) -> HttpResponse:
    rma = get_object_or_404(Rma.objects.select_related("order"), number=number)
    try:
        refund = rma_refund(rma=rma, user=request.user)
    except SalesError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            gettext("Refund %(number)s covers the returned items.") % {"number": refund.number},
        )
    return redirect("sales:rma_detail", rma.number)
