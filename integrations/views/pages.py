"""What every tab of an integration's page shares: loading the integration with a permission
check, and rendering inside the page's header and tab bar. Contributed tabs use the same
helpers (see `integrations.tabs`)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from connect.pagination import nearest_page
from integrations.models import Integration
from integrations.registry import find_type
from integrations.tabs import MANAGE, OPERATE, find_tab, tabs_for

__all__ = ["MANAGE", "OPERATE", "integration_view", "load_integration", "page_of", "render_tab"]


def load_integration(request: HttpRequest, pk: int, permission: str) -> Integration:
    """The integration `pk`, when the user has `permission` (403 otherwise, 404 when it does
    not exist or its type is not installed)."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
    integration = get_object_or_404(Integration, pk=pk)
    if find_type(integration.type) is None:
        raise Http404(f"integration type {integration.type!r} is not installed")
    return integration


def integration_view(permission: str) -> Callable:
    """Decorate `view(request, integration, ...)` answering a URL with `<int:pk>`."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, pk: int, *args: Any, **kwargs: Any) -> HttpResponse:
            return view(request, load_integration(request, pk, permission), *args, **kwargs)

        return wrapper

    return decorate


def render_tab(
    request: HttpRequest,
    integration: Integration,
    tab: str,
    template: str,
    context: dict[str, Any] | None = None,
    *,
    status: int = 200,
) -> HttpResponse:
    """Render `template` (which extends ``integrations/integration_page.html``) as the tab
    `tab` of the integration's page."""
    return render(
        request,
        template,
        {
            "integration": integration,
            "tabs": [
                {"tab": item, "url": item.url(integration), "badge": _badge(item, integration)}
                for item in tabs_for(integration, request.user)
            ],
            "active_tab": tab,
            **(context or {}),
        },
        status=status,
    )


def page_of(request: HttpRequest, rows, size: int) -> Page:
    """The `?page=` of `rows` (the nearest valid page, never a 404)."""
    return nearest_page(Paginator(rows, size), request.GET.get("page"))


def _badge(tab, integration: Integration) -> int | None:
    return tab.badge(integration) if tab.badge is not None else None


def contributed_tab(request: HttpRequest, pk: int, tab: str) -> HttpResponse:
    """`/integrations/<pk>/<tab>/`: a tab a type or a flow contributed."""
    integration = get_object_or_404(Integration, pk=pk)
    found = find_tab(integration, tab)
    if found is None or find_type(integration.type) is None:
        raise Http404(f"integration {pk} has no tab {tab!r}")
    if not found.allowed(request.user):
        raise PermissionDenied
    return found.resolve_view()(request, integration)
