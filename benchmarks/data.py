"""Data the database benchmarks start from, made through the domain services as production
makes it: a warehouse and a store, payment and shipping methods, products with stock, imported
(invoiced and shipped) orders."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.utils import timezone

from benchmarks.checks import check
from integrations.models import Integration
from inventory.models import Product, Warehouse
from inventory.services import product_create, stock_set
from sales.models import Customer, Order, OrderStatus, PaymentMethod, ShippingMethod, Store
from sales.services import LineSpec, PaymentSpec, order_create, order_import_complete

SOURCE = "benchmark"


@dataclass(frozen=True)
class Shop:
    warehouse: Warehouse
    store: Store
    payment: PaymentMethod
    shipping: ShippingMethod
    integration: Integration  # where its imported sales come from


def make_shop(code: str = "BENCH") -> Shop:
    warehouse = Warehouse.objects.create(code=code, name=f"Dépôt {code}")
    store = Store.objects.create(code=code, name=f"Boutique {code}", default_warehouse=warehouse)
    payment = PaymentMethod.objects.get_or_create(code="CB", defaults={"name": "Carte bancaire"})[0]
    shipping = ShippingMethod.objects.get_or_create(
        code="PICKUP", defaults={"name": "Retrait en magasin"}
    )[0]
    integration = Integration.objects.get_or_create(name=SOURCE, defaults={"type": SOURCE})[0]
    return Shop(
        warehouse=warehouse,
        store=store,
        payment=payment,
        shipping=shipping,
        integration=integration,
    )


def make_products(
    count: int, *, prefix: str, warehouse: Warehouse | None = None, stock: int = 0
) -> list[Product]:
    """``count`` products ``<prefix>-00001``…, with ``stock`` units in ``warehouse``."""
    products = []
    for number in range(1, count + 1):
        product = product_create(
            sku=f"{prefix}-{number:05d}",
            name=f"Article {prefix} {number}",
            price=Decimal(5 + number % 50) + Decimal("0.90"),
            barcode=f"{number:013d}",
        )
        if warehouse is not None and stock:
            stock_set(product=product, warehouse=warehouse, quantity=stock)
        products.append(product)
    return products


def import_order(
    shop: Shop,
    products: list[Product],
    reference: str,
    *,
    quantity: int = 1,
    force_stock: bool = False,
    customer: Customer | None = None,
) -> Order:
    """A closed POS sale of one line per product, imported as Connect does it: lines named by
    SKU, paid in full, store pickup."""
    lines = [LineSpec(sku=product.sku, quantity=quantity) for product in products]
    total = sum((product.price_incl_tax * quantity for product in products), Decimal("0"))
    order = order_import_complete(
        store=shop.store,
        lines=lines,
        payments=[PaymentSpec(method=shop.payment, amount=total)],
        shipping_method=shop.shipping,
        integration=shop.integration,
        external_reference=reference,
        placed_at=timezone.now(),
        force_stock=force_stock,
        customer=customer,
    )
    return order


def place_order(shop: Shop, products: list[Product], *, customer: Customer | None = None) -> Order:
    """A new order of one unit per product, its stock reserved, not yet paid."""
    return order_create(
        store=shop.store,
        lines=[LineSpec(product=product, quantity=1) for product in products],
        customer=customer,
        shipping_method=shop.shipping,
    )


def check_imported(order: Order, lines: int) -> None:
    check(order.status == OrderStatus.COMPLETE, f"{order.number} is {order.status}, not complete")
    check(order.lines.count() == lines, f"{order.number} has not {lines} lines")
