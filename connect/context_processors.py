"""Data every page's layout needs."""

from django.http import HttpRequest


def navigation(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    from integrations.models import Notification

    return {"unread_notifications": Notification.objects.unread_for(user).count()}
