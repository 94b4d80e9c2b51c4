"""Admin registration. Stock and movements are read-only here: stock changes go through the
services (mass stock edit page), so every change leaves a movement."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from connect.admin_writes import ServiceForm, ServiceWriteAdmin
from inventory.exceptions import InvalidProduct
from inventory.models import Product, ProductImage, StockItem, StockMovement, Warehouse
from inventory.services import product_create, product_update
from inventory.services.products import product_values_check


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


class ProductImageInline(ReadOnlyAdminMixin, admin.TabularInline):
    # Images are added and ordered through `product_image_add`, which hashes and deduplicates.
    model = ProductImage
    extra = 0
    fields = ("file", "position", "content_hash")
    readonly_fields = fields


class StockItemInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = StockItem
    extra = 0
    fields = ("warehouse", "physical", "reserved", "available", "updated_at")
    readonly_fields = fields

    @admin.display(description=_("available"))
    def available(self, obj: StockItem) -> int:
        return obj.available


class ProductAdminForm(ServiceForm):
    check_values = staticmethod(product_values_check)
    errors_checked = (InvalidProduct,)

    class Meta:
        model = Product
        fields = ("sku", "name", "description", "price", "tax_rate", "barcode", "cost", "enabled")


def _create_product(**values) -> Product:
    return product_create(**values)


def _update_product(product: Product, **changes) -> None:
    product_update(product=product, **changes)


@admin.register(Product)
class ProductAdmin(ServiceWriteAdmin):
    """Products are created and changed through the inventory services (their checks and the
    change tracking integrations rely on); the SKU is fixed once created."""

    form = ProductAdminForm
    create = staticmethod(_create_product)
    update = staticmethod(_update_product)
    create_only = ("sku",)
    list_display = ("sku", "name", "price", "tax_rate", "barcode", "enabled", "updated_at")
    list_filter = ("enabled", "tax_rate")
    search_fields = ("sku", "name", "barcode")
    readonly_fields = ("created_at", "updated_at")
    inlines = [StockItemInline, ProductImageInline]


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
