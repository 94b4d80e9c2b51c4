"""Admin registration. Stock and movements are read-only here: stock changes go through the
services (mass stock edit page), so every change leaves a movement."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from integrations.services.marks import bindings_mark_changed
from inventory.models import Product, ProductImage, StockItem, StockMovement, Warehouse
from inventory.services.products import PUSHED_FIELDS


class ReadOnlyAdminMixin:
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


class ProductImageInline(admin.TabularInline):
    model = ProductImage
    extra = 0
    fields = ("file", "position", "content_hash")
    readonly_fields = ("file", "content_hash")

    def has_add_permission(self, request, obj=None) -> bool:
        # Added through `product_image_add`, which computes the hash and deduplicates.
        return False


class StockItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StockItem
    extra = 0
    fields = ("warehouse", "physical", "reserved", "available", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("available"))
    def available(self, obj: StockItem) -> int:
        return obj.available


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "price", "tax_rate", "barcode", "enabled", "updated_at")
    list_filter = ("enabled", "tax_rate")
    search_fields = ("sku", "name", "barcode")
    readonly_fields = ("created_at", "updated_at")
    inlines = [StockItemInline, ProductImageInline]

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # The admin writes the row itself rather than through product_update: mark what
        # integrations push, as the service would (the admin's save is one transaction).
        if change and PUSHED_FIELDS.intersection(form.changed_data):
            bindings_mark_changed(object_type="product", object_ids=[obj.pk])


@admin.register(ProductImage)
class ProductImageAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("product", "position", "content_hash", "created_at")
    search_fields = ("product__sku", "content_hash")
    list_select_related = ("product",)


@admin.register(StockItem)
class StockItemAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("product", "warehouse", "physical", "reserved", "available", "updated_at")
    list_filter = ("warehouse",)
    search_fields = ("product__sku", "product__name", "product__barcode")
    list_select_related = ("product", "warehouse")

    @admin.display(description=_("available"))
    def available(self, obj: StockItem) -> int:
        return obj.available


@admin.register(StockMovement)
class StockMovementAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "created_at",
        "product",
        "warehouse",
        "quantity",
        "physical_after",
        "reason",
        "reference_label",
        "user",
    )
    list_filter = ("reason", "warehouse")
    search_fields = ("product__sku", "product__name", "reference_label", "note")
    date_hierarchy = "created_at"
    list_select_related = ("product", "warehouse", "user")
