"""What the catalogue flows cost in queries: an idle run a handful, a batch of marked records
that need no call the same whatever their number, the go-live match of 300 products a few."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from hiboutik.flows.catalogue_match import CatalogueMatch
from hiboutik.flows.customers_export import CustomersExport
from hiboutik.flows.products_export import ProductsExport
from hiboutik.flows.products_images import ProductsImages
from hiboutik.flows.products_update import ProductsUpdate
from hiboutik.mappers.catalogue import product_state
from hiboutik.mappers.customers import ConnectCustomer, customer_state
from hiboutik.selectors import catalogue_products
from integrations import runner
from integrations.models import FlowRun
from integrations.selectors.bindings import binding_scope
from integrations.services.bindings import NewBinding, bindings_bind_many
from integrations.services.marks import bindings_mark_changed
from inventory.models import Product
from inventory.services import product_create
from sales.services import customer_create
from tests.hiboutik.flows.conftest import calls, run

pytestmark = pytest.mark.django_db(transaction=True)

CATALOGUE_FLOWS = (CatalogueMatch, ProductsExport, ProductsUpdate, ProductsImages, CustomersExport)
# What the runner itself spends on a run: claiming it, the quota check, closing it.
RUNNER = 8


def _queries(integration, flow_key: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        runner.run_flow(integration.pk, flow_key, "manual")
    return len(captured.captured_queries)


@pytest.mark.parametrize("flow", CATALOGUE_FLOWS, ids=lambda flow: flow.key)
def test_an_idle_run_costs_no_call_and_a_few_queries(
    flow, integration, empty_simulator, django_assert_max_num_queries
):
    product_create(sku="P-1", name="Produit", price_incl_tax="10")
    customer_create(email="a@example.com", last_name="A")
    for each in CATALOGUE_FLOWS:
        run(integration, each.key)
    before = calls(empty_simulator)

    with django_assert_max_num_queries(RUNNER + 4):
        runner.run_flow(integration.pk, flow.key, "manual")

    assert calls(empty_simulator) == before


def _bound_products(integration, count: int, start: int) -> None:
    for n in range(start, start + count):
        product_create(sku=f"Q-{n}", name=f"Produit {n}", price_incl_tax="10")
    scope = binding_scope(integration, "product")
    bindings_bind_many(
        scope=scope,
        object_type="product",
        bindings=[
            NewBinding(
                product.product_id,
                str(1000 + product.product_id),
                product_state(product, prices_include_tax=True, tax_id=1),
            )
            for product in catalogue_products()
        ],
    )


@pytest.mark.parametrize("flow_key", ["products.update", "customers.export"])
def test_marked_records_equal_to_what_was_pushed_cost_the_same_queries_whatever_their_number(
    flow_key, integration, empty_simulator
):
    def prepare(count: int, start: int) -> None:
        if flow_key == "products.update":
            _bound_products(integration, count, start)
            ids = Product.objects.values_list("pk", flat=True)
            assert bindings_mark_changed(object_type="product", object_ids=ids) == start + count
            return
        made = [
            customer_create(email=f"c{start + n}@example.com", last_name=f"C{n}")
            for n in range(count)
        ]
        bindings_bind_many(
            scope=binding_scope(integration, "customer"),
            object_type="customer",
            bindings=[
                NewBinding(
                    customer.pk,
                    str(5000 + customer.pk),
                    customer_state(
                        ConnectCustomer(
                            customer.pk, last_name=customer.last_name, email=customer.email
                        )
                    ),
                )
                for customer in made
            ],
        )
        bindings_mark_changed(object_type="customer", object_ids=[c.pk for c in made])

    prepare(3, 0)
    few = _queries(integration, flow_key)
    prepare(300, 3)
    many = _queries(integration, flow_key)

    # A long run writes its progress every 2 seconds: a slow machine may add a write or two.
    assert many <= few + 2
    assert FlowRun.objects.filter(flow_key=flow_key).latest("pk").skipped >= 300
    assert calls(empty_simulator) == 0


def test_the_match_of_300_products_costs_a_bounded_number_of_queries(empty_simulator, integration):
    empty_simulator.add_products(300)
    for n in range(1, 301):
        product_create(sku=f"BULK-{n:06d}", name=f"A {n}", price_incl_tax="1")

    queries = _queries(integration, "catalogue.match")

    # With the call ledger's writes for its 3 calls; one query per product would be 300 more.
    assert queries <= RUNNER + 30
    assert run(integration, "catalogue.match").log[-1]["message"].startswith("Every Connect")
