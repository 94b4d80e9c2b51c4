"""Catalogue and stock: warehouses, products and their images, stock per warehouse, movements.

Every write goes through `inventory.services`; these models only describe the data and the
guarantees the database itself enforces.
"""

from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

CENT = Decimal("0.01")


class Warehouse(models.Model):
    """A place that holds stock (dépôt)."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=255)
    description = models.TextField(_("description"), blank=True)
    # Four decimals: a price entered tax-included must survive the conversion to tax-excluded
    # and back without drifting by a cent.
    price = models.DecimalField(
        _("price excluding tax"), max_digits=14, decimal_places=4, default=Decimal("0")
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("20.00")
    )
    barcode = models.CharField(_("barcode"), max_length=64, blank=True, db_index=True)
    cost = models.DecimalField(
        _("cost price"), max_digits=14, decimal_places=4, default=Decimal("0")
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("product")
        verbose_name_plural = _("products")
        ordering = ["sku"]
        indexes = [models.Index(fields=["name"], name="inventory_product_name_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(price__gte=0), name="inventory_product_price_gte_0"),
            models.CheckConstraint(condition=Q(cost__gte=0), name="inventory_product_cost_gte_0"),
            models.CheckConstraint(
                condition=Q(tax_rate__gte=0, tax_rate__lte=100),
                name="inventory_product_tax_rate_0_100",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.sku} — {self.name}"

    @property
    def price_incl_tax(self) -> Decimal:
        """Shelf price, tax included, rounded to the cent."""
        return (self.price * (1 + self.tax_rate / 100)).quantize(CENT, ROUND_HALF_UP)


def product_image_path(instance: "ProductImage", filename: str) -> str:
    # Content-addressed names: the same picture uploaded twice never collides with another.
    suffix = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"products/{instance.content_hash[:2]}/{instance.content_hash}.{suffix}"


class ProductImage(models.Model):
    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="images"
    )
    file = models.ImageField(_("file"), upload_to=product_image_path)
    content_hash = models.CharField(_("SHA-256 of the content"), max_length=64)
    position = models.PositiveIntegerField(_("position"), default=0)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("product image")
        verbose_name_plural = _("product images")
        ordering = ["product", "position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "content_hash"], name="inventory_productimage_unique_hash"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} #{self.position}"


class StockItemQuerySet(models.QuerySet):
    def with_available(self) -> QuerySet:
        """Annotate `available_quantity` (physical − reserved) so it can be filtered and sorted."""
        return self.annotate(available_quantity=F("physical") - F("reserved"))


class StockItem(models.Model):
    """Stock of one product in one warehouse.

    `physical` may go below zero only when a caller explicitly allows it (a sale already made
    elsewhere must be recorded); `reserved` never does.
    """

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.CASCADE, related_name="stock_items"
    )
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        on_delete=models.PROTECT,
        related_name="stock_items",
    )
    physical = models.IntegerField(_("physical quantity"), default=0)
    reserved = models.IntegerField(_("reserved quantity"), default=0)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = StockItemQuerySet.as_manager()

    class Meta:
        verbose_name = _("stock item")
        verbose_name_plural = _("stock items")
        ordering = ["product", "warehouse"]
        constraints = [
            models.UniqueConstraint(
                fields=["product", "warehouse"], name="inventory_stockitem_unique_product_warehouse"
            ),
            models.CheckConstraint(
                condition=Q(reserved__gte=0), name="inventory_stockitem_reserved_gte_0"
            ),
        ]
        indexes = [models.Index(fields=["warehouse", "product"], name="inventory_stock_wh_idx")]

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.warehouse.code}: {self.physical}"

    @property
    def available(self) -> int:
        return self.physical - self.reserved


class StockMovement(models.Model):
    """One change of physical stock. The table is append-only: the history of every quantity."""

    class Reason(models.TextChoices):
        MANUAL = "manual", _("Manual edit")
        COUNT = "count", _("Stock count")
        RECEIPT = "receipt", _("Goods received")
        DAMAGE = "damage", _("Damaged or lost")
        ORDER_SHIPMENT = "order_shipment", _("Order shipment")
        RETURN = "return", _("Return (RMA)")
        FORCED_IMPORT = "forced_import", _("Forced for import")
        RECONCILIATION = "reconciliation", _("Reconciliation")
        INITIAL = "initial", _("Initial stock")

    product = models.ForeignKey(
        Product, verbose_name=_("product"), on_delete=models.PROTECT, related_name="movements"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="movements"
    )
    quantity = models.IntegerField(_("quantity"))
    reason = models.CharField(_("reason"), max_length=20, choices=Reason)
    # What caused the movement (a shipment, an RMA line…): any model, kept generic so the
    # inventory app depends on nothing above it.
    reference_type = models.ForeignKey(
        ContentType,
        verbose_name=_("reference type"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reference_id = models.CharField(_("reference id"), max_length=64, blank=True)
    reference = GenericForeignKey("reference_type", "reference_id")
    reference_label = models.CharField(_("reference"), max_length=200, blank=True)
    note = models.TextField(_("note"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="stock_movements",
    )
    physical_after = models.IntegerField(_("physical quantity after"))
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("stock movement")
        verbose_name_plural = _("stock movements")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["product", "warehouse", "-created_at"], name="inventory_mvt_prod_wh_idx"
            ),
            models.Index(fields=["reference_type", "reference_id"], name="inventory_mvt_ref_idx"),
            models.Index(fields=["reason", "-created_at"], name="inventory_mvt_reason_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(quantity=0), name="inventory_stockmovement_quantity_not_0"
            )
        ]

    def __str__(self) -> str:
        return f"{self.product.sku} @ {self.warehouse.code}: {self.quantity:+d} ({self.reason})"
