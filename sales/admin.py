"""Admin registration. Reference data (stores, methods, groups, customers) is editable here;
orders and the documents that follow them are read-only, because only the services keep
their quantities, totals, stock and history coherent."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integrations.services.marks import bindings_mark_changed
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
from sales.services.customers import PUSHED_FIELDS


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


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("email", "last_name", "first_name", "company", "city", "country", "group")
    list_filter = ("group", "country")
    search_fields = ("email", "last_name", "first_name", "company", "phone", "city")
    readonly_fields = ("created_at", "updated_at")

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # The admin writes the row itself rather than through customer_update: mark what
        # integrations send, as the service would (the admin's save is one transaction).
        if change and PUSHED_FIELDS.intersection(form.changed_data):
            bindings_mark_changed(object_type="customer", object_ids=[obj.pk])


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
