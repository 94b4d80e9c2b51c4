import pytest
from django.urls import reverse

from integrations.models import FlowSchedule, Integration
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_operators_see_the_list_but_cannot_add(ops_client, make_integration):
    integration = make_integration(name="Boutique Paris")
    page = ops_client.get(reverse("integrations:integration_list"))
    assert page.status_code == 200
    assert "Boutique Paris" in page.text
    assert "Ajouter une intégration" not in page.text
    assert ops_client.get(reverse("integrations:integration_add")).status_code == 403
    # An operator lands on the Flux tab and never sees the Configuration tab.
    detail = ops_client.get(reverse("integrations:integration_detail", args=[integration.pk]))
    assert detail["Location"] == reverse("integrations:integration_flows", args=[integration.pk])
    flows = ops_client.get(detail["Location"])
    assert "Configuration" not in flows.text
    assert "Webhook" not in flows.text
    config = reverse("integrations:integration_config", args=[integration.pk])
    assert ops_client.get(config).status_code == 403
    assert ops_client.post(config, {"name": "x"}).status_code == 403


def test_users_without_integration_rights_see_nothing(client, make_integration):
    integration = make_integration()
    client.force_login(make_user())
    assert client.get(reverse("integrations:integration_list")).status_code == 403
    url = reverse("integrations:integration_errors", args=[integration.pk])
    assert client.get(url).status_code == 403


def test_admin_lands_on_configuration_and_the_menu_shows_integrations(
    admin_client, make_integration
):
    integration = make_integration()
    detail = admin_client.get(reverse("integrations:integration_detail", args=[integration.pk]))
    assert detail["Location"] == reverse("integrations:integration_config", args=[integration.pk])
    page = admin_client.get(reverse("integrations:integration_list"))
    assert "Ajouter une intégration" in page.text


def test_adding_asks_for_a_type_then_creates_with_its_configuration(admin_client, simulator):
    url = reverse("integrations:integration_add")
    choose = admin_client.get(url)
    assert "?type=hiboutik" in choose.text

    form = admin_client.get(url + "?type=hiboutik")
    assert "Compte Hiboutik" in form.text
    created = admin_client.post(
        url + "?type=hiboutik",
        {
            "name": "Boutique Paris",
            "enabled": "on",
            "general__account": "demo",
            "general__user": "demo@connect.test",
            "api_key": "DEMOKEY",
            "general__api_url": simulator.base_url,
            "general__max_concurrency": "4",
            "general__monthly_quota": "10000",
            "order_import__reconciliation_minutes": "60",
            "order_import__time_zone": "Europe/Paris",
            "guest__country": "FR",
            "products__prices_include_tax": "1",
        },
    )
    integration = Integration.objects.get(name="Boutique Paris")
    assert created["Location"] == reverse("integrations:integration_config", args=[integration.pk])
    assert integration.type == "hiboutik"
    assert integration.secret("api_key") == "DEMOKEY"
    assert integration.config["general"]["api_url"] == simulator.base_url


def test_adding_refuses_a_taken_name_and_keeps_what_was_typed(admin_client, make_integration):
    make_integration(name="Taken")
    url = reverse("integrations:integration_add") + "?type=hiboutik"
    page = admin_client.post(url, {"name": "Taken", "general__account": "demo"})
    assert page.status_code == 400
    assert "Une autre intégration porte déjà ce nom." in page.text
    assert 'value="demo"' in page.text
    assert Integration.objects.filter(name="Taken").count() == 1


def test_schedules_of_a_new_integration_start_disabled(admin_client, make_integration):
    integration = make_integration()
    assert set(
        FlowSchedule.objects.filter(integration=integration).values_list("enabled", flat=True)
    ) == {False}
