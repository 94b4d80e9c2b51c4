"""The tabs of an integration's page, and how an integration type or a flow adds its own.

Every integration has the framework's tabs (Configuration, Flux, Historique, Erreurs, Events,
Quota, Webhook). A type adds tabs without touching the framework's templates, in one of three
ways, each taking :class:`IntegrationTab` values:

- ``IntegrationType(tabs=[...])``: tabs of every integration of the type;
- ``tabs = (...)`` on a `Flow` class: shown on integrations whose type has that flow, so a flow
  module brings its own page along;
- ``register_tab(type_key, tab)`` from an ``AppConfig.ready()``: for an app that extends a type
  it does not own.

A tab's ``view(request, integration)`` answers its URL, ``/integrations/<pk>/<key>/`` (GET and
POST), after the framework checked the login, the tab's permission and that the tab belongs to
the integration. It renders with :func:`integrations.views.pages.render_tab`, whose
template extends ``integrations/integration_page.html`` and fills ``{% block tab_content %}``,
so the page keeps the integration's header and tab bar.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from django.http import HttpRequest, HttpResponse

    from integrations.models import Integration

MANAGE = "integrations.manage_integrations"
OPERATE = "integrations.operate_integrations"

TabView = Callable[["HttpRequest", "Integration"], "HttpResponse"]


@dataclass(frozen=True)
class IntegrationTab:
    """One tab of an integration's page.

    ``key``: the URL segment (a slug, unique within the integration's tabs); ``label``: what
    the tab bar shows; ``view``: a callable or its dotted path, ``(request, integration) ->
    HttpResponse``; ``permission``: needed to see and open it (``OPERATE`` for what operators
    follow, ``MANAGE`` for settings); ``order``: place in the bar (the framework's tabs use
    10..70; 25 sits between Flux and Historique); ``badge``: an optional count shown beside the
    label (one cheap query). The framework's own tabs set ``url_name`` instead of ``view``.
    """

    key: str
    label: str | Promise
    view: str | TabView | None = None
    permission: str = OPERATE
    order: int = 100
    badge: Callable[[Integration], int | None] | None = None
    url_name: str = ""

    def url(self, integration: Integration) -> str:
        if self.url_name:
            return reverse(self.url_name, args=[integration.pk])
        return reverse("integrations:integration_tab", args=[integration.pk, self.key])

    def resolve_view(self) -> TabView:
        if self.view is None:
            raise LookupError(f"tab {self.key!r} has no view")
        return import_string(self.view) if isinstance(self.view, str) else self.view

    def allowed(self, user) -> bool:
        return user.has_perm(self.permission)


def _open_errors(integration: Integration) -> int | None:
    from integrations.selectors.errors import open_error_count

    return open_error_count(integration) or None


BUILTIN_TABS: tuple[IntegrationTab, ...] = (
    IntegrationTab(
        "configuration",
        _("Configuration"),
        permission=MANAGE,
        order=10,
        url_name="integrations:integration_config",
    ),
    IntegrationTab("flows", _("Flows"), order=20, url_name="integrations:integration_flows"),
    IntegrationTab("history", _("History"), order=30, url_name="integrations:integration_history"),
    IntegrationTab(
        "errors",
        _("Errors"),
        order=40,
        badge=_open_errors,
        url_name="integrations:integration_errors",
    ),
    IntegrationTab("events", _("Events"), order=50, url_name="integrations:integration_events"),
    IntegrationTab("quota", _("Quota"), order=60, url_name="integrations:integration_quota"),
    IntegrationTab(
        "webhook",
        _("Webhook"),
        permission=MANAGE,
        order=70,
        url_name="integrations:integration_webhook",
    ),
)
BUILTIN_KEYS = frozenset(tab.key for tab in BUILTIN_TABS)

_registered: dict[str, list[IntegrationTab]] = {}


def register_tab(type_key: str, tab: IntegrationTab) -> IntegrationTab:
    """Add `tab` to every integration of type `type_key` (replacing a tab of the same key
    registered before, e.g. on reload)."""
    if tab.key in BUILTIN_KEYS:
        raise ValueError(f"tab key {tab.key!r} is one of the framework's tabs")
    if tab.view is None:
        raise ValueError(f"tab {tab.key!r} needs a view")
    tabs = [existing for existing in _registered.get(type_key, []) if existing.key != tab.key]
    _registered[type_key] = [*tabs, tab]
    return tab


def unregister_tab(type_key: str, key: str) -> None:
    _registered[type_key] = [tab for tab in _registered.get(type_key, []) if tab.key != key]


def contributed_tabs(integration: Integration) -> list[IntegrationTab]:
    """The tabs the integration's type, its flows and registrations add, first one wins per
    key."""
    from integrations.registry import find_type

    spec = find_type(integration.type)
    sources: list[Iterable[IntegrationTab]] = []
    if spec is not None:
        sources.append(getattr(spec, "tabs", ()))
        sources.extend(getattr(flow, "tabs", ()) for flow in spec.flows)
    sources.append(_registered.get(integration.type, ()))
    found: dict[str, IntegrationTab] = {}
    for source in sources:
        for tab in source:
            if tab.key not in BUILTIN_KEYS:
                found.setdefault(tab.key, tab)
    return list(found.values())


def all_tabs(integration: Integration) -> list[IntegrationTab]:
    return sorted(
        [*BUILTIN_TABS, *contributed_tabs(integration)], key=lambda tab: (tab.order, tab.key)
    )


def tabs_for(integration: Integration, user) -> list[IntegrationTab]:
    """The tabs `user` may open, in bar order."""
    return [tab for tab in all_tabs(integration) if tab.allowed(user)]


def find_tab(integration: Integration, key: str) -> IntegrationTab | None:
    return next((tab for tab in contributed_tabs(integration) if tab.key == key), None)
