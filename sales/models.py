"""Selling: stores, customers, orders and what follows them (invoices, shipments, returns,
refunds), plus the order's audit trail.

Every write goes through `sales.services`; these models describe the data and the guarantees
the database enforces (unique numbers, no duplicate import, quantities that stay coherent).
"""

from collections.abc import Callable, Mapping
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connect.templatetags.formatting import money
from inventory.models import Product, Warehouse

ZERO = Decimal("0")


def _money(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(
        verbose_name, max_digits=14, decimal_places=2, default=ZERO, **kwargs
    )


class Sequence(models.Model):
    """Counters for human-readable document numbers (orders, invoices…), one row per kind."""

    name = models.CharField(_("name"), max_length=32, unique=True)
    last_value = models.PositiveBigIntegerField(_("last value"), default=0)

    class Meta:
        verbose_name = _("number sequence")
        verbose_name_plural = _("number sequences")

    def __str__(self) -> str:
        return f"{self.name}: {self.last_value}"


class Store(models.Model):
    """A shop (boutique): where orders are taken; ships from its default warehouse."""

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)
    default_warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("default warehouse"),
        on_delete=models.PROTECT,
        related_name="stores",
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("store")
        verbose_name_plural = _("stores")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CustomerGroup(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        verbose_name = _("customer group")
        verbose_name_plural = _("customer groups")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    # Unique when present, case-insensitively: a web-shop customer is found by email.
    email = models.EmailField(_("email"), blank=True)
    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    group = models.ForeignKey(
        CustomerGroup,
        verbose_name=_("group"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="customers",
    )
    address_line1 = models.CharField(_("address"), max_length=255, blank=True)
    address_line2 = models.CharField(_("address (continued)"), max_length=255, blank=True)
    postcode = models.CharField(_("postcode"), max_length=20, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("region / state"), max_length=100, blank=True)
    country = models.CharField(_("country (ISO alpha-2)"), max_length=2, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("customer")
        verbose_name_plural = _("customers")
        ordering = ["last_name", "first_name", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"), condition=~Q(email=""), name="sales_customer_unique_email_ci"
            ),
        ]
        indexes = [models.Index(fields=["last_name", "first_name"], name="sales_customer_name_idx")]

    def __str__(self) -> str:
        return self.full_name or self.email or f"#{self.pk}"

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


class PaymentMethod(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("payment method")
        verbose_name_plural = _("payment methods")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ShippingMethod(models.Model):
    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("shipping method")
        verbose_name_plural = _("shipping methods")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    NEW = "new", _("New")
    PROCESSING = "processing", _("Processing")
    COMPLETE = "complete", _("Complete")
    CANCELED = "canceled", _("Canceled")
    CLOSED = "closed", _("Closed")


class Order(models.Model):
    Status = OrderStatus

    number = models.CharField(_("number"), max_length=32, unique=True)
    store = models.ForeignKey(
        Store, verbose_name=_("store"), on_delete=models.PROTECT, related_name="orders"
    )
    # The warehouse that serves the order (reservations, shipments): the store's default
    # warehouse unless the order says otherwise.
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="orders"
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("customer"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="orders",
    )
    # Snapshot at order time: what the order says stays true when the customer changes, and
    # guests (no customer row) still have a name and an address to show.
    customer_email = models.EmailField(_("customer email"), blank=True)
    customer_name = models.CharField(_("customer name"), max_length=200, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=OrderStatus, default=OrderStatus.NEW
    )
    currency = models.CharField(_("currency"), max_length=3, default="EUR")
    subtotal = _money(_("subtotal excluding tax"))
    shipping_amount = _money(_("shipping excluding tax"))
    tax_total = _money(_("tax total"))
    discount_total = _money(_("discount total (incl. tax)"))
    grand_total = _money(_("total including tax"))
    shipping_method = models.ForeignKey(
        ShippingMethod,
        verbose_name=_("shipping method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    # Stock for the open quantities is held in `reserved` until shipped or canceled.
    stock_reserved = models.BooleanField(_("stock reserved"), default=False)
    notify_customer = models.BooleanField(_("notify the customer"), default=True)
    # The integration the order was imported from (empty: made in Connect) and its id there.
    integration = models.ForeignKey(
        "integrations.Integration",
        verbose_name=_("integration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="orders",
    )
    external_reference = models.CharField(_("external reference"), max_length=64, blank=True)
    placed_at = models.DateTimeField(_("placed at"), default=timezone.now, db_index=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("order")
        verbose_name_plural = _("orders")
        ordering = ["-placed_at", "-id"]
        constraints = [
            # The database-level guarantee that an external sale is imported once per
            # integration, even when two workers import it at the same time; two Hiboutik
            # accounts may each have a sale 1001.
            models.UniqueConstraint(
                fields=["integration", "external_reference"],
                condition=~Q(external_reference=""),
                name="sales_order_unique_external_reference",
            ),
            models.CheckConstraint(
                condition=Q(external_reference="") | Q(integration__isnull=False),
                name="sales_order_reference_needs_integration",
            ),
            models.CheckConstraint(
                condition=Q(subtotal__gte=0, tax_total__gte=0, grand_total__gte=0),
                name="sales_order_totals_gte_0",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "-placed_at"], name="sales_order_status_idx"),
            models.Index(fields=["store", "-placed_at"], name="sales_order_store_idx"),
            models.Index(fields=["customer_email"], name="sales_order_email_idx"),
        ]

    def __str__(self) -> str:
        return self.number

    @property
    def is_open(self) -> bool:
        return self.status in (OrderStatus.NEW, OrderStatus.PROCESSING)


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="lines"
    )
    position = models.PositiveIntegerField(_("position"), default=0)
    product = models.ForeignKey(
        Product,
        verbose_name=_("product"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="order_lines",
    )
    sku = models.CharField(_("SKU"), max_length=64)
    name = models.CharField(_("name"), max_length=255)
    quantity = models.PositiveIntegerField(_("quantity"))
    unit_price = models.DecimalField(_("unit price excluding tax"), max_digits=14, decimal_places=4)
    unit_price_incl_tax = models.DecimalField(
        _("unit price including tax"), max_digits=14, decimal_places=4
    )
    tax_rate = models.DecimalField(_("tax rate (%)"), max_digits=5, decimal_places=2)
    discount_amount = _money(_("discount (incl. tax)"))
    row_total = _money(_("row total excluding tax"))
    tax_amount = _money(_("tax amount"))
    row_total_incl_tax = _money(_("row total including tax"))
    qty_invoiced = models.PositiveIntegerField(_("quantity invoiced"), default=0)
    qty_shipped = models.PositiveIntegerField(_("quantity shipped"), default=0)
    qty_returned = models.PositiveIntegerField(_("quantity returned"), default=0)
    qty_refunded = models.PositiveIntegerField(_("quantity refunded"), default=0)
    qty_canceled = models.PositiveIntegerField(_("quantity canceled"), default=0)
    external_reference = models.CharField(_("external line reference"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")
        ordering = ["order", "position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_orderline_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(qty_invoiced__lte=F("quantity")),
                name="sales_orderline_invoiced_lte_qty",
            ),
            models.CheckConstraint(
                condition=Q(qty_shipped__lte=F("quantity")),
                name="sales_orderline_shipped_lte_qty",
            ),
            models.CheckConstraint(
                condition=Q(qty_returned__lte=F("qty_shipped")),
                name="sales_orderline_returned_lte_shipped",
            ),
            models.CheckConstraint(
                condition=Q(qty_refunded__lte=F("qty_invoiced")),
                name="sales_orderline_refunded_lte_invoiced",
            ),
        ]
        indexes = [models.Index(fields=["sku"], name="sales_orderline_sku_idx")]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.sku} × {self.quantity}"

    @property
    def qty_to_invoice(self) -> int:
        return self.quantity - self.qty_canceled - self.qty_invoiced

    @property
    def qty_to_ship(self) -> int:
        return self.quantity - self.qty_canceled - self.qty_shipped


class OrderPayment(models.Model):
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="payments"
    )
    method = models.ForeignKey(
        PaymentMethod,
        verbose_name=_("payment method"),
        on_delete=models.PROTECT,
        related_name="payments",
    )
    amount = _money(_("amount"))
    external_reference = models.CharField(_("external reference"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("order payment")
        verbose_name_plural = _("order payments")
        ordering = ["order", "id"]
        constraints = [
            models.CheckConstraint(condition=~Q(amount=0), name="sales_orderpayment_amount_not_0")
        ]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.method} {self.amount}"


class Invoice(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="invoices"
    )
    subtotal = _money(_("subtotal excluding tax"))
    shipping_amount = _money(_("shipping excluding tax"))
    tax_total = _money(_("tax total"))
    grand_total = _money(_("total including tax"))
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(
        Invoice, verbose_name=_("invoice"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="invoice_lines",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    row_total = _money(_("row total excluding tax"))
    tax_amount = _money(_("tax amount"))
    row_total_incl_tax = _money(_("row total including tax"))

    class Meta:
        verbose_name = _("invoice line")
        verbose_name_plural = _("invoice lines")
        ordering = ["invoice", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_invoiceline_qty_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.invoice.number} · {self.order_line.sku} × {self.quantity}"


class Shipment(models.Model):
    number = models.CharField(_("number"), max_length=32, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="shipments"
    )
    warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="shipments"
    )
    shipping_method = models.ForeignKey(
        ShippingMethod,
        verbose_name=_("shipping method"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="shipments",
    )
    tracking_number = models.CharField(_("tracking number"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.number


class ShipmentLine(models.Model):
    shipment = models.ForeignKey(
        Shipment, verbose_name=_("shipment"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="shipment_lines",
    )
    quantity = models.PositiveIntegerField(_("quantity"))

    class Meta:
        verbose_name = _("shipment line")
        verbose_name_plural = _("shipment lines")
        ordering = ["shipment", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_shipmentline_qty_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.shipment.number} · {self.order_line.sku} × {self.quantity}"


class RmaStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    AUTHORIZED = "authorized", _("Authorized")
    RECEIVED = "received", _("Received")
    COMPLETE = "complete", _("Complete")
    CANCELED = "canceled", _("Canceled")


class Rma(models.Model):
    """A customer return (retour client)."""

    Status = RmaStatus

    number = models.CharField(_("number"), max_length=32, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="rmas"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=RmaStatus, default=RmaStatus.DRAFT
    )
    reason = models.TextField(_("reason"), blank=True)
    integration = models.ForeignKey(
        "integrations.Integration",
        verbose_name=_("integration"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rmas",
    )
    external_reference = models.CharField(_("external reference"), max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("RMA")
        verbose_name_plural = _("RMAs")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One external exchange event can never produce two returns.
            models.UniqueConstraint(
                fields=["integration", "external_reference"],
                condition=~Q(external_reference=""),
                name="sales_rma_unique_external_reference",
            ),
            models.CheckConstraint(
                condition=Q(external_reference="") | Q(integration__isnull=False),
                name="sales_rma_reference_needs_integration",
            ),
        ]
        indexes = [models.Index(fields=["status", "-created_at"], name="sales_rma_status_idx")]

    def __str__(self) -> str:
        return self.number


class RmaLine(models.Model):
    rma = models.ForeignKey(
        Rma, verbose_name=_("RMA"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine, verbose_name=_("order line"), on_delete=models.PROTECT, related_name="rma_lines"
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    back_to_stock = models.BooleanField(_("back to stock"), default=False)
    # Where the returned goods go back: the warehouse that served the sale unless overridden.
    warehouse = models.ForeignKey(
        Warehouse,
        verbose_name=_("warehouse"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="rma_lines",
    )
    restocked = models.BooleanField(_("restocked"), default=False)

    class Meta:
        verbose_name = _("RMA line")
        verbose_name_plural = _("RMA lines")
        ordering = ["rma", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_rmaline_qty_gt_0"),
            models.CheckConstraint(
                condition=Q(back_to_stock=True) | Q(restocked=False),
                name="sales_rmaline_restocked_needs_back_to_stock",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.rma.number} · {self.order_line.sku} × {self.quantity}"


class Refund(models.Model):
    """A credit memo (avoir): money given back on an order, optionally for a return."""

    number = models.CharField(_("number"), max_length=32, unique=True)
    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.PROTECT, related_name="refunds"
    )
    rma = models.ForeignKey(
        Rma,
        verbose_name=_("RMA"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="refunds",
    )
    amount = _money(_("amount"))
    note = models.TextField(_("note"), blank=True)
    external_reference = models.CharField(_("external reference"), max_length=64, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("refund")
        verbose_name_plural = _("refunds")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="sales_refund_amount_gt_0")
        ]

    def __str__(self) -> str:
        return self.number


class RefundLine(models.Model):
    refund = models.ForeignKey(
        Refund, verbose_name=_("refund"), on_delete=models.CASCADE, related_name="lines"
    )
    order_line = models.ForeignKey(
        OrderLine,
        verbose_name=_("order line"),
        on_delete=models.PROTECT,
        related_name="refund_lines",
    )
    quantity = models.PositiveIntegerField(_("quantity"))
    amount = _money(_("amount"))

    class Meta:
        verbose_name = _("refund line")
        verbose_name_plural = _("refund lines")
        ordering = ["refund", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_refundline_qty_gt_0")
        ]

    def __str__(self) -> str:
        return f"{self.refund.number} · {self.order_line.sku} × {self.quantity}"


def _status_label(choices: type[models.TextChoices]) -> Callable[[object, Mapping], str]:
    def label(code: object, params: Mapping) -> str:
        try:
            return str(choices(code).label)
        except ValueError:
            return str(code)

    return label


def _amount(value: object, params: Mapping) -> str:
    return money(value, params.get("currency") or None)


def _as_is(value: object, params: Mapping) -> object:
    return value


# Event parameters are stored as codes and plain numbers; these names are turned into words
# for the reader at display time, every other parameter is shown as stored.
EVENT_PARAM_DISPLAY: dict[str, Callable[[object, Mapping], object]] = {
    "old_status": _status_label(OrderStatus),
    "new_status": _status_label(OrderStatus),
    "rma_status": _status_label(RmaStatus),
    "old_rma_status": _status_label(RmaStatus),
    "new_rma_status": _status_label(RmaStatus),
    "amount": _amount,
    "total": _amount,
}


class OrderEvent(models.Model):
    """The order's audit trail (History tab): every status change and notable action.

    Events are written by services that may run without any request (Celery workers), so
    they never store translated text: `message` is either an English message id with its
    parameters in `data["params"]`, translated when read (`text()`), or, without params, free
    text typed by someone (a note, a cancel reason) shown exactly as typed. Rows written
    before message ids existed have no params either and are shown as stored.
    """

    class Kind(models.TextChoices):
        CREATED = "created", _("Created")
        STATUS = "status", _("Status changed")
        INVOICED = "invoiced", _("Invoiced")
        SHIPPED = "shipped", _("Shipped")
        CANCELED = "canceled", _("Canceled")
        PAYMENT = "payment", _("Payment")
        STOCK_FORCED = "stock_forced", _("Stock forced")
        RMA = "rma", _("Return")
        REFUND = "refund", _("Refund")
        NOTE = "note", _("Note")

    order = models.ForeignKey(
        Order, verbose_name=_("order"), on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind)
    old_status = models.CharField(_("old status"), max_length=20, blank=True)
    new_status = models.CharField(_("new status"), max_length=20, blank=True)
    message = models.TextField(_("message"), blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    data = models.JSONField(_("data"), default=dict, blank=True)
    created_at = models.DateTimeField(_("date"), default=timezone.now)

    class Meta:
        verbose_name = _("order event")
        verbose_name_plural = _("order events")
        ordering = ["order", "created_at", "id"]
        indexes = [models.Index(fields=["order", "created_at"], name="sales_orderevent_order_idx")]

    def __str__(self) -> str:
        return f"{self.order.number} · {self.get_kind_display()}"

    @property
    def params(self) -> dict | None:
        """The message's parameters; None when `message` is free text to show as is."""
        params = self.data.get("params") if isinstance(self.data, dict) else None
        return params if isinstance(params, dict) else None

    def text(self) -> str:
        """The message for the reader, in the active language."""
        params = self.params
        if params is None or not self.message:
            return self.message
        shown = {
            name: EVENT_PARAM_DISPLAY.get(name, _as_is)(value, params)
            for name, value in params.items()
        }
        for template in (gettext(self.message), self.message):
            try:
                return template % shown
            except (KeyError, TypeError, ValueError):
                # A translation whose placeholders do not match: fall back to the English text.
                continue
        return self.message
