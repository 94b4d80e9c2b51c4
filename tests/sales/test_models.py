import pytest
from django.db import IntegrityError, transaction

from sales.models import Order, Rma
from sales.services import LineSpec, order_create

pytestmark = pytest.mark.django_db


def _copy(order: Order, **changes) -> Order:
    fields = {
        "number": order.number + "-copy",
        "store": order.store,
        "warehouse": order.warehouse,
        "external_source": order.external_source,
        "external_reference": order.external_reference,
    }
    return Order(**{**fields, **changes})


def test_database_refuses_a_second_order_for_one_external_reference(store, mug):
    order = order_create(
        store=store,
        lines=[LineSpec(product=mug, quantity=1)],
        external_source="hiboutik",
        external_reference="12",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        _copy(order).save()
    _copy(order, number="other-source", external_source="shop").save()


def test_orders_without_external_reference_do_not_collide(store, mug):
    first = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    _copy(first, number="manual-2").save()
    assert Order.objects.filter(external_reference="").count() == 2


def test_database_refuses_a_second_rma_for_one_external_reference(store, mug):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    Rma.objects.create(number="R1", order=order, external_source="pos", external_reference="x")
    with pytest.raises(IntegrityError), transaction.atomic():
        Rma.objects.create(number="R2", order=order, external_source="pos", external_reference="x")
    Rma.objects.create(number="R3", order=order)
    Rma.objects.create(number="R4", order=order)


def test_order_line_quantities_stay_coherent_in_the_database(store, mug):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=2)])
    line = order.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(line).objects.filter(pk=line.pk).update(qty_shipped=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(line).objects.filter(pk=line.pk).update(qty_returned=1)
    assert str(line) == f"{order.number} · MUG-BLANC × 2"
    assert str(order) == order.number
