"""Admin registration. Reference data (stores, methods, groups, customers) is editable here;
orders and the documents that follow them are read-only, because only the services keep
their quantities, totals, stock and history coherent."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from connect.admin_writes import ServiceForm, ServiceWriteAdmin
from sales.exceptions import InvalidCustomer
from sales.models import (
    Customer,
    CustomerGroup,
    Invoice,
    InvoiceLine,
    Order,
    OrderEvent,
    OrderLine,
    OrderPayment,
    PaymentMethod,
    Refund,
    RefundLine,
    Rma,
    RmaLine,
    Sequence,
    Shipment,
    ShipmentLine,
    ShippingMethod,
    Store,
)
from sales.services import customer_create, customer_update
from sales.services.customers import customer_values_check


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    show_change_link = False


@admin.register(Store)
class StoreAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "default_warehouse", "currency", "active")
    list_filter = ("active", "currency")
    search_fields = ("code", "name")


@admin.register(CustomerGroup)
class CustomerGroupAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


class CustomerAdminForm(ServiceForm):
    check_values = staticmethod(customer_values_check)
    errors_checked = (InvalidCustomer,)

    class Meta:
        model = Customer
        fields = (
            "email",
            "first_name",
            "last_name",
            "company",
            "phone",
            "group",
            "address_line1",
            "address_line2",
            "postcode",
            "city",
            "region",
            "country",
        )


def _create_customer(**values) -> Customer:
    return customer_create(**values)


def _update_customer(customer: Customer, **changes) -> None:
    customer_update(customer=customer, **changes)


@admin.register(Customer)
class CustomerAdmin(ServiceWriteAdmin):
    """Customers are created and changed through the sales services: email unique and
    lower-cased, ISO country, and the change tracking integrations rely on."""

    form = CustomerAdminForm
    create = staticmethod(_create_customer)
    update = staticmethod(_update_customer)
    list_display = ("email", "last_name", "first_name", "company", "city", "country", "group")
    list_filter = ("group", "country")
    search_fields = ("email", "last_name", "first_name", "company", "phone", "city")
    readonly_fields = ("created_at", "updated_at")


@admin.register(PaymentMethod)
class PaymentMethodAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


@admin.register(ShippingMethod)
class ShippingMethodAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "sku",
        "name",
        "quantity",
        "unit_price_incl_tax",
        "tax_rate",
        "discount_amount",
        "row_total_incl_tax",
        "qty_invoiced",
        "qty_shipped",
        "qty_returned",
        "qty_refunded",
        "qty_canceled",
    )
    readonly_fields = fields


class OrderPaymentInline(ReadOnlyInline):
    model = OrderPayment
    fields = ("method", "amount", "external_reference", "created_at")
    readonly_fields = fields


class EventTextMixin:
    @admin.display(description=_("message"))
    def event_text(self, event: OrderEvent) -> str:
        # The stored message is a message id (or a note): show what the History tab shows.
        return event.text()


class OrderEventInline(EventTextMixin, ReadOnlyInline):
    model = OrderEvent
    fields = ("created_at", "kind", "old_status", "new_status", "event_text", "user")
    readonly_fields = fields


@admin.register(Order)
class OrderAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "number",
        "placed_at",
        "store",
        "customer_name",
        "customer_email",
        "status",
        "grand_total",
        "integration",
        "external_reference",
    )
    list_filter = ("status", "store", "integration")
    search_fields = ("number", "customer_email", "customer_name", "external_reference")
    date_hierarchy = "placed_at"
    list_select_related = ("store", "integration")
    inlines = [OrderLineInline, OrderPaymentInline, OrderEventInline]


class InvoiceLineInline(ReadOnlyInline):
    model = InvoiceLine
    fields = ("order_line", "quantity", "row_total", "tax_amount", "row_total_incl_tax")
    readonly_fields = fields


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "order", "grand_total", "created_at")
    search_fields = ("number", "order__number")
    date_hierarchy = "created_at"
    list_select_related = ("order",)
    inlines = [InvoiceLineInline]


class ShipmentLineInline(ReadOnlyInline):
    model = ShipmentLine
    fields = ("order_line", "quantity")
    readonly_fields = fields


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "order", "warehouse", "tracking_number", "created_at")
    list_filter = ("warehouse",)
    search_fields = ("number", "order__number", "tracking_number")
    list_select_related = ("order", "warehouse")
    inlines = [ShipmentLineInline]


class RmaLineInline(ReadOnlyInline):
    model = RmaLine
    fields = ("order_line", "quantity", "back_to_stock", "warehouse", "restocked")
    readonly_fields = fields


@admin.register(Rma)
class RmaAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "order", "status", "integration", "created_at")
    list_filter = ("status", "integration")
    search_fields = ("number", "order__number", "external_reference")
    list_select_related = ("order",)
    inlines = [RmaLineInline]


class RefundLineInline(ReadOnlyInline):
    model = RefundLine
    fields = ("order_line", "quantity", "amount")
    readonly_fields = fields


@admin.register(Refund)
class RefundAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("number", "order", "rma", "amount", "created_at")
    search_fields = ("number", "order__number", "external_reference")
    list_select_related = ("order", "rma")
    inlines = [RefundLineInline]


@admin.register(OrderEvent)
class OrderEventAdmin(EventTextMixin, ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "order", "kind", "old_status", "new_status", "event_text", "user")
    fields = (
        "order",
        "created_at",
        "kind",
        "old_status",
        "new_status",
        "event_text",
        "user",
        "data",
    )
    readonly_fields = fields
    list_filter = ("kind",)
    search_fields = ("order__number", "message")
    list_select_related = ("order", "user")


@admin.register(Sequence)
class SequenceAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("name", "last_value")
