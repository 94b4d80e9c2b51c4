"""A sale rung up at the Hiboutik till lowers the stock Connect believes Hiboutik holds, once."""

from decimal import Decimal

import pytest

from hiboutik.selectors import account_integrations, catalogue_owner, connect_product_ids
from hiboutik.stock_beliefs import stock_beliefs_apply_sale
from hiboutik.types import Sale, SaleLine
from integrations.models import ExternalStock
from integrations.services.bindings import binding_bind
from integrations.services.external_stock import external_stock_ensure
from integrations.services.integrations import integration_create
from tests.factories import make_product

pytestmark = pytest.mark.django_db


def hiboutik(name, account="demo", store=1, warehouse=1, enabled=True):
    return integration_create(
        type="hiboutik",
        name=name,
        config={
            "general": {"account": account, "user": "demo@connect.test"},
            "order_import": {"hiboutik_store_id": store},
            "stock": {"hiboutik_warehouse_id": warehouse},
        },
        secrets={"api_key": "KEY"},
        enabled=enabled,
    )


def bind(product, ref):
    return binding_bind(
        scope="hiboutik:demo", object_type="product", object_id=product.pk, external_id=ref
    )


def line(product_id, quantity, size_id=0, **fields):
    return SaleLine(
        line_item_id=product_id * 10 + size_id,
        product_id=product_id,
        size_id=size_id,
        quantity=quantity,
        unit_price=Decimal("10"),
        vat=Decimal("0.2"),
        **fields,
    )


def sale(*lines, sale_id=1, store_id=1, warehouse_id=1):
    return Sale(
        sale_id=sale_id,
        store_id=store_id,
        total=Decimal("10"),
        warehouse_id=warehouse_id,
        lines=tuple(lines),
    )


def beliefs(integration):
    return dict(
        ExternalStock.objects.filter(integration=integration).values_list("product_id", "believed")
    )


def test_sale_lines_find_their_products_by_size_then_whole_product():
    shirt_m, cap = make_product(), make_product()
    bind(shirt_m, "1:2")
    bind(cap, "4")
    integration = hiboutik("paris")
    found = connect_product_ids(integration, [(1, 2), (1, 3), (4, 0), (4, 5), (0, 0), (9, 0)])
    assert found == {(1, 2): shirt_m.pk, (4, 0): cap.pk, (4, 5): cap.pk}


def test_account_integrations_and_the_catalogue_owner():
    paris, saint_denis = hiboutik("paris"), hiboutik("saint-denis", store=2, warehouse=2)
    other_account = hiboutik("other", account="other")
    assert account_integrations(saint_denis) == [paris, saint_denis]
    assert catalogue_owner(saint_denis) == paris
    assert catalogue_owner(other_account) == other_account
    paris.enabled = False
    paris.save()
    assert catalogue_owner(paris) == saint_denis


def test_a_sale_lowers_the_belief_of_the_integrations_pushing_to_its_warehouse_once():
    mug, book, card = make_product(), make_product(), make_product()
    for product, ref in ((mug, "5"), (book, "6"), (card, "7")):
        bind(product, ref)
    paris, saint_denis = hiboutik("paris"), hiboutik("saint-denis", store=2, warehouse=2)
    for integration in (paris, saint_denis):
        external_stock_ensure(
            integration=integration,
            product_ids=[mug.pk, book.pk, card.pk],
            believed={mug.pk: 10, book.pk: 10, card.pk: 10},
        )
    rung_up = sale(
        line(5, 2),
        line(5, 1),
        line(6, 1, credit_note=True),  # a return: not taken out
        line(7, 1, stock_managed=False),
        line(0, 1),  # a free line
        line(99, 1),  # not bound
    )
    assert stock_beliefs_apply_sale(integration=paris, sale=rung_up) == {paris.pk: {mug.pk: -3}}
    assert stock_beliefs_apply_sale(integration=paris, sale=rung_up) == {}
    assert beliefs(paris) == {mug.pk: 7, book.pk: 10, card.pk: 10}
    assert beliefs(saint_denis)[mug.pk] == 10


def test_without_a_warehouse_the_sale_counts_for_the_integration_of_its_store():
    mug = make_product()
    bind(mug, "5")
    paris, saint_denis = hiboutik("paris"), hiboutik("saint-denis", store=2, warehouse=2)
    for integration in (paris, saint_denis):
        external_stock_ensure(integration=integration, product_ids=[mug.pk], believed={mug.pk: 4})
    stock_beliefs_apply_sale(
        integration=paris, sale=sale(line(5, 1), store_id=2, warehouse_id=None)
    )
    assert (beliefs(paris)[mug.pk], beliefs(saint_denis)[mug.pk]) == (4, 3)
