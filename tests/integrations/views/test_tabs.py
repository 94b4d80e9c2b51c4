"""Tabs a type, a flow or another app adds to an integration's page."""

import pytest
from django.http import HttpResponse
from django.urls import reverse

from integrations.registry import register
from integrations.tabs import MANAGE, IntegrationTab, register_tab, tabs_for, unregister_tab
from integrations.views.pages import render_tab
from tests.factories import make_admin, make_ops
from tests.integrations import counting

pytestmark = pytest.mark.django_db


def inventory_view(request, integration):
    return render_tab(
        request,
        integration,
        "inventory",
        "integrations/integration_page.html",
        {"method": request.method},
    )


def review_view(request, integration):
    return HttpResponse(f"review of {integration.name} ({request.method})")


class ReviewedFlow(counting.CountingFlow):
    key = "reviewed"
    label = "Reviewed"
    tabs = (IntegrationTab("review", "Revue", view=review_view, permission=MANAGE, order=90),)


@pytest.fixture
def extended(counting_type):
    spec = counting.counting_type()
    register(type(spec)(**{**spec.__dict__, "flows": [*spec.flows, ReviewedFlow]}))
    register_tab(
        counting.TYPE_KEY,
        IntegrationTab(
            "inventory",
            "Inventaire",
            view="tests.integrations.views.test_tabs.inventory_view",
            order=25,
            badge=lambda integration: 7,
        ),
    )
    yield
    unregister_tab(counting.TYPE_KEY, "inventory")


def test_contributed_tabs_join_the_bar_in_their_place(client, make_integration, extended):
    integration = make_integration()
    admin = make_admin()
    keys = [tab.key for tab in tabs_for(integration, admin)]
    assert keys == [
        "configuration", "flows", "inventory", "history", "errors", "events", "quota", "webhook",
        "review",
    ]  # fmt: skip
    client.force_login(admin)
    page = client.get(reverse("integrations:integration_flows", args=[integration.pk]))
    assert 'Inventaire<span class="count">7</span>' in page.text
    tab = client.post(reverse("integrations:integration_tab", args=[integration.pk, "inventory"]))
    assert tab.status_code == 200
    assert 'data-active-tab="inventory"' in tab.text
    review = client.get(reverse("integrations:integration_tab", args=[integration.pk, "review"]))
    assert review.text == f"review of {integration.name} (GET)"


def test_contributed_tabs_keep_their_permission(client, make_integration, extended):
    integration = make_integration()
    ops = make_ops()
    assert "review" not in [tab.key for tab in tabs_for(integration, ops)]
    client.force_login(ops)
    url = reverse("integrations:integration_tab", args=[integration.pk, "review"])
    assert client.get(url).status_code == 403
    missing = reverse("integrations:integration_tab", args=[integration.pk, "nothing"])
    assert client.get(missing).status_code == 404


def test_a_framework_tab_cannot_be_replaced():
    with pytest.raises(ValueError):
        register_tab("counting", IntegrationTab("errors", "Mine", view=review_view))
