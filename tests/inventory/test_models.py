import pytest
from django.db import IntegrityError, transaction

from inventory.models import StockItem, StockMovement
from tests.inventory.factories import make_product

pytestmark = pytest.mark.django_db


def test_database_refuses_negative_reservations(product, warehouse):
    item = StockItem.objects.get(product=product, warehouse=warehouse)
    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.filter(pk=item.pk).update(reserved=-1)


def test_database_refuses_two_stock_items_for_one_product_and_warehouse(product, warehouse):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockItem.objects.create(product=product, warehouse=warehouse)


def test_database_refuses_zero_movements(product, warehouse):
    with pytest.raises(IntegrityError), transaction.atomic():
        StockMovement.objects.create(
            product=product, warehouse=warehouse, quantity=0, reason="manual", physical_after=0
        )


def test_str_of_every_model_is_readable(product, warehouse):
    item = StockItem.objects.get(product=product, warehouse=warehouse)
    movement = StockMovement.objects.get(product=product)
    assert str(warehouse) == "Dépôt principal (MAIN)"
    assert str(product) == "TSHIRT-BLEU-M — Produit TSHIRT-BLEU-M"
    assert str(item) == "TSHIRT-BLEU-M @ MAIN: 10"
    assert str(movement) == "TSHIRT-BLEU-M @ MAIN: +10 (initial)"
    assert make_product(price="10", tax_rate="20").price_incl_tax == 12
