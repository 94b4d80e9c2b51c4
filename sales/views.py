"""Sales pages: orders (list, detail with tabs), customer returns, customers. Read-only views:
writes belong to `sales.services`."""

from dataclasses import dataclass

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import Count, IntegerField, Model, OuterRef, Prefetch, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from sales.action_forms import CancelOrderForm, OrderNoteForm, has_returnable_lines
from sales.forms import CustomerFilterForm, OrderFilterForm, RmaFilterForm, source_label
from sales.models import (
    Customer,
    Invoice,
    Order,
    OrderEvent,
    OrderLine,
    OrderPayment,
    Rma,
    RmaStatus,
    Shipment,
    ShipmentLine,
)

PAGE_SIZE = 25


def count_of(model: type[Model], field: str = "order") -> Subquery:
    """Correlated COUNT(*) of `model` rows pointing at the outer row: one query for many counts,
    without the row multiplication that several Count() joins would cause."""
    rows = (
        model.objects.filter(**{field: OuterRef("pk")})
        .order_by()
        .values(field)
        .annotate(total=Count("pk"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), 0)


class FilteredListView(PermissionRequiredMixin, ListView):
    """A list whose GET parameters go through a filter form with a `filter(queryset)` method."""

    filter_form_class: type
    paginate_by = PAGE_SIZE

    def get_filter_form(self):
        if not hasattr(self, "_filter_form"):
            self._filter_form = self.filter_form_class(self.request.GET or None)
        return self._filter_form

    def get_queryset(self) -> QuerySet:
        return self.get_filter_form().filter(super().get_queryset())

    def get_context_data(self, **kwargs) -> dict:
        form = self.get_filter_form()
        return super().get_context_data(
            filter_form=form, filtered=form.is_bound and form.has_changed(), **kwargs
        )


class OrderListView(FilteredListView):
    permission_required = "sales.view_order"
    template_name = "sales/order_list.html"
    filter_form_class = OrderFilterForm
    queryset = Order.objects.select_related("store", "customer", "integration").order_by(
        "-placed_at", "-id"
    )


@dataclass(frozen=True)
class Tab:
    key: str
    label: Promise
    count_field: str


ORDER_TABS: tuple[Tab, ...] = (
    Tab("lines", _("Lines"), "lines_count"),
    Tab("payments", _("Payments"), "payments_count"),
    Tab("invoices", _("Invoices"), "invoices_count"),
    Tab("shipments", _("Shipments"), "shipments_count"),
    Tab("rma", _("RMA"), "rmas_count"),
    Tab("history", _("History"), "events_count"),
)
TAB_KEYS = {tab.key for tab in ORDER_TABS}


def _order_tab_context(order: Order, tab: str) -> dict:
    """Only the active tab's rows are read: a tab costs its own one or two queries."""
    if tab == "lines":
        return {"lines": order.lines.select_related("product")}
    if tab == "payments":
        return {
            "payments": order.payments.select_related("method"),
            "refunds": order.refunds.select_related("rma", "user"),
        }
    if tab == "invoices":
        return {"invoices": order.invoices.all()}
    if tab == "shipments":
        return {
            "shipments": order.shipments.select_related(
                "warehouse", "shipping_method"
            ).prefetch_related(Prefetch("lines", ShipmentLine.objects.select_related("order_line")))
        }
    if tab == "rma":
        return {
            "rmas": order.rmas.annotate(
                quantity=Coalesce(Sum("lines__quantity"), 0),
            )
        }
    return {"events": order.events.select_related("user")}


class OrderDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "sales.view_order"
    slug_field = "number"
    slug_url_kwarg = "number"
    context_object_name = "order"
    queryset = Order.objects.select_related(
        "store", "warehouse", "customer", "shipping_method", "integration"
    ).annotate(
        lines_count=count_of(OrderLine),
        payments_count=count_of(OrderPayment),
        invoices_count=count_of(Invoice),
        shipments_count=count_of(Shipment),
        rmas_count=count_of(Rma),
        events_count=count_of(OrderEvent),
    )

    def get_active_tab(self) -> str:
        tab = self.request.GET.get("tab") or "lines"
        if tab not in TAB_KEYS:
            raise Http404(f"Unknown tab {tab!r}")
        return tab

    def get_template_names(self) -> list[str]:
        # htmx swaps only the tab panel; a plain request (or a bookmarked tab) gets the page.
        if self.request.htmx and not self.request.htmx.boosted:
            return ["sales/order_tabs/panel.html"]
        return ["sales/order_detail.html"]

    def get_context_data(self, **kwargs) -> dict:
        tab = self.get_active_tab()
        order = self.object
        tabs = [
            {"key": t.key, "label": t.label, "count": getattr(order, t.count_field)}
            for t in ORDER_TABS
        ]
        user = self.request.user
        return super().get_context_data(
            tabs=tabs,
            active_tab=tab,
            tab_template=f"sales/order_tabs/{tab}.html",
            source=source_label(order.integration),
            # Counted already: an open order with no invoice and no shipment can be canceled.
            can_cancel=user.has_perm("sales.change_order")
            and order.is_open
            and not order.invoices_count
            and not order.shipments_count,
            can_return=user.has_perm("sales.add_rma")
            and bool(order.shipments_count)
            and has_returnable_lines(order),
            cancel_form=CancelOrderForm(),
            note_form=OrderNoteForm(),
            **_order_tab_context(order, tab),
            **kwargs,
        )


class RmaListView(FilteredListView):
    permission_required = "sales.view_rma"
    template_name = "sales/rma_list.html"
    filter_form_class = RmaFilterForm
    queryset = (
        Rma.objects.select_related("order", "order__store")
        .annotate(quantity=Coalesce(Sum("lines__quantity"), 0))
        .order_by("-created_at", "-id")
    )


class RmaDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "sales.view_rma"
    template_name = "sales/rma_detail.html"
    slug_field = "number"
    slug_url_kwarg = "number"
    context_object_name = "rma"
    queryset = Rma.objects.select_related(
        "order", "order__store", "order__customer", "user", "integration"
    )

    def get_context_data(self, **kwargs) -> dict:
        rma = self.object
        refunds = list(rma.refunds.select_related("user"))
        return super().get_context_data(
            lines=rma.lines.select_related("order_line", "order_line__product", "warehouse"),
            refunds=refunds,
            # A received return not refunded yet: offer to refund what came back.
            can_refund=self.request.user.has_perm("sales.add_refund")
            and rma.status in (RmaStatus.RECEIVED, RmaStatus.COMPLETE)
            and not refunds,
            **kwargs,
        )


class CustomerListView(FilteredListView):
    permission_required = "sales.view_customer"
    template_name = "sales/customer_list.html"
    filter_form_class = CustomerFilterForm
    queryset = (
        Customer.objects.select_related("group")
        .annotate(orders_count=count_of(Order, "customer"))
        .order_by("last_name", "first_name", "id")
    )


class CustomerDetailView(PermissionRequiredMixin, DetailView):
    permission_required = "sales.view_customer"
    template_name = "sales/customer_detail.html"
    context_object_name = "customer"
    queryset = Customer.objects.select_related("group")
    recent_orders = 20

    def get_context_data(self, **kwargs) -> dict:
        orders = self.object.orders.select_related("store").order_by("-placed_at", "-id")
        can_see_orders = self.request.user.has_perm("sales.view_order")
        return super().get_context_data(
            orders=orders[: self.recent_orders] if can_see_orders else [],
            orders_total=orders.count() if can_see_orders else 0,
            can_see_orders=can_see_orders,
            **kwargs,
        )
