"""The notifications shown under the top bar's bell, with their read state per user."""

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from integrations.text import render_message


class NotificationQuerySet(models.QuerySet):
    def visible_to(self, user) -> QuerySet:
        """Notifications `user` may see: addressed to them or to everyone, and, when a
        notification needs a permission (alerts about integrations need the right to act on
        them), only if they have it."""
        if not user.is_authenticated:
            return self.none()
        addressed = Q(user=user) | Q(user__isnull=True)
        if user.is_superuser:
            return self.filter(addressed)
        return self.filter(
            addressed, Q(permission="") | Q(permission__in=sorted(user.get_all_permissions()))
        )

    def with_read_state(self, user) -> QuerySet:
        """Adds `is_read`: whether `user` has read each notification."""
        return self.annotate(
            is_read=Exists(
                NotificationRead.objects.filter(notification=OuterRef("pk"), user=user.pk)
            )
        )

    def unread_for(self, user) -> QuerySet:
        return self.visible_to(user).exclude(
            Exists(NotificationRead.objects.filter(notification=OuterRef("pk"), user=user.pk))
        )


class Notification(models.Model):
    class Level(models.TextChoices):
        INFO = "info", _("Information")
        SUCCESS = "success", _("Success")
        WARNING = "warning", _("Warning")
        ERROR = "error", _("Error")

    # Empty: addressed to every user allowed to see it (see `permission`).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    # "app_label.codename" a user needs to see it; empty: no permission needed.
    permission = models.CharField(_("permission needed"), max_length=100, blank=True)
    level = models.CharField(_("level"), max_length=10, choices=Level, default=Level.INFO)
    # Untranslated message ids filled with `params` when shown (free text has no params).
    title = models.CharField(_("title"), max_length=200)
    message = models.TextField(_("message"), blank=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    url = models.CharField(_("link"), max_length=500, blank=True)
    integration = models.ForeignKey(
        "integrations.Integration",
        verbose_name=_("integration"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    error = models.ForeignKey(
        "integrations.IntegrationError",
        verbose_name=_("error"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="notifications",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def title_text(self) -> str:
        return render_message(self.title, self.params)

    def message_text(self) -> str:
        return render_message(self.message, self.params)

    def target_url(self) -> str:
        """Where opening it leads: an error's alert to its integration's Erreurs tab filtered
        to that error, another alert about an integration to the integration, else `url`."""
        try:
            if self.error_id is not None and self.integration_id is not None:
                errors = reverse("integrations:integration_errors", args=[self.integration_id])
                return f"{errors}?error={self.error_id}"
            if self.integration_id is not None and not self.url:
                return reverse("integrations:integration_detail", args=[self.integration_id])
        except NoReverseMatch:
            pass
        return self.url

    def mark_read(self, user) -> None:
        """Mark read for `user` only; a second call keeps the first reading time."""
        NotificationRead.objects.bulk_create(
            [NotificationRead(notification=self, user=user)], ignore_conflicts=True
        )


class NotificationRead(models.Model):
    """That one user read one notification: read state is per user, so one operator reading
    an alert does not hide it from the others."""

    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification read")
        verbose_name_plural = _("notification reads")
        constraints = [
            models.UniqueConstraint(
                fields=["notification", "user"], name="integrations_notification_read_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} read {self.notification}"
