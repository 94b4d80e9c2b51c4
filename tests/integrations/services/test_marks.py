"""Change tracking: the domain services mark what integrations must push, in their own
transaction, and a flow clears only marks that did not move while it pushed."""

from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.contrib import admin
from django.db import transaction

from integrations.models import ExternalBinding, ExternalStock
from integrations.services import marks
from integrations.services.bindings import binding_bind
from integrations.services.marks import (
    bindings_clear_marks,
    bindings_mark_changed,
    stock_clear_marks,
    stock_mark_changed,
)
from inventory.admin import ProductAdmin
from inventory.services import (
    product_update,
    stock_move,
    stock_release,
    stock_reserve,
    stock_set_many,
)
from sales.admin import CustomerAdmin
from sales.services import customer_update
from tests.factories import make_customer, make_product, make_source, make_warehouse, set_stock

pytestmark = pytest.mark.django_db


def bound(obj, object_type="product", scope="hiboutik:demo") -> ExternalBinding:
    binding = binding_bind(
        scope=scope, object_type=object_type, object_id=obj.pk, external_id=f"x{obj.pk}"
    )
    return binding


def stock_row(product, integration=None) -> ExternalStock:
    return ExternalStock.objects.create(
        integration=integration or make_source(), product=product, believed=0, dirty=False
    )


def fresh(row):
    row.refresh_from_db()
    return row


@pytest.mark.parametrize("field", ["price", "tax_rate", "barcode"])
def test_a_pushed_product_field_marks_every_binding_of_the_product(field):
    product = make_product(barcode="111")
    other = make_product()
    bindings = [bound(product), bound(product, scope="integration:9"), bound(other)]
    value = {"price": Decimal("12.5"), "tax_rate": Decimal("5.5"), "barcode": "222"}[field]
    product_update(product=product, **{field: value})
    assert [fresh(b).dirty for b in bindings] == [True, True, False]
    assert fresh(bindings[0]).mark_seq == 1


def test_a_field_no_integration_pushes_marks_nothing():
    product = make_product()
    binding = bound(product)
    product_update(product=product, name="Autre nom", description="…")
    assert not fresh(binding).dirty


def test_a_product_update_that_changes_nothing_marks_nothing():
    product = make_product(price=Decimal("10"))
    binding = bound(product)
    product_update(product=product, price=Decimal("10.0000"))
    assert not fresh(binding).dirty


def test_a_customer_exported_field_marks_its_bindings_and_the_address_does_not():
    customer = make_customer()
    binding = bound(customer, object_type="customer")
    customer_update(customer=customer, city="Lyon")
    assert not fresh(binding).dirty
    customer_update(customer=customer, email="new.address@example.fr")
    assert fresh(binding).dirty


def test_the_mark_is_rolled_back_with_the_change():
    product = make_product()
    binding = bound(product)
    with pytest.raises(RuntimeError), transaction.atomic():
        product_update(product=product, price=Decimal("99"))
        raise RuntimeError
    assert not fresh(binding).dirty


@pytest.mark.parametrize(
    "change",
    [
        lambda p, w: stock_move(product=p, warehouse=w, quantity=-1, reason="manual"),
        lambda p, w: stock_reserve(product=p, warehouse=w, quantity=2),
        lambda p, w: stock_set_many(warehouse=w, quantities={p.pk: "+3"}),
    ],
    ids=["move", "reserve", "mass-edit"],
)
def test_every_stock_change_marks_the_products_stock_for_every_integration(change):
    warehouse = make_warehouse()
    product, untouched = make_product(), make_product()
    set_stock(product, warehouse, 5)
    rows = [stock_row(product), stock_row(product, make_source("other")), stock_row(untouched)]
    change(product, warehouse)
    assert [fresh(row).dirty for row in rows] == [True, True, False]


def test_a_release_marks_too_and_each_change_bumps_the_counter():
    warehouse = make_warehouse()
    product = make_product()
    set_stock(product, warehouse, 5)
    row = stock_row(product)
    stock_reserve(product=product, warehouse=warehouse, quantity=2)
    stock_release(product=product, warehouse=warehouse, quantity=2)
    assert fresh(row).dirty and row.mark_seq == 2


def test_a_batch_marks_all_its_products_in_one_query(django_assert_num_queries):
    products = [make_product() for _ in range(30)]
    rows = [stock_row(product) for product in products]
    with django_assert_num_queries(1):
        assert stock_mark_changed(product_ids=[p.pk for p in products]) == 30
    assert all(fresh(row).dirty for row in rows)
    with django_assert_num_queries(0):
        stock_mark_changed(product_ids=[])


def test_a_mark_set_while_a_flow_pushed_survives_its_clearing():
    first, second = make_product(), make_product()
    a, b = bound(first), bound(second)
    bindings_mark_changed(object_type="product", object_ids=[first.pk, second.pk])
    read = {binding.pk: fresh(binding).mark_seq for binding in (a, b)}
    product_update(product=second, price=Decimal("42"))  # committed while the flow pushed
    assert bindings_clear_marks(read) == 1
    assert (fresh(a).dirty, fresh(b).dirty) == (False, True)


def test_stock_marks_are_cleared_by_counter_too():
    warehouse = make_warehouse()
    product = make_product()
    row = stock_row(product)
    stock_mark_changed(product_ids=[product.pk])
    read = {row.pk: fresh(row).mark_seq}
    stock_move(product=product, warehouse=warehouse, quantity=1, reason="manual")
    assert stock_clear_marks(read) == 0
    assert fresh(row).dirty
    assert stock_clear_marks({row.pk: fresh(row).mark_seq}) == 1
    assert not fresh(row).dirty


def test_clearing_many_rows_works_in_chunks(monkeypatch):
    products = [make_product() for _ in range(3)]
    rows = [stock_row(product) for product in products]
    stock_mark_changed(product_ids=[p.pk for p in products])
    monkeypatch.setattr(marks, "CLEAR_CHUNK", 2)
    assert stock_clear_marks({row.pk: fresh(row).mark_seq for row in rows}) == 3
    assert not any(fresh(row).dirty for row in rows)


@pytest.mark.parametrize(
    ("model_admin", "make", "field", "value"),
    [
        (ProductAdmin, make_product, "price", Decimal("33")),
        (CustomerAdmin, make_customer, "email", "edited@example.fr"),
    ],
    ids=["product", "customer"],
)
def test_the_admin_marks_what_it_saves_as_the_services_would(model_admin, make, field, value, rf):
    obj = make()
    binding = bound(obj, object_type=obj._meta.model_name)
    setattr(obj, field, value)
    # The admin writes through the services, with the form's cleaned values.
    form = SimpleNamespace(changed_data=[field], cleaned_data={field: value})
    model_admin(type(obj), admin.site).save_model(rf.post("/"), obj, form, change=True)
    assert fresh(binding).dirty
