from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_celery_beat.models import PeriodicTask

from integrations.models.integration import Integration
from integrations.text import render_message


class FlowSchedule(models.Model):
    """When one flow of one integration runs; mirrored 1:1 by a django-celery-beat
    `PeriodicTask` (named `<integration>:<flow key>`) that `integrations.services.schedules`
    keeps in step. Either every N minutes or a crontab line."""

    integration = models.ForeignKey(
        Integration,
        verbose_name=_("integration"),
        on_delete=models.CASCADE,
        related_name="schedules",
    )
    flow_key = models.CharField(_("flow"), max_length=64)
    enabled = models.BooleanField(_("enabled"), default=False)
    every_minutes = models.PositiveIntegerField(_("every (minutes)"), null=True, blank=True)
    crontab = models.CharField(_("crontab"), max_length=100, blank=True)
    periodic_task = models.OneToOneField(
        PeriodicTask, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("flow schedule")
        verbose_name_plural = _("flow schedules")
        ordering = ["integration", "flow_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "flow_key"], name="integrations_schedule_unique_flow"
            ),
            models.CheckConstraint(
                condition=Q(every_minutes__isnull=True) | Q(crontab="", every_minutes__gte=1),
                name="integrations_schedule_one_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.integration}:{self.flow_key}"


class FlowRun(models.Model):
    """One run of a flow: what triggered it, how it ended, what it counted, the API calls it
    made and its log. At most one pending or running run per (integration, flow), enforced by
    a partial unique index; a trigger arriving meanwhile is recorded as skipped. Single-record
    runs (retrying an error, reprocessing an event) do not take that slot."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Schedule")
        MANUAL = "manual", _("Manual")
        RETRY = "retry", _("Retry")
        WEBHOOK = "webhook", _("Webhook")
        RECOVERY = "recovery", _("Recovery")

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        SUCCEEDED = "succeeded", _("Succeeded")
        PARTIAL = "partial", _("Partial")
        FAILED = "failed", _("Failed")
        ERRORED = "errored", _("Errored")
        SKIPPED = "skipped", _("Skipped")

    ACTIVE = (Status.PENDING, Status.RUNNING)
    FINISHED = (Status.SUCCEEDED, Status.PARTIAL, Status.FAILED, Status.ERRORED, Status.SKIPPED)

    integration = models.ForeignKey(
        Integration, verbose_name=_("integration"), on_delete=models.CASCADE, related_name="runs"
    )
    flow_key = models.CharField(_("flow"), max_length=64)
    trigger = models.CharField(_("trigger"), max_length=16, choices=Trigger)
    status = models.CharField(_("status"), max_length=16, choices=Status, default=Status.PENDING)
    # Why it was skipped or failed: an untranslated message id and its parameters.
    reason_code = models.CharField(_("reason"), max_length=64, blank=True)
    reason_message = models.TextField(blank=True)
    reason_params = models.JSONField(default=dict, blank=True)
    # For single-record runs: the error retried or the event reprocessed.
    target = models.CharField(_("target"), max_length=100, blank=True)
    retries = models.PositiveIntegerField(_("retries"), default=0)
    retry_at = models.DateTimeField(_("next retry at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), default=timezone.now)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    seen = models.PositiveIntegerField(_("seen"), default=0)
    created = models.PositiveIntegerField(_("created"), default=0)
    updated = models.PositiveIntegerField(_("updated"), default=0)
    skipped = models.PositiveIntegerField(_("skipped"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    api_calls = models.PositiveIntegerField(_("API calls"), default=0)
    # [{"at": iso, "level": "info|warning|error", "message": id, "params": {...}}]
    log = models.JSONField(_("log"), default=list, blank=True)
    cursor = models.JSONField(_("cursor"), null=True, blank=True)
    traceback = models.TextField(_("traceback"), blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("flow run")
        verbose_name_plural = _("flow runs")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["integration", "flow_key"],
                condition=Q(status__in=["pending", "running"], target=""),
                name="integrations_flowrun_one_active",
            )
        ]
        indexes = [
            models.Index(
                fields=["integration", "flow_key", "-created_at"], name="integrations_run_flow_idx"
            ),
            models.Index(fields=["status", "heartbeat_at"], name="integrations_run_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.integration}:{self.flow_key} #{self.pk}"

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def duration(self):
        if self.started_at and self.finished_at:
            return self.finished_at - self.started_at
        return None

    def reason(self) -> str:
        """Why it was skipped or failed, in the reader's language."""
        return render_message(self.reason_message, self.reason_params)

    def log_lines(self) -> list[dict]:
        """The log with each line's text in the reader's language."""
        return [
            {**line, "text": render_message(line.get("message", ""), line.get("params"))}
            for line in self.log
        ]
