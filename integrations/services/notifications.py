"""Notifications under the bell: creating them (errors, quota warnings) and reading them.

Alerts about an integration need `integrations.operate_integrations` to be seen, so only the
people who can act on them (operators, admins) get them. Read state is per user.
"""

from collections.abc import Mapping
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_noop

from integrations.models import Integration, IntegrationError, Notification, NotificationRead

OPERATE_PERMISSION = "integrations.operate_integrations"
# A run that fails many records notifies the first few; the Erreurs tab lists them all.
ERROR_NOTIFICATIONS_PER_RUN = 5


def notify(
    *,
    title: str,
    message: str = "",
    params: Mapping[str, Any] | None = None,
    level: str = Notification.Level.INFO,
    user=None,
    permission: str = "",
    integration: Integration | None = None,
    error: IntegrationError | None = None,
    url: str = "",
) -> Notification:
    """`title` and `message` are untranslated message ids filled with `params` when shown."""
    return Notification.objects.create(
        title=title,
        message=message,
        params=dict(params or {}),
        level=level,
        user=user,
        permission=permission,
        integration=integration,
        error=error,
        url=url,
    )


def notify_error(error: IntegrationError) -> Notification | None:
    """A new error of a record: one alert linking to the Erreurs tab filtered to it."""
    if error.run_id is not None:
        already = Notification.objects.filter(
            error__run_id=error.run_id, error__isnull=False
        ).count()
        if already >= ERROR_NOTIFICATIONS_PER_RUN:
            return None
    return notify(
        title=gettext_noop("%(integration)s: %(record_type)s %(record_id)s failed"),
        message=error.message,
        params={
            **error.params,
            "integration": error.integration.name,
            "record_type": error.record_type,
            "record_id": error.record_id,
        },
        level=Notification.Level.ERROR,
        permission=OPERATE_PERMISSION,
        integration=error.integration,
        error=error,
    )


def notification_mark_read(notification: Notification, user) -> None:
    notification.mark_read(user)


def notifications_mark_all_read(user) -> int:
    """Mark read, for `user` only, every notification they can see and have not read."""
    unread = list(Notification.objects.unread_for(user).values_list("pk", flat=True))
    now = timezone.now()
    NotificationRead.objects.bulk_create(
        [NotificationRead(notification_id=pk, user=user, read_at=now) for pk in unread],
        ignore_conflicts=True,
    )
    return len(unread)
