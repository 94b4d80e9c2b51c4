"""Small builders for catalogue and stock test data (through the services where they exist)."""

from decimal import Decimal
from itertools import count

from inventory.models import Product, Warehouse
from inventory.services import product_create, stock_set

_serial = count(1)


def make_warehouse(code: str | None = None, name: str = "") -> Warehouse:
    code = code or f"WH{next(_serial)}"
    return Warehouse.objects.create(code=code, name=name or f"Dépôt {code}")


def make_product(
    sku: str | None = None,
    *,
    price: str = "10.00",
    tax_rate: str = "20",
    stock: dict[Warehouse, int] | None = None,
    **fields,
) -> Product:
    sku = sku or f"SKU-{next(_serial):04d}"
    product = product_create(
        sku=sku,
        name=fields.pop("name", f"Produit {sku}"),
        price=Decimal(price),
        tax_rate=Decimal(tax_rate),
        **fields,
    )
    for warehouse, quantity in (stock or {}).items():
        stock_set(product=product, warehouse=warehouse, quantity=quantity, reason="initial")
    return product
