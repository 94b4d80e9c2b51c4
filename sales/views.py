"""Sales pages: orders (list, detail with tabs), customer returns, customers. Read-only views:
writes belong to `sales.services`."""

from dataclasses import dataclass
from decimal import Decimal
from operator import attrgetter

from django.contrib.auth.mixins import PermissionRequiredMixin
from django.db.models import (
    Count,
    DecimalField,
    IntegerField,
    Model,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.generic import DetailView, ListView

from connect.lists import Column, SortableListMixin, csv_response, wants_csv
from connect.pagination import NearestPageMixin
from sales.action_forms import CancelOrderForm, OrderNoteForm, has_returnable_lines
from sales.forms import CustomerFilterForm, OrderFilterForm, RmaFilterForm, source_label
from sales.models import (
    Customer,
    Invoice,
    Order,
    OrderEvent,
    OrderLine,
    OrderPayment,
    Refund,
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


class FilteredListView(PermissionRequiredMixin, SortableListMixin, NearestPageMixin, ListView):
    """A list whose GET parameters go through a filter form with a `filter(queryset)` method,
    sorted by its declared columns, exported whole as CSV with `?format=csv`."""

    filter_form_class: type
    paginate_by = PAGE_SIZE
    export_name = "export.csv"

    def get(self, request, *args, **kwargs):
        if wants_csv(request):
            return csv_response(self.export_name, self.columns, self.get_queryset())
        return super().get(request, *args, **kwargs)

    def get_filter_form(self):
        if not hasattr(self, "_filter_form"):
            self._filter_form = self.filter_form_class(self.request.GET or None)
        return self._filter_form

    def get_queryset(self) -> QuerySet:
        return self.sort(self.get_filter_form().filter(super().get_queryset()))

    def get_context_data(self, **kwargs) -> dict:
        form = self.get_filter_form()
        return super().get_context_data(
            filter_form=form, filtered=form.is_bound and form.has_changed(), **kwargs
        )


def _customer(order: Order) -> str:
    return order.customer_name or order.customer_email


class OrderListView(FilteredListView):
    permission_required = "sales.view_order"
    template_name = "sales/order_list.html"
    filter_form_class = OrderFilterForm
    queryset = Order.objects.select_related("store", "customer", "integration").order_by(
        "-placed_at", "-id"
    )
    export_name = "orders.csv"
    default_sort = "-date"
    columns = (
        Column(_("Order"), attrgetter("number"), "number", ("number",)),
        Column(_("Date"), attrgetter("placed_at"), "date", ("placed_at",)),
        Column(_("Customer"), _customer, "customer", ("customer_name", "customer_email")),
        Column(_("Email"), attrgetter("customer_email")),
        Column(_("Store"), lambda order: order.store.name, "store", ("store__name",)),
        Column(_("Source"), lambda order: source_label(order.integration)),
        Column(_("External reference"), attrgetter("external_reference")),
        Column(_("Status"), lambda order: order.get_status_display(), "status", ("status",)),
        Column(_("Currency"), attrgetter("currency")),
        Column(_("Subtotal excl. tax"), attrgetter("subtotal")),
        Column(_("Tax"), attrgetter("tax_total")),
        Column(_("Total incl. tax"), attrgetter("grand_total"), "total", ("grand_total",)),
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
    Tab("rma", _("Returns"), "rmas_count"),
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


def _refunded() -> Subquery:
    rows = (
        Refund.objects.filter(rma=OuterRef("pk"))
        .order_by()
        .values("rma")
        .annotate(total=Sum("amount"))
        .values("total")
    )
    return Coalesce(Subquery(rows, output_field=DecimalField()), Value(Decimal("0")))


class RmaListView(FilteredListView):
    permission_required = "sales.view_rma"
    template_name = "sales/rma_list.html"
    filter_form_class = RmaFilterForm
    queryset = (
        Rma.objects.select_related("order", "order__store")
        .annotate(quantity=Coalesce(Sum("lines__quantity"), 0), refunded=_refunded())
        .order_by("-created_at", "-id")
    )
    export_name = "returns.csv"
    default_sort = "-date"
    columns = (
        Column(_("Return"), attrgetter("number"), "number", ("number",)),
        Column(_("Date"), attrgetter("created_at"), "date", ("created_at",)),
        Column(_("Order"), lambda rma: rma.order.number, "order", ("order__number",)),
        Column(
            _("Customer"), lambda rma: _customer(rma.order), "customer", ("order__customer_name",)
        ),
        Column(_("Store"), lambda rma: rma.order.store.name, "store", ("order__store__name",)),
        Column(_("Status"), lambda rma: rma.get_status_display(), "status", ("status",)),
        Column(_("Items"), attrgetter("quantity"), "items", ("quantity",)),
        Column(_("Refunded"), attrgetter("refunded"), "refunded", ("refunded",)),
        Column(_("Currency"), lambda rma: rma.order.currency),
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
    export_name = "customers.csv"
    columns = (
        Column(_("Name"), lambda c: c.full_name, "name", ("last_name", "first_name")),
        Column(_("Company"), attrgetter("company")),
        Column(_("Email"), attrgetter("email"), "email", ("email",)),
        Column(_("Phone"), attrgetter("phone")),
        Column(_("City"), attrgetter("city"), "city", ("city",)),
        Column(_("Country"), attrgetter("country")),
        Column(_("Group"), lambda c: c.group.name if c.group else "", "group", ("group__name",)),
        Column(_("Orders"), attrgetter("orders_count"), "orders", ("orders_count",)),
        Column(_("Customer since"), attrgetter("created_at"), "since", ("created_at",)),
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
