"""Notifications under the bell."""

from django.core.paginator import Paginator
from django.db.models import Case, IntegerField, Value, When
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from connect.pagination import nearest_page
from integrations.models import Notification
from integrations.services.notifications import notification_mark_read, notifications_mark_all_read

DROPDOWN_SIZE = 8
PAGE_SIZE = 25
UNREAD_FIRST = Case(
    When(is_read=False, then=Value(0)), default=Value(1), output_field=IntegerField()
)


@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    notifications = Notification.objects.visible_to(request.user).with_read_state(request.user)
    page = nearest_page(Paginator(notifications, PAGE_SIZE), request.GET.get("page"))
    return render(
        request,
        "integrations/notification_list.html",
        {"page_obj": page, "notifications": page.object_list},
    )


@require_GET
def notification_dropdown(request: HttpRequest) -> HttpResponse:
    """The bell's panel (htmx partial): the latest notifications, unread first."""
    latest = (
        Notification.objects.visible_to(request.user)
        .with_read_state(request.user)
        .order_by(UNREAD_FIRST, "-created_at", "-id")[:DROPDOWN_SIZE]
    )
    return render(request, "integrations/notification_dropdown.html", {"notifications": latest})


@require_GET
def notification_count(request: HttpRequest) -> HttpResponse:
    """The bell's unread count alone (the layout polls it)."""
    return render(request, "includes/bell_count.html")


@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Mark the notification read and follow its link (to the list when it has none)."""
    notification = get_object_or_404(Notification.objects.visible_to(request.user), pk=pk)
    notification_mark_read(notification, request.user)
    target = notification.target_url()
    # The link is data written by code paths we do not control here: never leave the site.
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect("integrations:notification_list")


@require_POST
def notification_mark_all_read(request: HttpRequest) -> HttpResponse:
    # For this user only: one operator reading everything hides nothing from the others.
    notifications_mark_all_read(request.user)
    return redirect("integrations:notification_list")
