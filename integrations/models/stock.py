from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.models.integration import Integration
from integrations.models.runs import FlowRun


class ExternalStock(models.Model):
    """The quantity of one product that an integration believes the other system holds (for
    Hiboutik: in the warehouse it pushes to), and whether Connect's stock changed since.

    The stock services mark the row `dirty` (bumping `mark_seq`) in the same transaction as any
    change of the product's physical or reserved stock; the stock flow pushes the difference
    between Connect's available stock and `believed` for dirty rows only, then adds what it
    pushed to `believed` and clears `dirty` where `mark_seq` is still the value it read. A sale
    the other system made itself lowers `believed` when Connect imports it, so it is not pushed
    back. `believed` is None until the other side's quantity is known.
    """

    integration = models.ForeignKey(
        Integration,
        verbose_name=_("integration"),
        on_delete=models.CASCADE,
        related_name="external_stocks",
    )
    product = models.ForeignKey(
        "inventory.Product", verbose_name=_("product"), on_delete=models.CASCADE, related_name="+"
    )
    believed = models.IntegerField(_("quantity believed held"), null=True, blank=True)
    dirty = models.BooleanField(_("changed since last push"), default=True)
    mark_seq = models.PositiveBigIntegerField(_("change counter"), default=0, editable=False)
    pushed_at = models.DateTimeField(_("last pushed at"), null=True, blank=True)
    checked_at = models.DateTimeField(_("last checked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("external stock")
        verbose_name_plural = _("external stocks")
        ordering = ["integration", "product"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "product"], name="integrations_extstock_unique_product"
            )
        ]
        indexes = [
            models.Index(
                fields=["integration", "id"],
                condition=Q(dirty=True),
                name="integ_extstock_dirty_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.integration_id}: product {self.product_id} believed {self.believed}"


class ExternalStockPush(models.Model):
    """One batch of stock changes sent to the other system (for Hiboutik, one inventory input),
    recorded before the first call and closed once its result is saved. A run that stopped
    half-way leaves it open; the next stock run finds it and finishes it — reads what the
    other side applied — instead of sending the changes again. At most one is open per
    integration, so two stock flows of one integration never push at the same time."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        APPLIED = "applied", _("Applied")
        DISCARDED = "discarded", _("Discarded")

    integration = models.ForeignKey(
        Integration,
        verbose_name=_("integration"),
        on_delete=models.CASCADE,
        related_name="stock_pushes",
    )
    run = models.ForeignKey(
        FlowRun, verbose_name=_("run"), null=True, blank=True, on_delete=models.SET_NULL
    )
    flow_key = models.CharField(_("flow"), max_length=64)
    label = models.CharField(_("label"), max_length=100)
    external_id = models.CharField(_("external id"), max_length=64, blank=True)
    # What was planned: [{"product": id, "ref": external product, "quantity": change}].
    lines = models.JSONField(_("lines"), default=list, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    # What the other side applied: {"applied": {product id: change}, "refused": [...]}.
    result = models.JSONField(_("result"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("stock push")
        verbose_name_plural = _("stock pushes")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration"],
                condition=Q(status="open"),
                name="integrations_stockpush_one_open",
            )
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.status})"


class ExternalStockAdjustment(models.Model):
    """A change the other system made to its own stock (a sale rung up at its till), applied to
    the beliefs once: its `key` (e.g. ``sale:123``) is unique per integration."""

    integration = models.ForeignKey(
        Integration,
        verbose_name=_("integration"),
        on_delete=models.CASCADE,
        related_name="stock_adjustments",
    )
    key = models.CharField(_("key"), max_length=100)
    # {product id: signed change}, as applied.
    changes = models.JSONField(_("changes"), default=dict)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("external stock adjustment")
        verbose_name_plural = _("external stock adjustments")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "key"], name="integrations_stockadjust_unique_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.integration_id}: {self.key}"
