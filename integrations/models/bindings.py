from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExternalBinding(models.Model):
    """Which external id a Connect object has in another system, per scope.

    The scope is an integration (`integration:<id>`), or what several integrations share: the
    Hiboutik account for products and customers (`hiboutik:<account>`), since every store of
    an account sees the same catalogue. Both directions are unique per scope and object type,
    so the database — not a lookup — makes a duplicate binding impossible. `pushed_state` is
    what Connect last sent (e.g. the price and barcode pushed), so a flow can send only what
    changed.

    Change tracking: a domain service that changes something another system was sent (a
    product's price, a customer's email) sets `dirty` and bumps `mark_seq` on the object's
    bindings in the same transaction as the change. A flow reads dirty bindings, pushes, then
    clears `dirty` only where `mark_seq` is still the value it read: a change committed while
    it was pushing keeps its mark for the next run.
    """

    class ObjectType(models.TextChoices):
        PRODUCT = "product", _("Product")
        CUSTOMER = "customer", _("Customer")
        ORDER = "order", _("Order")
        ORDER_LINE = "order_line", _("Order line")
        RMA = "rma", _("Return")
        REFUND = "refund", _("Refund")
        PRODUCT_IMAGE = "product_image", _("Product image")

    scope = models.CharField(_("scope"), max_length=200)
    object_type = models.CharField(_("object type"), max_length=32, choices=ObjectType)
    object_id = models.BigIntegerField(_("Connect id"))
    external_id = models.CharField(_("external id"), max_length=64)
    pushed_state = models.JSONField(_("last pushed state"), default=dict, blank=True)
    pushed_at = models.DateTimeField(_("last pushed at"), null=True, blank=True)
    dirty = models.BooleanField(_("changed since last push"), default=False)
    mark_seq = models.PositiveBigIntegerField(_("change counter"), default=0, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("external binding")
        verbose_name_plural = _("external bindings")
        ordering = ["scope", "object_type", "object_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["scope", "object_type", "external_id"],
                name="integrations_binding_unique_external",
            ),
            models.UniqueConstraint(
                fields=["scope", "object_type", "object_id"],
                name="integrations_binding_unique_object",
            ),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="integrations_binding_obj_idx"),
            models.Index(
                fields=["scope", "object_type"],
                condition=Q(dirty=True),
                name="integ_binding_dirty_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.scope} {self.object_type} {self.object_id} ↔ {self.external_id}"
