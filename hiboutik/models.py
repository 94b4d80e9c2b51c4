"""What the Hiboutik integration keeps beside the framework's tables."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class CatalogueMatchItem(models.Model):
    """One line of an integration's last catalogue match that the admin reviews before the
    export flows run: a Hiboutik product nothing in Connect matched, or a conflict that kept a
    product from being bound (its `code` names the case; the page words it in the reader's
    language from the fields here). Matched products are the bindings themselves and products
    only in Connect are those without one, so neither is copied here."""

    class Kind(models.TextChoices):
        ONLY_HIBOUTIK = "only_hiboutik", _("Only in Hiboutik")
        CONFLICT = "conflict", _("Conflict")

    integration = models.ForeignKey(
        "integrations.Integration",
        verbose_name=_("integration"),
        on_delete=models.CASCADE,
        related_name="+",
    )
    run = models.ForeignKey(
        "integrations.FlowRun", verbose_name=_("run"), on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind)
    code = models.CharField(_("code"), max_length=40, blank=True)
    hiboutik_product_id = models.PositiveBigIntegerField(_("Hiboutik product"), default=0)
    hiboutik_size_id = models.PositiveBigIntegerField(_("Hiboutik size"), default=0)
    name = models.CharField(_("name"), max_length=255, blank=True)
    reference = models.CharField(_("reference"), max_length=255, blank=True)
    barcode = models.CharField(_("barcode"), max_length=64, blank=True)
    product_ids = models.JSONField(_("Connect products"), default=list, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        verbose_name = _("catalogue match item")
        verbose_name_plural = _("catalogue match items")
        ordering = ["integration", "kind", "id"]
        indexes = [
            models.Index(fields=["integration", "kind", "id"], name="hiboutik_match_kind_idx")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.code} {self.hiboutik_product_id} {self.reference}"
