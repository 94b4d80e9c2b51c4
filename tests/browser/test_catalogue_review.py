"""The Catalogue tab in a real browser: an admin runs the catalogue match against a live
simulator and reviews its conflicts and what is only in Hiboutik or only in Connect."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import screenshot
from tests.browser.integration_flows import thread_worker
from tests.factories import make_admin, make_product
from tests.hiboutik.conftest import simulator, simulator_factory  # noqa: F401 - fixtures
from tests.integrations.conftest import hiboutik_integration_for

pytestmark = pytest.mark.browser


@pytest.fixture
def worker(monkeypatch):
    with thread_worker(monkeypatch) as running:
        yield running


def test_admin_runs_the_match_and_reviews_it(page, log_in, simulator, worker):  # noqa: F811
    integration = hiboutik_integration_for(simulator)
    make_product(sku="CASQUETTE", name="Casquette")
    make_product(sku="SEULEMENT-CONNECT", name="Produit web")
    make_product(sku="UNE-REFERENCE-TROP-LONGUE", name="Trop long")
    log_in(make_admin(username="claire"))

    page.goto(f"/integrations/{integration.pk}/catalogue/")
    expect(page.get_by_test_id("no-match")).to_be_visible()
    page.get_by_role("button", name="Lancer le rapprochement").click()
    expect(page.get_by_test_id("run-status")).to_have_attribute(
        "data-status", "succeeded", timeout=20_000
    )

    page.goto(f"/integrations/{integration.pk}/catalogue/")
    expect(page.locator('tr[data-code="sku_too_long"]')).to_contain_text("plus de 20 caractères")
    screenshot(page, "catalogue-conflicts")
    page.get_by_test_id("list-hiboutik").click()
    expect(page.locator("#hiboutik-only-table")).to_contain_text("TSHIRT-BIO")
    page.get_by_test_id("list-connect").click()
    expect(page.locator("#connect-table")).to_contain_text("SEULEMENT-CONNECT")
    page.get_by_test_id("list-matched").click()
    expect(page.locator("#matched-table")).to_contain_text("CASQUETTE")
