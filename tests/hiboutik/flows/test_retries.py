"""Réessayer in the Erreurs tab, for the catalogue flows: once the operator fixed the cause, the
one record goes through."""

from decimal import Decimal

import pytest
import requests

from integrations import runner
from integrations.models import ExternalBinding, IntegrationError
from inventory.services import product_create, product_update
from sales.services import customer_create
from tests.hiboutik.flows.conftest import run

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_customer_whose_email_two_hiboutik_customers_share_is_bound_once_they_are_merged(
    empty_simulator, integration
):
    sim = empty_simulator
    for first in ("Anne", "Annie"):
        sim_customer = {"customers_first_name": first, "customers_email": "anne@example.com"}
        requests.post(f"{sim.root_url}/_sim/customers", json=sim_customer, timeout=5)
    customer = customer_create(email="anne@example.com", first_name="Anne", last_name="Roux")

    first = run(integration, "customers.export")
    error = IntegrationError.objects.get(record_id=str(customer.pk))
    assert first.failed == 1 and error.code == "several"
    assert error.params == {"count": 2, "email": "anne@example.com"}

    duplicate = max(sim.state.tables["customers"])
    del sim.state.tables["customers"][duplicate]  # merged in Hiboutik
    runner.retry_error(error.pk)

    error.refresh_from_db()
    assert error.status == "resolved"
    binding = ExternalBinding.objects.get(object_type="customer", object_id=customer.pk)
    held = sim.state.tables["customers"][int(binding.external_id)]
    assert (held["first_name"], held["last_name"]) == ("Anne", "Roux")


def test_a_rate_hiboutik_lacks_is_an_error_until_the_product_is_fixed_and_retried(
    empty_simulator, integration
):
    product = product_create(sku="TEA", name="Thé", price_incl_tax="5", tax_rate="20")
    run(integration, "products.export")
    product_update(product=product, tax_rate=Decimal("7"))

    failed = run(integration, "products.update")
    error = IntegrationError.objects.get(flow_key="products.update")
    assert failed.status == "failed" and error.code == "tax_unknown"
    assert ExternalBinding.objects.get(object_id=product.pk).dirty  # still to push

    product_update(product=product, tax_rate=Decimal("10"))
    runner.retry_error(error.pk)

    error.refresh_from_db()
    assert error.status == "resolved"
    binding = ExternalBinding.objects.get(object_id=product.pk)
    hiboutik = empty_simulator.state.tables["products"][int(binding.external_id)]
    assert hiboutik["product_vat"] == 2  # 10 % in the simulator's taxes
    assert binding.pushed_state["tax_rate"] == "10.00"
