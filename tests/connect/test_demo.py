from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from connect.demo.loader import ean13
from inventory.models import Product, StockItem, StockMovement, Warehouse
from sales.models import Order, OrderStatus, PaymentMethod, Rma, ShippingMethod, Store

pytestmark = pytest.mark.django_db


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for app in ("inventory", "sales")
        for model in apps.get_app_config(app).get_models()
    }


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker, tmp_path_factory):
    """The demo loaded once for the module, rolled back afterwards (it takes seconds)."""
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media), transaction.atomic():
        out = StringIO()
        call_command("demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_running_twice_adds_nothing(demo):
    first = table_counts()
    stock = dict(StockItem.objects.values_list("pk", "physical"))
    out = StringIO()
    call_command("demo", stdout=out)
    assert table_counts() == first
    assert dict(StockItem.objects.values_list("pk", "physical")) == stock
    assert "50 products" in out.getvalue()


def test_catalogue_has_images_barcodes_and_stock_in_both_warehouses(demo):
    assert Warehouse.objects.count() == 2
    assert {store.default_warehouse.code for store in Store.objects.all()} == {"ENTREPOT", "PARIS"}
    products = Product.objects.prefetch_related("images")
    assert products.count() == 50
    assert all(product.images.count() == 1 for product in products)
    assert all(product.images.get().file.size > 0 for product in products)
    assert len({product.barcode for product in products}) == 50
    assert all(product.cost < product.price for product in products)
    assert {str(rate) for rate in products.values_list("tax_rate", flat=True)} == {"5.50", "20.00"}
    assert StockItem.objects.count() == 100
    assert StockMovement.objects.filter(reason="initial").count() == 100


def test_command_reports_what_is_there(demo):
    assert "Demo data ready" in demo
    assert "2 warehouses" in demo


def test_barcodes_are_valid_ean13():
    code = ean13(7)
    digits = [int(digit) for digit in code]
    assert len(code) == 13
    assert sum(d * (3 if i % 2 else 1) for i, d in enumerate(digits)) % 10 == 0


def test_reference_data_speaks_french(demo):
    assert {"Espèces", "Carte bancaire", "Chèque"} <= set(
        PaymentMethod.objects.values_list("name", flat=True)
    )
    assert "Retrait en magasin" in ShippingMethod.objects.values_list("name", flat=True)
    assert apps.get_model("sales", "Customer").objects.count() >= 20
    assert apps.get_model("sales", "CustomerGroup").objects.count() >= 2


def test_orders_cover_every_state_with_their_documents(demo):
    orders = Order.objects.all()
    assert set(orders.values_list("status", flat=True)) == set(OrderStatus.values)
    for order in orders:
        assert order.lines.exists()
        assert order.events.filter(kind="created").exists()
        if order.status in (OrderStatus.COMPLETE, OrderStatus.CLOSED):
            assert order.invoices.exists() and order.shipments.exists(), order
            assert sum(i.grand_total for i in order.invoices.all()) == order.grand_total
    assert StockMovement.objects.filter(reason="order_shipment").exists()
    rma = Rma.objects.get()
    assert rma.lines.get().restocked
    assert StockMovement.objects.filter(reason="return").count() == 1
    assert rma.refunds.count() == 1


def test_every_document_and_event_is_dated_from_its_order_on(demo):
    """An order « placed on 24 November » has its payment, invoice, shipment and history from
    then, not from the day the demo was loaded; a customer was one before ordering."""
    from datetime import timedelta

    from sales.models import Customer

    for order in Order.objects.all():
        documents = [
            *order.payments.all(),
            *order.invoices.all(),
            *order.shipments.all(),
            *order.rmas.all(),
            *order.refunds.all(),
            *order.events.all(),
        ]
        for document in documents:
            assert order.placed_at <= document.created_at <= order.placed_at + timedelta(hours=1)
    for customer in Customer.objects.filter(orders__isnull=False).distinct():
        first = customer.orders.order_by("placed_at").first()
        assert customer.created_at < first.placed_at
