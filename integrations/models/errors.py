from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.models.integration import Integration
from integrations.text import render_message


class IntegrationError(models.Model):
    """A record a flow could not handle (the Erreurs tab): e.g. Hiboutik sale 1001 whose
    products lack stock. At most one open error per record: a new failure of the same record
    updates it (attempt count, latest message), never duplicates it. The message is an
    untranslated id with parameters; `detail` keeps what the other side said, raw; `payload` is
    what the flow needs to retry the record alone."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")
        DELETED = "deleted", _("Deleted")

    integration = models.ForeignKey(
        Integration, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="errors"
    )
    flow_key = models.CharField(_("flow"), max_length=64)
    record_type = models.CharField(_("record type"), max_length=32)
    record_id = models.CharField(_("record"), max_length=64)
    code = models.CharField(_("code"), max_length=64)
    message = models.TextField(_("message"))
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    detail = models.TextField(_("detail"), blank=True)
    payload = models.JSONField(_("retry payload"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.OPEN)
    run = models.ForeignKey(
        "integrations.FlowRun",
        verbose_name=_("last run"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="errors",
    )
    first_seen_at = models.DateTimeField(_("first seen"), default=timezone.now)
    last_seen_at = models.DateTimeField(_("last seen"), default=timezone.now, db_index=True)
    # A retry asked from the Erreurs tab is recorded here before its task is enqueued, so a
    # lost task is found again (integrations.tasks.recover) and two requests retry once.
    retry_requested_at = models.DateTimeField(_("retry requested at"), null=True, blank=True)
    retry_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    retry_started_at = models.DateTimeField(_("retry started at"), null=True, blank=True)
    # The outcome of the last retry, for the operator: "The order was imported." or why not.
    result_message = models.TextField(blank=True)
    result_params = models.JSONField(default=dict, blank=True)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("integration error")
        verbose_name_plural = _("integration errors")
        ordering = ["-last_seen_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "flow_key", "record_type", "record_id"],
                condition=Q(status="open"),
                name="integrations_error_one_open_per_record",
            )
        ]
        indexes = [
            models.Index(
                fields=["integration", "status", "-last_seen_at"], name="integrations_error_idx"
            ),
            models.Index(fields=["status", "retry_requested_at"], name="integrations_retry_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.integration}:{self.record_type} {self.record_id} ({self.code})"

    def text(self) -> str:
        return render_message(self.message, self.params)

    def result(self) -> str:
        return render_message(self.result_message, self.result_params)

    @property
    def retry_pending(self) -> bool:
        return self.retry_requested_at is not None
