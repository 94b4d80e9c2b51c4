from datetime import datetime
from decimal import Decimal

import pytest

from hiboutik.errors import HiboutikPayloadError
from hiboutik.mappers.products import (
    product_create_payload,
    product_from_payload,
    product_match_from_payload,
    stock_level_from_payload,
)
from hiboutik.types import NewProduct, ProductImage, ProductSize, StockLevel

# The example of hiboutik-api.md §4.2.
PRODUCT = {
    "product_id": 42,
    "product_model": "Shirt blue",
    "product_barcode": "2430000000424",
    "product_price": "62.00",
    "product_supply_price": "20.00",
    "product_vat": 1,
    "product_category": 3,
    "product_brand": 0,
    "product_supplier": 1,
    "product_size_type": 1,
    "product_stock_management": 1,
    "product_arch": 0,
    "product_display": 1,
    "product_display_www": 1,
    "products_ref_ext": "SKU-42",
    "products_desc": "Cotton",
    "updated_at": "2024-03-01 10:00:00",
    "product_size_details": [{"size_id": 2, "size_name": "M", "barcode": "2430020000427"}],
    "images": [{"url": "https://x/big_42-1.jpg", "width": 1000, "height": 1000}],
    "tags": [],
    "stock_available": [{"warehouse_id": 1, "stock_available": 15, "inventory_alert": 0}],
}


def test_product_json_is_typed():
    product = product_from_payload(PRODUCT)
    assert product.product_id == 42
    assert product.name == "Shirt blue"
    assert product.price == Decimal("62.00")
    assert product.supply_price == Decimal("20")
    assert product.tax_id == 1
    assert product.category_id == 3
    assert product.stock_managed is True
    assert product.archived is False
    assert product.display_www is True
    assert product.ref_ext == "SKU-42"
    assert product.description == "Cotton"
    assert product.updated_at == datetime(2024, 3, 1, 10, 0)
    assert product.sizes == (ProductSize(2, "M", "2430020000427"),)
    assert product.images == (ProductImage(url="https://x/big_42-1.jpg", width=1000, height=1000),)
    assert product.stock == (StockLevel(42, 0, 1, 15, 0),)


def test_product_as_strings_gives_the_same_values():
    as_strings = {
        key: str(value) if isinstance(value, int) else value for key, value in PRODUCT.items()
    }
    as_strings["product_price"] = "62"
    assert product_from_payload(as_strings) == product_from_payload(PRODUCT)


def test_product_without_price_or_id_is_refused():
    with pytest.raises(HiboutikPayloadError, match="product_price"):
        product_from_payload({"product_id": 1})
    with pytest.raises(HiboutikPayloadError, match="product_id"):
        product_from_payload({"product_price": "1.00"})
    with pytest.raises(HiboutikPayloadError, match="product object"):
        product_from_payload([PRODUCT])


def test_barcode_match_carries_the_size():
    match = product_match_from_payload(
        {"product_id": 42, "product_size": 2, "product_barcode": "2430020000427"}
    )
    assert (match.product_id, match.size_id, match.barcode) == (42, 2, "2430020000427")


def test_warehouse_stock_row():
    row = {"product_id": "7", "product_size": "0", "stock_available": "-3", "warehouse_id": "2"}
    assert stock_level_from_payload(row) == StockLevel(7, 0, 2, -3)


def test_create_payload_sends_only_what_is_set():
    payload = product_create_payload(
        NewProduct(name="Mug", price=Decimal("12.5"), tax_id=1, ref_ext="MUG-1")
    )
    assert payload == {
        "product_model": "Mug",
        "product_price": "12.5",
        "product_vat": "1",
        "product_stock_management": "1",
        "product_arch": "0",
        "products_ref_ext": "MUG-1",
    }
    full = product_create_payload(
        NewProduct(
            name="Mug",
            price=Decimal("12.50"),
            tax_id=2,
            barcode="123",
            supply_price=Decimal("4"),
            stock_managed=False,
            display_www=True,
            category_id=0,
        )
    )
    assert full["product_barcode"] == "123"
    assert full["product_supply_price"] == "4"
    assert full["product_stock_management"] == "0"
    assert full["product_display_www"] == "1"
    assert full["product_category"] == "0"


@pytest.mark.parametrize(
    ("product", "message"),
    [
        (NewProduct(name=" ", price=Decimal(1), tax_id=1), "name is empty"),
        (NewProduct(name="x", price=Decimal(-1), tax_id=1), "negative"),
        (NewProduct(name="x", price=Decimal(1), tax_id=1, ref_ext="A" * 21), "20 characters"),
    ],
)
def test_create_payload_refuses_what_hiboutik_would_mangle(product, message):
    with pytest.raises(HiboutikPayloadError, match=message):
        product_create_payload(product)
