"""The Inventaire tab in a real browser: an operator finds a product by SKU, sees Hiboutik is
behind, forces its resynchronisation, and after the next stock export sees it up to date."""

import re

import pytest
from playwright.sync_api import expect

from inventory.models import StockItem
from tests.browser.conftest import screenshot
from tests.factories import make_ops
from tests.hiboutik.conftest import simulator_factory  # noqa: F401 - fixture
from tests.hiboutik.flows.stock_setup import stock_setup

pytestmark = pytest.mark.browser


def test_an_operator_forces_one_product_then_sees_it_up_to_date(
    page,
    log_in,
    simulator_factory,  # noqa: F811
):
    setup = stock_setup(simulator_factory(seed="demo"), 60)
    product = setup.products[7]
    # Changed behind the services' back (a data fix): nothing marked it.
    StockItem.objects.filter(product=product, warehouse=setup.warehouses[0]).update(physical=14)
    log_in(make_ops())

    page.goto(f"/integrations/{setup.integration.pk}/history/")
    page.get_by_role("link", name="Inventaire").click()
    expect(page).to_have_url(re.compile(rf"/integrations/{setup.integration.pk}/inventory/$"))
    expect(page.locator("#inventory-table tbody tr")).to_have_count(50)
    expect(page.get_by_text("Page 1 sur 2")).to_be_visible()

    page.get_by_role("textbox", name="Référence").fill(product.sku)
    page.get_by_role("button", name="Rechercher").click()
    row = page.locator(f'tr[data-sku="{product.sku}"]')
    expect(page.locator("#inventory-table tbody tr")).to_have_count(1)
    expect(row.get_by_test_id("available")).to_have_text("24")
    expect(row.get_by_test_id("believed")).to_have_text("20")
    expect(row.get_by_test_id("up-to-date")).to_have_text("Non")

    row.get_by_role("button", name="Forcer la resynchronisation").click()
    expect(page.get_by_text("1 produit sera comparé et envoyé")).to_be_visible()
    expect(page).to_have_url(re.compile(rf"\?q={product.sku}$"))

    run = setup.run()
    assert run.api_calls == 3
    page.reload()
    row = page.locator(f'tr[data-sku="{product.sku}"]')
    expect(row.get_by_test_id("believed")).to_have_text("24")
    expect(row.get_by_test_id("up-to-date")).to_have_text("Oui")
    assert setup.hiboutik_stock(product) == 24

    page.set_viewport_size({"width": 390, "height": 844})
    page.get_by_role("button", name="Forcer la resynchronisation de tous les produits").click()
    expect(page.get_by_text("60 produits seront comparés")).to_be_visible()
    screenshot(page, "inventory-tab-phone")
