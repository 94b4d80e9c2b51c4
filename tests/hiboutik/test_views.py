"""The Catalogue tab: the last match's report, for admins only."""

import pytest

from hiboutik.models import CatalogueMatchItem
from inventory.services import product_create
from tests.factories import make_admin, make_ops
from tests.hiboutik.flows.conftest import run
from tests.integrations.conftest import hiboutik_integration_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def matched(simulator_factory):
    sim = simulator_factory(seed="empty")
    sim.add_products(3)
    integration = hiboutik_integration_for(sim)
    product_create(sku="BULK-000001", name="Article 1", price_incl_tax="10")
    product_create(sku="ONLY-CONNECT", name="Seul", price_incl_tax="10")
    product_create(sku="L" * 21, name="Trop long", price_incl_tax="10")
    run(integration, "catalogue.match")
    return integration


def test_the_tab_lists_each_part_of_the_report(client, matched):
    client.force_login(make_admin())
    url = f"/integrations/{matched.pk}/catalogue/"

    conflicts = client.get(url).content.decode()
    assert 'data-code="sku_too_long"' in conflicts
    assert CatalogueMatchItem.objects.filter(kind="only_hiboutik").count() == 2
    assert "BULK-000002" in client.get(url + "?list=hiboutik").content.decode()
    assert "ONLY-CONNECT" in client.get(url + "?list=connect").content.decode()
    bound = client.get(url + "?list=matched").content.decode()
    assert "BULK-000001" in bound and "ONLY-CONNECT" not in bound


def test_operators_cannot_open_it(client, matched):
    client.force_login(make_ops())
    assert client.get(f"/integrations/{matched.pk}/catalogue/").status_code == 403
