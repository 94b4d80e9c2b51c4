"""customers.export and products.images against the live simulator."""

import pytest

from integrations.models import ExternalBinding, IntegrationError
from inventory.services import product_create
from sales.models import Customer
from sales.services import customer_create, customer_update
from tests.factories import add_image
from tests.hiboutik.flows.conftest import calls, routes, run

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["substring", "exact"])
def demo_integration(request, simulator_factory):
    """The demo account, whose searches match substrings (as measured) or equal values."""
    from tests.integrations.conftest import hiboutik_integration_for

    sim = simulator_factory(seed="demo", search_match=request.param)
    return sim, hiboutik_integration_for(sim)


def test_customers_are_found_by_email_or_created_then_changes_cost_one_put_each(
    demo_integration,
):
    sim, integration = demo_integration
    # In Hiboutik already (the demo seed); "martin@example.com" is a substring of it only.
    known = customer_create(
        email="camille.martin@example.com",
        first_name="Camille",
        last_name="Martin-Roux",
        country="FR",
    )
    new = customer_create(email="martin@example.com", last_name="Martin", country="BE")
    unnamed = Customer.objects.create(phone="0600000000")
    before = len(sim.state.tables["customers"])

    first = run(integration, "customers.export")

    assert first.status == "partial", first.reason
    assert (first.created, first.updated, first.failed) == (1, 1, 1)
    assert len(sim.state.tables["customers"]) == before + 1
    bound = dict(
        ExternalBinding.objects.filter(object_type="customer").values_list(
            "object_id", "external_id"
        )
    )
    assert set(bound) == {known.pk, new.pk}
    held = sim.state.tables["customers"][int(bound[known.pk])]
    assert held["last_name"] == "Martin-Roux"  # Connect's value pushed to the one found
    created = sim.state.tables["customers"][int(bound[new.pk])]
    assert created["country"] == "BE" and created["email"] == "martin@example.com"
    error = IntegrationError.objects.get(record_id=str(unnamed.pk))
    assert error.code == "unidentified" and error.params == {"id": unnamed.pk}

    customer_update(customer=new, first_name="Léa", phone="0102030405")
    before, puts = calls(sim), routes(sim).get("PUT /customer/{customer_id}", 0)
    second = run(integration, "customers.export")
    assert calls(sim) - before == 2
    assert routes(sim)["PUT /customer/{customer_id}"] - puts == 2
    assert sim.state.tables["customers"][int(bound[new.pk])]["first_name"] == "Léa"

    before = calls(sim)
    assert run(integration, "customers.export").api_calls == 0
    assert calls(sim) == before
    assert second.updated == 1


def _hiboutik_emails(sim) -> list[str]:
    return sorted(row["email"] for row in sim.state.tables["customers"].values())


def test_a_customer_made_after_the_first_export_is_created_without_a_search(
    empty_simulator, integration
):
    sim = empty_simulator
    customer_create(email="avant@example.com", last_name="Avant")
    run(integration, "customers.export")  # looks up what Connect had: one search, one create
    assert routes(sim).get("GET /customers/search", 0) == 1
    customer_create(email="apres@example.com", last_name="Après")
    before = calls(sim)

    export = run(integration, "customers.export")

    assert export.created == 1 and calls(sim) - before == 1
    assert routes(sim).get("GET /customers/search", 0) == 1
    assert _hiboutik_emails(sim) == ["apres@example.com", "avant@example.com"]


def test_a_create_whose_bind_was_lost_is_found_by_email_not_created_again(
    empty_simulator, integration, monkeypatch
):
    from hiboutik.flows import customers_export

    sim = empty_simulator
    customer_create(email="avant@example.com", last_name="Avant")
    run(integration, "customers.export")  # the first export, of what Connect had
    customer = customer_create(email="perdu@example.com", last_name="Perdu")

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(customers_export, "bindings_bind_many", crash)
    crashed = run(integration, "customers.export")
    assert crashed.status == "errored"
    assert routes(sim)["GET /customers/search"] == 1  # created without a search
    assert _hiboutik_emails(sim) == ["avant@example.com", "perdu@example.com"]
    assert not ExternalBinding.objects.filter(object_id=customer.pk).exists()
    monkeypatch.undo()

    rerun = run(integration, "customers.export")

    assert rerun.status == "succeeded", rerun.reason
    assert rerun.created == 0 and rerun.updated == 1
    assert routes(sim)["GET /customers/search"] == 2
    assert _hiboutik_emails(sim) == ["avant@example.com", "perdu@example.com"]
    binding = ExternalBinding.objects.get(object_type="customer", object_id=customer.pk)
    assert sim.state.tables["customers"][int(binding.external_id)]["last_name"] == "Perdu"
    # Once bound, it is no longer marked: the next run looks nothing up.
    before = calls(sim)
    run(integration, "customers.export")
    assert calls(sim) == before


def test_each_new_image_is_uploaded_once(demo_integration):
    sim, integration = demo_integration
    product = product_create(sku="CASQUETTE", name="Casquette", price_incl_tax="19.50")
    run(integration, "catalogue.match")
    add_image(product, color="red")
    add_image(product, color="blue")
    before = calls(sim)

    sent = run(integration, "products.images")

    assert sent.status == "succeeded", sent.reason
    assert sent.created == 2
    assert calls(sim) - before == 2
    assert ExternalBinding.objects.filter(object_type="product_image").count() == 2
    before = calls(sim)
    assert run(integration, "products.images").seen == 0
    assert calls(sim) == before
    add_image(product, color="green")
    run(integration, "products.images")
    assert calls(sim) - before == 1
