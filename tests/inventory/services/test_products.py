from decimal import Decimal
from io import BytesIO

import pytest
from PIL import Image

from inventory.exceptions import DuplicateSku, InvalidImage, InvalidProduct
from inventory.models import Product, ProductImage
from inventory.services import product_create, product_image_add, product_update

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def png(colour: str = "red") -> bytes:
    buffer = BytesIO()
    Image.new("RGB", (8, 8), colour).save(buffer, "PNG")
    return buffer.getvalue()


def test_create_from_tax_included_price_keeps_four_decimals():
    product = product_create(
        sku=" JUS-ORANGE ", name="Jus d'orange", price_incl_tax="2.99", tax_rate="5.5"
    )
    assert product.sku == "JUS-ORANGE"
    assert product.price == Decimal("2.8341")
    assert product.price_incl_tax == Decimal("2.99")


def test_create_needs_exactly_one_price():
    with pytest.raises(InvalidProduct):
        product_create(sku="A", name="A")
    with pytest.raises(InvalidProduct):
        product_create(sku="A", name="A", price="1", price_incl_tax="1.2")


@pytest.mark.parametrize(
    "fields",
    [
        {"price": "-1"},
        {"price": "abc"},
        {"price": "1", "tax_rate": "101"},
        {"price": "1", "name": "  "},
        {"price": "1", "cost": "-0.01"},
    ],
)
def test_create_rejects_bad_values(fields):
    values = {"sku": "X1", "name": "Produit", **fields}
    with pytest.raises(InvalidProduct):
        product_create(**values)
    assert not Product.objects.exists()


def test_duplicate_sku_is_a_clear_error():
    product_create(sku="A", name="A", price="1")
    with pytest.raises(DuplicateSku, match="A"):
        product_create(sku="A", name="B", price="2")


def test_update_saves_only_real_changes():
    product = product_create(sku="A", name="A", price="1")
    stamp = product.updated_at
    assert product_update(product=product, name="A", price="1.0000") == []
    product.refresh_from_db()
    assert product.updated_at == stamp
    assert product_update(product=product, price="2.5", barcode=" 3700000000001 ") == [
        "price",
        "barcode",
    ]
    product.refresh_from_db()
    assert (product.price, product.barcode) == (Decimal("2.5"), "3700000000001")
    assert product.updated_at > stamp


def test_update_rejects_unknown_fields():
    product = product_create(sku="A", name="A", price="1")
    with pytest.raises(InvalidProduct, match="sku"):
        product_update(product=product, sku="B")


def test_image_add_deduplicates_by_content_hash():
    product = product_create(sku="A", name="A", price="1")
    first = product_image_add(product=product, content=png("red"), filename="photo.png")
    again = product_image_add(product=product, content=png("red"), filename="other.png")
    second = product_image_add(product=product, content=png("blue"))
    assert again.pk == first.pk
    assert [first.position, second.position] == [0, 1]
    assert ProductImage.objects.filter(product=product).count() == 2
    assert len(first.content_hash) == 64
    assert first.file.read() == png("red")


def test_image_add_rejects_non_images():
    product = product_create(sku="A", name="A", price="1")
    with pytest.raises(InvalidImage):
        product_image_add(product=product, content=b"not an image")
    with pytest.raises(InvalidImage):
        product_image_add(product=product, content=b"")
    assert not ProductImage.objects.exists()
