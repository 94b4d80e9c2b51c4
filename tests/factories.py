"""Small helpers that build test data: users with a role, catalogue, stock, orders and returns.

Stock changes go through the inventory services so tests see the same movements production does.
"""

import itertools
from decimal import Decimal
from io import BytesIO

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from PIL import Image

from connect.roles import ADMIN, OPS
from integrations.models import Integration
from inventory.models import Warehouse
from inventory.services import product_create, product_image_add, stock_set
from sales.models import PaymentMethod, ShippingMethod, Store
from sales.services import (
    LineSpec,
    RefundLineSpec,
    RmaLineSpec,
    customer_create,
    order_create,
    order_invoice,
    order_payment_add,
    order_ship,
    refund_create,
    rma_create,
)

PASSWORD = "pw-12345"
_sequence = itertools.count(1)


def _next() -> int:
    return next(_sequence)


def make_user(
    role: str | None = None, *, username: str | None = None, password: str = PASSWORD, **extra
):
    """A user in the `role` group (ops, admin) or in none."""
    user = get_user_model().objects.create_user(
        username=username or f"user{_next()}", password=password, **extra
    )
    if role:
        user.groups.add(Group.objects.get(name=role))
    return user


def make_ops(**kwargs):
    return make_user(OPS, **kwargs)


def make_admin(**kwargs):
    return make_user(ADMIN, **kwargs)


def grant(user, *permissions: str):
    """Give `user` the permissions "app_label.codename" directly (no group)."""
    for name in permissions:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return type(user).objects.get(pk=user.pk)  # fresh instance: permissions are cached


def money(value: str) -> Decimal:
    return Decimal(value)


# --- Catalogue and stock ----------------------------------------------------------------------


def make_warehouse(code: str | None = None, *, name: str | None = None, active: bool = True):

    number = _next()
    code = code or f"WH{number}"
    return Warehouse.objects.create(code=code, name=name or f"Dépôt {code}", active=active)


def make_product(sku: str | None = None, *, name: str | None = None, **fields):

    sku = sku or f"SKU-{_next():04d}"
    fields.setdefault("price", Decimal("10.00"))
    return product_create(sku=sku, name=name or f"Produit {sku}", **fields)


def set_stock(product, warehouse, quantity: int, *, user=None):

    return stock_set(product=product, warehouse=warehouse, quantity=quantity, user=user)


def add_image(product, *, color: str = "red"):
    """Attach a small real PNG (its colour makes the content, hence the hash, differ)."""

    buffer = BytesIO()
    Image.new("RGB", (8, 8), color).save(buffer, format="PNG")
    return product_image_add(product=product, content=buffer.getvalue(), filename="image.png")


# --- Sales --------------------------------------------------------------------------------------


def make_store(code: str | None = None, *, name: str | None = None, warehouse=None):

    code = code or f"ST{_next()}"
    return Store.objects.create(
        code=code, name=name or f"Boutique {code}", default_warehouse=warehouse or make_warehouse()
    )


def make_customer(**fields):

    number = _next()
    fields.setdefault("email", f"client{number}@example.fr")
    fields.setdefault("first_name", "Claire")
    fields.setdefault("last_name", f"Martin{number}")
    return customer_create(**fields)


def make_payment_method(code: str = "CB", name: str = "Carte bancaire"):

    return PaymentMethod.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_shipping_method(code: str = "PICKUP", name: str = "Retrait en magasin"):

    return ShippingMethod.objects.get_or_create(code=code, defaults={"name": name})[0]


def make_order(
    store=None,
    *,
    products=None,
    quantity: int = 1,
    customer=None,
    paid: bool = True,
    stock: int = 100,
    **fields,
):
    """An open order with one line per product (stock is put in the warehouse first)."""

    store = store or make_store()
    products = products if products is not None else [make_product()]
    for product in products:
        set_stock(product, store.default_warehouse, stock)
    lines = [LineSpec(product=product, quantity=quantity) for product in products]
    order = order_create(store=store, lines=lines, customer=customer, **fields)
    if paid:
        order_payment_add(order=order, method=make_payment_method(), amount=order.grand_total)
    order.refresh_from_db()
    return order


def make_completed_order(store=None, **kwargs):
    """An order invoiced and shipped, ready for returns and refunds."""

    order = make_order(store, **kwargs)
    order_invoice(order=order)
    order_ship(order=order)
    order.refresh_from_db()
    return order


def make_rma(order, *, back_to_stock: bool = True, refund: bool = False, **fields):
    """A return of every shipped line of `order`, optionally refunded."""

    lines = list(order.lines.all())
    rma = rma_create(
        order=order,
        lines=[
            RmaLineSpec(order_line=line, quantity=line.qty_shipped, back_to_stock=back_to_stock)
            for line in lines
        ],
        **fields,
    )
    if refund:
        refund_create(
            order=order,
            rma=rma,
            lines=[RefundLineSpec(order_line=line, quantity=line.qty_shipped) for line in lines],
        )
    return rma


def make_source(name: str = "hiboutik") -> Integration:
    """The integration orders and returns are imported from (a bare row, no configuration)."""
    integration, _ = Integration.objects.get_or_create(name=name, defaults={"type": name})
    return integration
