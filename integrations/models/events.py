from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.models.integration import Integration
from integrations.text import render_message


class IntegrationEvent(models.Model):
    """Something the other side told us (the Events tab): a webhook delivery, or an event a
    flow derived from one (an exchange found in a sale). Unique per (integration, type,
    external id): a re-delivery is counted in `deliveries`, not stored again; one with a
    different payload replaces it and makes it not done again. `done` stays false until a flow
    processed it, so a lost task never loses the event: the next run picks it up."""

    integration = models.ForeignKey(
        Integration, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="events"
    )
    type = models.CharField(_("type"), max_length=32)
    external_id = models.CharField(_("external id"), max_length=64)
    payload = models.JSONField(_("payload"), default=dict, blank=True)
    payload_hash = models.CharField(max_length=64, editable=False)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)
    last_received_at = models.DateTimeField(_("last received at"), default=timezone.now)
    deliveries = models.PositiveIntegerField(_("deliveries"), default=1)
    done = models.BooleanField(_("done"), default=False)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # Set while a flow processes the event, so two runs never process it at once.
    claimed_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The outcome: what was done, or why not (an untranslated message id and its parameters).
    result_message = models.TextField(blank=True)
    result_params = models.JSONField(default=dict, blank=True)
    failed = models.BooleanField(_("failed"), default=False)
    # What processing made: [{"type": "order", "id": 12, "label": "CMD-000012"}, ...]
    links = models.JSONField(_("links"), default=list, blank=True)

    class Meta:
        verbose_name = _("integration event")
        verbose_name_plural = _("integration events")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "type", "external_id"], name="integrations_event_unique"
            )
        ]
        indexes = [
            models.Index(
                fields=["integration", "done", "received_at"], name="integrations_event_todo_idx"
            ),
            # Recovery looks for events still waiting every few minutes; events are kept, so
            # the index holds only the waiting ones and its scan does not grow with history.
            models.Index(
                fields=["last_received_at"],
                condition=models.Q(done=False, failed=False),
                name="integrations_event_waiting_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.integration}:{self.type} {self.external_id}"

    def result(self) -> str:
        return render_message(self.result_message, self.result_params)
