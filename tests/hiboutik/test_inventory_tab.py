"""The Inventaire tab: bound products with both stocks, searched by SKU, paged, and forced to
resynchronise one at a time or all together."""

import pytest
from django.utils import translation

from integrations.models import ExternalStock
from inventory.models import StockItem
from tests.factories import make_admin, make_ops, make_user
from tests.hiboutik.flows.stock_setup import stock_setup

pytestmark = pytest.mark.django_db


@pytest.fixture
def setup(simulator_factory):
    return stock_setup(simulator_factory(seed="demo"), 60)


def url(setup, query=""):
    return f"/integrations/{setup.integration.pk}/inventory/{query}"


def test_operators_see_each_bound_product_with_both_stocks(client, setup):
    product = setup.products[0]
    StockItem.objects.filter(product=product, warehouse=setup.warehouses[0]).update(physical=13)
    ExternalStock.objects.filter(product=product).update(dirty=True)
    client.force_login(make_ops())
    with translation.override("fr"):
        page = client.get(url(setup, f"?q={product.sku}"), HTTP_ACCEPT_LANGUAGE="fr")
    html = page.content.decode()
    assert page.status_code == 200
    assert html.count("<tr data-sku=") == 1
    assert f'data-sku="{product.sku}"' in html
    assert ">23<" in html and ">20<" in html  # available 13 + 10; believed 20
    assert "Non" in html and "Forcer la resynchronisation" in html


def test_pages_of_fifty_and_the_nearest_page_past_the_end(client, setup):
    client.force_login(make_ops())
    first = client.get(url(setup)).content.decode()
    assert first.count("<tr data-sku=") == 50
    past = client.get(url(setup, "?page=99")).content.decode()
    assert past.count("<tr data-sku=") == 10
    assert client.get(url(setup, "?page=abc")).status_code == 200


def test_forcing_one_product_or_all_marks_them_for_the_next_export(client, setup):
    client.force_login(make_ops())
    product = setup.products[3]
    ExternalStock.objects.filter(product=product).delete()  # bound, not tracked yet
    answer = client.post(url(setup, "?q=BULK"), {"product": product.pk})
    assert answer.status_code == 302 and answer["Location"].endswith("?q=BULK")
    assert list(ExternalStock.objects.filter(dirty=True).values_list("product_id", flat=True)) == [
        product.pk
    ]
    client.post(url(setup), {"all": "1"})
    assert ExternalStock.objects.filter(dirty=True).count() == 60
    assert client.post(url(setup), {}).status_code == 302  # nothing chosen: told, nothing done


# Stock order lines go out from worker threads, each counting its call in the ledger.
@pytest.mark.django_db(transaction=True)
def test_forcing_costs_no_call_and_the_next_export_makes_it_equal(client, setup):
    client.force_login(make_ops())
    with setup.sim.lock:
        setup.sim.state.stock[(1, setup.refs[setup.products[5].pk], 0)] = 3  # drifted
    ExternalStock.objects.filter(product=setup.products[5]).update(believed=3)
    before = setup.calls()
    client.post(url(setup), {"all": "1"})
    assert setup.calls() == before
    run = setup.run()
    assert run.api_calls == 3
    assert setup.mismatches() == []


def test_people_without_the_operate_permission_are_refused(client, setup):
    client.force_login(make_user())
    assert client.get(url(setup)).status_code == 403
    assert client.post(url(setup), {"all": "1"}).status_code == 403
    client.logout()
    assert client.get(url(setup)).status_code == 302


def test_admins_see_it_in_the_tab_bar(client, setup):
    client.force_login(make_admin())
    page = client.get(f"/integrations/{setup.integration.pk}/history/").content.decode()
    assert url(setup) in page
