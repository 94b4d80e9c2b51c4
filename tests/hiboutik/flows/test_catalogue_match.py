"""catalogue.match against the live simulator."""

from decimal import Decimal

import pytest

from hiboutik.models import CatalogueMatchItem
from integrations.models import ExternalBinding
from inventory.services import product_create
from tests.hiboutik.flows.conftest import calls, run

pytestmark = pytest.mark.django_db(transaction=True)


def _bulk_sku(n: int) -> str:
    return f"BULK-{n:06d}"


def test_binds_300_products_already_in_hiboutik_in_three_calls_then_exports_only_the_others(
    empty_simulator, integration
):
    sim = empty_simulator
    sim.add_products(300)
    for n in range(1, 301):
        product_create(sku=_bulk_sku(n), name=f"Article {n}", price_incl_tax="10.00")
    for n in range(1, 6):
        product_create(sku=f"NEW-{n}", name=f"Nouveau {n}", price_incl_tax="12.00")

    match = run(integration, "catalogue.match")

    assert match.status == "succeeded", match.reason
    # The taxes once, then 300 products in two pages of 250.
    # The pages read concurrently count in the run too.
    assert match.api_calls == calls(sim) == 3
    bound = ExternalBinding.objects.filter(object_type="product")
    assert bound.count() == 300
    assert match.created == 300
    assert not CatalogueMatchItem.objects.filter(integration=integration).exists()

    before = calls(sim)
    export = run(integration, "products.export")

    assert export.status == "succeeded", export.reason
    assert export.created == 5
    # Taxes once, then per product a create and one read back.
    assert calls(sim) - before == 1 + 5 * 2
    refs = sorted(p["products_ref_ext"] for p in sim.state.tables["products"].values())
    assert len(refs) == 305
    assert refs[-5:] == [f"NEW-{n}" for n in range(1, 6)]


def test_binds_by_barcode_and_a_size_by_its_own_barcode(simulator_factory):
    from tests.integrations.conftest import hiboutik_integration_for

    sim = simulator_factory(seed="demo")
    integration = hiboutik_integration_for(sim)
    tshirt = sim.state.tables["products"][1]
    size_barcode = next(iter(tshirt["size_barcodes"].values()))
    size_id = int(next(iter(tshirt["size_barcodes"])))
    products = sim.state.tables["products"].values()
    cap = next(p for p in products if p["products_ref_ext"] == "CASQUETTE")
    by_sku = product_create(sku="CASQUETTE", name="Casquette", price_incl_tax="19.50")
    variant = product_create(
        sku="TSHIRT-BIO-S", name="T-shirt S", price_incl_tax="25.00", barcode=size_barcode
    )
    alone = product_create(sku="CONNECT-ONLY", name="Seulement Connect", price=Decimal("5"))

    result = run(integration, "catalogue.match")

    assert result.status == "succeeded", result.reason
    refs = dict(ExternalBinding.objects.values_list("object_id", "external_id"))
    assert refs[by_sku.pk] == str(cap["product_id"])
    assert refs[variant.pk] == f"1:{size_id}"
    assert alone.pk not in refs
    only = CatalogueMatchItem.objects.filter(kind="only_hiboutik")
    # Seven demo products; the cap and the T-shirt (through one of its sizes) are bound.
    assert only.count() == 5
    # The cap's price and tax equal Connect's: nothing for products.update to push.
    assert not ExternalBinding.objects.get(object_id=by_sku.pk).dirty


def test_conflicts_are_listed_and_nothing_ambiguous_is_bound(empty_simulator, integration):
    sim = empty_simulator
    sim.add_products(2)
    barcode = sim.state.tables["products"][1]["product_barcode"]
    first = product_create(sku="A-1", name="A", price=Decimal("1"), barcode=barcode)
    second = product_create(sku="A-2", name="B", price=Decimal("1"), barcode=barcode)
    long_sku = product_create(sku="X" * 21, name="Long", price=Decimal("1"))

    result = run(integration, "catalogue.match")

    assert result.status == "succeeded", result.reason
    assert not ExternalBinding.objects.exists()
    conflicts = {item.code: item for item in CatalogueMatchItem.objects.filter(kind="conflict")}
    assert set(conflicts) == {"barcode_shared_connect", "sku_too_long"}
    assert sorted(conflicts["barcode_shared_connect"].product_ids) == sorted([first.pk, second.pk])
    assert conflicts["sku_too_long"].product_ids == [long_sku.pk]
