"""The demo integration syncs the catalogue with the simulator once: the simulated till then
sells Connect's SKUs, and setting the demo up again costs the catalogue no call."""

import pytest
from django.test import override_settings

from connect.demo.integration import configure_demo_integration
from connect.demo.loader import load_demo
from integrations.models import ExternalBinding, FlowRun
from inventory.models import Product
from sales.models import Customer
from tests.hiboutik.conftest import simulator_factory  # noqa: F401 - fixture
from tests.integrations.conftest import eager_tasks  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_demo_exports_its_catalogue_once(simulator_factory, eager_tasks, tmp_path):  # noqa: F811
    sim = simulator_factory(seed="demo")
    with override_settings(MEDIA_ROOT=tmp_path):
        load_demo()
        integration = configure_demo_integration(
            simulator_url=sim.base_url, base_url="http://127.0.0.1:9"
        )

    runs = {run.flow_key: run for run in FlowRun.objects.filter(integration=integration)}
    assert {key: run.status for key, run in runs.items()} == {
        "catalogue.match": "succeeded",
        "products.export": "succeeded",
        "customers.export": "succeeded",
    }
    refs = {p["products_ref_ext"] for p in sim.state.tables["products"].values()}
    skus = set(Product.objects.filter(enabled=True).values_list("sku", flat=True))
    assert skus <= refs
    bound = ExternalBinding.objects.filter(object_type="customer").count()
    assert bound == Customer.objects.exclude(email="", first_name="", last_name="").count()

    products, calls = len(sim.state.tables["products"]), sim.stats()["by_route"]
    with override_settings(MEDIA_ROOT=tmp_path):
        configure_demo_integration(simulator_url=sim.base_url, base_url="http://127.0.0.1:9")

    again = FlowRun.objects.filter(integration=integration).order_by("-pk")[:3]
    assert [run.api_calls for run in again] == [0, 0, 0]
    assert len(sim.state.tables["products"]) == products
    after = sim.stats()["by_route"]
    assert {route: n for route, n in after.items() if n != calls.get(route)} == {
        "GET /webhooks": after["GET /webhooks"]
    }


def test_every_demo_sku_fits_hiboutik():
    from connect.demo.catalogue import PRODUCTS

    assert [sku for sku, *_ in PRODUCTS if len(sku) > 20] == []
