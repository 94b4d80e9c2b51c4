"""The Configuration tab of a Hiboutik integration, against the simulator."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from integrations.services.integrations import integration_update
from tests.factories import make_product, make_store, make_warehouse
from tests.integrations.conftest import hiboutik_integration_for

pytestmark = pytest.mark.django_db

EN = {"accept-language": "en"}


@pytest.fixture(autouse=True)
def fresh_cache():
    cache.clear()
    yield
    cache.clear()


def form_data(integration, **changes):
    """What the browser posts for the integration's current configuration, changed."""
    config = integration.config
    data = {
        "name": integration.name,
        "enabled": "on",
        "general__account": config["general"]["account"],
        "general__user": config["general"]["user"],
        "general__api_url": config["general"]["api_url"],
        "general__max_concurrency": "4",
        "general__monthly_quota": "10000",
        "order_import__hiboutik_store_id": "1",
        "order_import__reconciliation_minutes": "60",
        "order_import__time_zone": "Europe/Paris",
        "guest__country": "FR",
        "products__prices_include_tax": "1",
        "stock__hiboutik_warehouse_id": "1",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def config_url(integration):
    return reverse("integrations:integration_config", args=[integration.pk])


def test_a_bad_sku_mapping_line_is_refused_naming_the_line(admin_client, hiboutik_integration):
    make_product(sku="TSHIRT-M")
    before = hiboutik_integration.config
    page = admin_client.post(
        config_url(hiboutik_integration),
        form_data(hiboutik_integration, order_import__sku_mapping="REF1:TSHIRT-M\nno colon here"),
        headers=EN,
    )
    assert page.status_code == 400
    assert "Line 2 (no colon here): expected hiboutikreference:connectsku" in page.text
    assert "Nothing was saved" in page.text
    hiboutik_integration.refresh_from_db()
    assert hiboutik_integration.config == before


def test_unknown_connect_skus_are_listed_with_their_lines(admin_client, hiboutik_integration):
    make_product(sku="KNOWN")
    page = admin_client.post(
        config_url(hiboutik_integration),
        form_data(
            hiboutik_integration,
            order_import__sku_mapping="A:KNOWN\nB:GHOST-1\n\nC:GHOST-2",
        ),
        headers=EN,
    )
    assert page.status_code == 400
    assert "These Connect SKUs do not exist: GHOST-1 (line 2), GHOST-2 (line 4)." in page.text


def test_saving_keeps_the_key_when_the_field_is_empty_and_never_shows_it(
    admin_client, hiboutik_integration
):
    store, warehouse = make_store(name="Connect Paris"), make_warehouse(name="Dépôt central")
    product = make_product(sku="TSHIRT-M")
    saved = admin_client.post(
        config_url(hiboutik_integration),
        form_data(
            hiboutik_integration,
            api_key="",
            order_import__connect_store_id=str(store.pk),
            order_import__sku_mapping=f"HB-1:{product.sku}",
            stock__connect_warehouse_ids=[str(warehouse.pk)],
            order_import__hiboutik_store_id="2",
        ),
    )
    assert saved.status_code == 302
    hiboutik_integration.refresh_from_db()
    assert hiboutik_integration.secret("api_key") == "DEMOKEY"
    assert hiboutik_integration.config["order_import"]["connect_store_id"] == store.pk
    assert hiboutik_integration.config["order_import"]["hiboutik_store_id"] == 2
    assert hiboutik_integration.config["stock"]["connect_warehouse_ids"] == [warehouse.pk]
    assert hiboutik_integration.config["order_import"]["sku_mapping"] == "HB-1:TSHIRT-M"

    page = admin_client.get(config_url(hiboutik_integration))
    assert "DEMOKEY" not in page.text
    assert "••••" in page.text  # the key is shown masked (too short for its last four)


def test_a_new_key_replaces_the_old_one_and_shows_only_its_last_four(
    admin_client, hiboutik_integration
):
    admin_client.post(
        config_url(hiboutik_integration),
        form_data(hiboutik_integration, api_key="NEWSECRETKEY1234"),
    )
    hiboutik_integration.refresh_from_db()
    assert hiboutik_integration.secret("api_key") == "NEWSECRETKEY1234"
    page = admin_client.get(config_url(hiboutik_integration))
    assert "••••1234" in page.text
    assert "NEWSECRETKEY" not in page.text


def test_both_stores_are_labelled_apart(admin_client, hiboutik_integration):
    page = admin_client.get(config_url(hiboutik_integration), headers=EN)
    assert "Connect store (receives the orders)" in page.text
    assert "Hiboutik store (where the sales come from)" in page.text


def test_pick_lists_come_from_hiboutik_once_then_from_the_cache(
    admin_client, hiboutik_integration, simulator
):
    before = simulator.stats()["calls_this_month"]
    page = admin_client.get(config_url(hiboutik_integration), headers=EN)
    read = simulator.stats()["calls_this_month"] - before
    assert read == 4  # stores, warehouses, taxes, payment types of the store
    assert '<option value="1" selected>Boutique Paris (#1)</option>' in page.text
    assert "Boutique Saint-Denis (#2)" in page.text
    assert "20 % — " in page.text  # a tax of the account
    assert "Hiboutik payment" in page.text and "(ESP)" in page.text

    admin_client.get(config_url(hiboutik_integration))
    admin_client.get(config_url(hiboutik_integration))
    assert simulator.stats()["calls_this_month"] - before == read


def test_without_working_credentials_ids_are_typed_and_the_page_says_why(admin_client, simulator):
    integration = hiboutik_integration_for(simulator)
    integration_update(integration, secrets={"api_key": "WRONGKEY"})
    before = simulator.stats()["calls_this_month"]

    page = admin_client.get(config_url(integration), headers=EN)
    assert 'type="number" name="order_import__hiboutik_store_id" value="1"' in page.text
    assert "Hiboutik refused the credentials" in page.text
    # The refusal is remembered for a while: the next views call nothing.
    spent = simulator.stats()["calls_this_month"] - before
    admin_client.get(config_url(integration))
    assert simulator.stats()["calls_this_month"] - before == spent

    # Typed ids save like chosen ones.
    saved = admin_client.post(
        config_url(integration), form_data(integration, stock__hiboutik_warehouse_id="2")
    )
    assert saved.status_code == 302
    integration.refresh_from_db()
    assert integration.config["stock"]["hiboutik_warehouse_id"] == 2


def test_reloading_the_lists_reads_hiboutik_again(admin_client, hiboutik_integration, simulator):
    admin_client.get(config_url(hiboutik_integration))
    before = simulator.stats()["calls_this_month"]
    admin_client.post(
        reverse("integrations:integration_refresh_lists", args=[hiboutik_integration.pk])
    )
    assert simulator.stats()["calls_this_month"] - before == 4


@pytest.mark.parametrize(
    ("user", "key", "status", "text"),
    [
        ("demo@connect.test", "DEMOKEY", "ok", "Connected to Hiboutik account demo"),
        ("demo@connect.test", "WRONG", "credentials_refused", "Hiboutik refused the credentials"),
        ("readonly@connect.test", "READONLYKEY", "missing_rights", "the user lacks rights"),
    ],
)
def test_testing_the_connection_says_what_is_wrong(
    admin_client, simulator, user, key, status, text
):
    integration = hiboutik_integration_for(simulator, user=user)
    integration_update(integration, secrets={"api_key": key})
    response = admin_client.post(
        reverse("integrations:integration_test_connection", args=[integration.pk]),
        headers={**EN, "hx-request": "true"},
    )
    assert response.status_code == 200
    assert f'data-status="{status}"' in response.text
    assert text in response.text
    assert key not in response.text


def test_the_connection_is_not_tested_when_the_quota_is_spent(admin_client, simulator):
    integration = hiboutik_integration_for(simulator, monthly_quota=10)
    from integrations.ledger import DatabaseCallLedger

    ledger = DatabaseCallLedger(integration_id=integration.pk, quota=10)
    key = integration.config["general"]["account"] + "@" + simulator.base_url
    while ledger.try_consume(key, essential=True):
        pass
    before = simulator.stats()["calls_this_month"]
    response = admin_client.post(
        reverse("integrations:integration_test_connection", args=[integration.pk]),
        headers={**EN, "hx-request": "true"},
    )
    assert 'data-status="quota_blocked"' in response.text
    assert "API calls this month: 10 of 10" in response.text
    assert simulator.stats()["calls_this_month"] == before
