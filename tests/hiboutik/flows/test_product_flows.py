"""products.export and products.update against the live simulator: what each costs in calls."""

from decimal import Decimal

import pytest

from hiboutik.integration import FLOWS
from integrations.models import ExternalBinding
from inventory.models import Product
from inventory.services import product_create, product_update
from tests.hiboutik.flows.conftest import calls, routes, run

pytestmark = pytest.mark.django_db(transaction=True)


def _hiboutik(sim, product: Product) -> dict:
    binding = ExternalBinding.objects.get(object_type="product", object_id=product.pk)
    return sim.state.tables["products"][int(binding.external_id)]


def test_a_product_is_exported_once_then_two_changes_cost_two_puts_then_nothing(
    empty_simulator, integration
):
    sim = empty_simulator
    product = product_create(
        sku="TEE-001",
        name="T-shirt",
        price_incl_tax="25.00",
        tax_rate="20",
        barcode="3760000000017",
        cost="8.00",
    )
    first = {flow.key: run(integration, flow.key) for flow in FLOWS}
    assert all(r.status == "succeeded" for r in first.values()), {
        key: (r.status, r.reason) for key, r in first.items()
    }
    assert first["products.export"].created == 1
    held = _hiboutik(sim, product)
    assert held["products_ref_ext"] == "TEE-001"
    assert held["product_price"] == "25.00"
    assert held["product_barcode"] == "3760000000017"
    assert held["product_supply_price"] == "8.00"
    assert held["product_vat"] == 1  # 20 % in the simulator's taxes
    assert len(sim.state.tables["products"]) == 1

    product_update(product=product, price=Decimal("25.0000"), barcode="3760000000024")
    before, put_before = calls(sim), routes(sim).get("PUT /product/{product_id}", 0)
    update = run(integration, "products.update")

    assert update.status == "succeeded", update.reason
    assert calls(sim) - before == 2
    assert routes(sim)["PUT /product/{product_id}"] - put_before == 2
    held = _hiboutik(sim, product)
    assert held["product_price"] == "30.00"  # 25 HT at 20 %
    assert held["product_barcode"] == "3760000000024"

    before = calls(sim)
    fields = ("pk", "pushed_state", "dirty", "mark_seq")
    state = list(ExternalBinding.objects.values_list(*fields))
    again = {flow.key: run(integration, flow.key) for flow in FLOWS}
    assert calls(sim) == before
    assert all(r.status == "succeeded" and r.api_calls == 0 for r in again.values())
    assert all(r.created == r.updated == 0 for r in again.values())
    assert list(ExternalBinding.objects.values_list(*fields)) == state
    assert len(sim.state.tables["products"]) == 1


def test_a_product_marked_changed_but_equal_to_what_was_pushed_costs_no_call(
    empty_simulator, integration
):
    product = product_create(sku="CAP", name="Cap", price_incl_tax="12.00")
    run(integration, "products.export")
    product_update(product=product, barcode="123")
    product_update(product=product, barcode="")  # back: marked, but Hiboutik holds it already
    binding = ExternalBinding.objects.get(object_id=product.pk)
    assert binding.dirty
    before = calls(empty_simulator)

    update = run(integration, "products.update")

    assert calls(empty_simulator) == before
    assert update.skipped == 1
    binding.refresh_from_db()
    assert not binding.dirty


def test_a_create_whose_bind_was_lost_is_found_by_its_sku_not_created_again(
    empty_simulator, integration, monkeypatch
):
    from hiboutik.flows import products_export

    product = product_create(sku="LOST-1", name="Perdu", price_incl_tax="9.90")

    def crash(*args, **kwargs):
        raise RuntimeError("worker killed")

    monkeypatch.setattr(products_export, "bindings_bind_many", crash)
    crashed = run(integration, "products.export")
    assert crashed.status == "errored"
    assert len(empty_simulator.state.tables["products"]) == 1
    assert not ExternalBinding.objects.exists()
    monkeypatch.undo()

    rerun = run(integration, "products.export")

    assert rerun.status == "succeeded", rerun.reason
    assert len(empty_simulator.state.tables["products"]) == 1
    assert _hiboutik(empty_simulator, product)["products_ref_ext"] == "LOST-1"
    assert rerun.created == 0 and rerun.updated == 1
    # Once bound, the cursor forgets it: the next run looks nothing up.
    before = calls(empty_simulator)
    run(integration, "products.export")
    assert calls(empty_simulator) == before


def test_export_records_a_long_sku_and_an_unknown_rate_as_errors_and_goes_on(
    empty_simulator, integration
):
    from integrations.models import IntegrationError

    product_create(sku="S" * 21, name="Long", price_incl_tax="5")
    product_create(sku="ODD-RATE", name="Taux", price_incl_tax="5", tax_rate="7")
    good = product_create(sku="OK", name="Bon", price_incl_tax="5")

    export = run(integration, "products.export")

    assert export.status == "partial"
    assert export.created == 1
    codes = set(IntegrationError.objects.values_list("code", flat=True))
    assert codes == {"sku_too_long", "tax_unknown"}
    assert ExternalBinding.objects.filter(object_id=good.pk).exists()
    # The failed products wait for a retry or a change: the next run costs nothing.
    before = calls(empty_simulator)
    assert run(integration, "products.export").seen == 0
    assert calls(empty_simulator) == before


def test_only_the_integration_owning_the_accounts_catalogue_exports_it(
    empty_simulator, integration
):
    from tests.integrations.conftest import hiboutik_integration_for

    other_store = hiboutik_integration_for(empty_simulator)  # same account, created later
    product_create(sku="ONE", name="Un", price_incl_tax="3")

    refused = run(other_store, "products.export")

    assert refused.status == "failed"
    assert refused.reason_code == "not_catalogue_owner"
    assert calls(empty_simulator) == 0
    assert run(integration, "products.export").created == 1
