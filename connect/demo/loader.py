"""Loads the demo data. Idempotent: everything is keyed by a natural key (code, SKU, email,
external reference) and only what is missing is created, so a second run adds nothing and
never overwrites what an operator changed since. The point-of-sale sales are imported from
the demo Hiboutik integration; the web shop's orders were taken in Connect."""

import hashlib
from collections import Counter
from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.db import transaction
from django.utils import timezone

from connect.demo.catalogue import COUNTRY_BY_CITY, CUSTOMERS, PRODUCTS, REGION_BY_COUNTRY
from connect.demo.images import tile_png
from connect.demo.integration import demo_integration
from inventory.models import Product, StockItem, StockMovement, Warehouse
from inventory.services import product_create, product_image_add, stock_set
from sales.models import (
    Customer,
    CustomerGroup,
    Invoice,
    Order,
    OrderEvent,
    OrderPayment,
    PaymentMethod,
    Refund,
    Rma,
    RmaStatus,
    Shipment,
    ShippingMethod,
    Store,
)
from sales.services import (
    GuestSpec,
    LineSpec,
    PaymentSpec,
    RefundLineSpec,
    RmaLineSpec,
    customer_create,
    customer_get_by_email,
    order_cancel,
    order_create,
    order_import_complete,
    order_invoice,
    order_payment_add,
    order_ship,
    refund_create,
    rma_create,
)

EAN_PREFIX = "376012345"  # 376: a GS1 France prefix; the rest is a made-up company number.

WAREHOUSES = [("ENTREPOT", "Entrepôt central (Lyon)"), ("PARIS", "Réserve boutique Paris")]
STORES = [
    ("PARIS-MARAIS", "Boutique Paris Marais", "PARIS"),
    ("WEB", "Boutique en ligne", "ENTREPOT"),
]
GROUPS = [("general", "Particuliers"), ("pro", "Professionnels"), ("vip", "Clients fidèles")]
PAYMENT_METHODS = [
    ("cash", "Espèces"),
    ("card", "Carte bancaire"),
    ("cheque", "Chèque"),
    ("transfer", "Virement"),
    ("gift_card", "Carte cadeau"),
    ("credit_note", "Avoir"),
]
SHIPPING_METHODS = [
    ("pickup", "Retrait en magasin"),
    ("colissimo", "Colissimo"),
    ("chronopost", "Chronopost"),
    ("courier", "Coursier"),
]


def ean13(number: int) -> str:
    """A valid EAN-13 from the demo prefix and a 3-digit item number."""
    body = f"{EAN_PREFIX}{number:03d}"
    total = sum(int(digit) * (3 if index % 2 else 1) for index, digit in enumerate(body))
    return body + str((10 - total % 10) % 10)


def _stable(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:4], "big")


def _reference_data() -> dict:
    warehouses = {
        code: Warehouse.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in WAREHOUSES
    }
    stores = {
        code: Store.objects.get_or_create(
            code=code, defaults={"name": name, "default_warehouse": warehouses[warehouse]}
        )[0]
        for code, name, warehouse in STORES
    }
    groups = {
        code: CustomerGroup.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in GROUPS
    }
    payments = {
        code: PaymentMethod.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in PAYMENT_METHODS
    }
    shipping = {
        code: ShippingMethod.objects.get_or_create(code=code, defaults={"name": name})[0]
        for code, name in SHIPPING_METHODS
    }
    return {
        "warehouses": warehouses,
        "stores": stores,
        "groups": groups,
        "payments": payments,
        "shipping": shipping,
    }


def _products(warehouses: dict[str, Warehouse]) -> dict[str, Product]:
    products = {}
    for number, (sku, name, price_incl_tax, tax_rate) in enumerate(PRODUCTS, start=1):
        product = Product.objects.filter(sku=sku).first()
        if product is None:
            price = Decimal(price_incl_tax)
            margin = Decimal(45 + _stable(sku) % 15) / 100
            product = product_create(
                sku=sku,
                name=name,
                price_incl_tax=price,
                tax_rate=tax_rate,
                barcode=ean13(number),
                cost=(price / (1 + tax_rate / 100) * margin).quantize(
                    Decimal("0.01"), ROUND_HALF_UP
                ),
                description=f"{name}. Sélection de la maison.",
            )
        if not product.images.exists():
            product_image_add(
                product=product, content=tile_png(sku, name), filename=f"{sku.lower()}.png"
            )
        for code, warehouse in warehouses.items():
            # Initial stock only where the product has never had any: a re-run must not
            # undo the sales and edits made since.
            if not StockItem.objects.filter(product=product, warehouse=warehouse).exists():
                quantity = _stable(f"{sku}@{code}") % (40 if code == "ENTREPOT" else 12) + 3
                stock_set(
                    product=product,
                    warehouse=warehouse,
                    quantity=quantity,
                    reason=StockMovement.Reason.INITIAL,
                    note="Données de démonstration",
                )
        products[sku] = product
    return products


def _customers(groups: dict[str, CustomerGroup]) -> list:
    customers = []
    for row in CUSTOMERS:
        email = f"{row['first_name']}.{row['last_name']}@exemple.fr".lower()
        email = email.replace("é", "e").replace("è", "e").replace("ë", "e").replace("ï", "i")
        customer = customer_get_by_email(email)
        if customer is None:
            country = COUNTRY_BY_CITY.get(row["city"], "FR")
            group = (
                "pro" if row.get("company") else ("vip" if len(customers) % 5 == 0 else "general")
            )
            customer = customer_create(
                email=email,
                first_name=row["first_name"],
                last_name=row["last_name"],
                company=row.get("company", ""),
                phone=f"06 {_stable(email) % 100:02d} {_stable(email + 'b') % 100:02d} "
                f"{_stable(email + 'c') % 100:02d} {_stable(email + 'd') % 100:02d}",
                group=groups[group],
                address_line1=f"{_stable(email) % 90 + 1} rue de la République",
                postcode=row["postcode"],
                city=row["city"],
                region=REGION_BY_COUNTRY[country],
                country=country,
            )
            # Customers of the demo have been customers for a while, before any of its orders.
            since = timezone.now() - timedelta(days=60 + _stable(email) % 300)
            Customer.objects.filter(pk=customer.pk).update(created_at=since)
        customers.append(customer)
    return customers


def _lines(products: dict[str, Product], *items: tuple[str, int]) -> list[LineSpec]:
    # Shelf prices tax included, as a till rings them up.
    return [
        LineSpec(
            product=products[sku],
            quantity=quantity,
            unit_price_incl_tax=products[sku].price_incl_tax,
        )
        for sku, quantity in items
    ]


def _split(lines: list[LineSpec], methods: list[tuple[PaymentMethod, Decimal | None]]) -> list:
    """Payments covering the lines' total; the method with no amount pays the rest."""
    total = sum((line.unit_price_incl_tax * line.quantity for line in lines), Decimal("0"))
    fixed = sum((amount for _, amount in methods if amount is not None), Decimal("0"))
    return [
        PaymentSpec(method=method, amount=total - fixed if amount is None else amount)
        for method, amount in methods
    ]


def _orders(data: dict, products: dict[str, Product], customers: list) -> None:
    """A few orders in every state, each made once (keyed by its demo reference)."""
    now = timezone.now().replace(microsecond=0)
    paris, web = data["stores"]["PARIS-MARAIS"], data["stores"]["WEB"]
    pay, ship = data["payments"], data["shipping"]
    pos = demo_integration()

    def pos_sale(reference: str, days_ago: int, customer, payments, *items) -> Order:
        lines = _lines(products, *items)
        return order_import_complete(
            store=paris,
            lines=lines,
            payments=_split(lines, payments),
            customer=customer,
            guest=None if customer else GuestSpec(name="Client comptoir"),
            shipping_method=ship["pickup"],
            integration=pos,
            external_reference=reference,
            placed_at=now - timedelta(days=days_ago, hours=3),
            force_stock=True,
        )

    pos_sale(
        "POS-1001",
        6,
        None,
        [(pay["cash"], None)],
        ("EPI-CONF-FRAISE", 1),
        ("EPI-CHOCO-NOIR70", 2),
        ("PAP-CARTE-POSTALE", 2),
    )
    sale = pos_sale(
        "POS-1002",
        4,
        customers[0],
        [(pay["card"], Decimal("40.00")), (pay["cash"], None)],
        ("MAI-BOUGIE-FIGUIER", 2),
    )
    if not sale.rmas.exists():
        _exchange_return(sale, pos)
    for order in Order.objects.filter(store=paris, integration=pos):
        _backdate(order)
    if Order.objects.filter(store=web).exists():
        return  # the web orders below are made all at once, the first time

    def web_order(days_ago: int, customer, shipping, *items, then=()) -> None:
        with transaction.atomic():
            order = order_create(
                store=web,
                lines=_lines(products, *items),
                customer=customer,
                shipping_method=ship[shipping],
                shipping_amount=Decimal("0") if shipping == "pickup" else Decimal("6.90"),
                placed_at=now - timedelta(days=days_ago),
            )
            if cancel not in then:
                order_payment_add(order=order, method=pay["card"], amount=order.grand_total)
            for step in then:
                step(order)
            _backdate(order)

    def tracked(order: Order) -> None:
        order_ship(order=order, tracking_number=f"6A{_stable(order.number) % 10**11:011d}")

    def invoice(order: Order) -> None:
        order_invoice(order=order)

    def cancel(order: Order) -> None:
        order_cancel(order=order, reason="Annulée à la demande du client.")

    def ship_first_line(order: Order) -> None:
        first = order.lines.order_by("position").first()
        order_ship(order=order, quantities={first: first.quantity})

    def refund_all(order: Order) -> None:
        refund_create(order=order, amount=order.grand_total, note="Colis perdu, remboursé.")

    web_order(0, customers[1], "colissimo", ("EPI-HUILE-OLIVE", 1), ("EPI-SEL-GUERANDE", 2))
    web_order(1, customers[2], "chronopost", ("MAI-PLAID-LAINE", 1), then=[invoice])
    web_order(
        3,
        customers[3],
        "colissimo",
        ("LIB-CUISINE-BISTROT", 1),
        ("MAI-TABLIER-COTON", 1),
        then=[invoice, tracked],
    )
    web_order(5, customers[4], "colissimo", ("ACC-MARINIERE", 2), then=[cancel])
    web_order(
        2,
        customers[18],
        "courier",
        ("PAP-CARNET-A5", 5),
        ("PAP-STYLO-PLUME", 2),
        then=[invoice, ship_first_line],
    )
    web_order(
        9,
        customers[5],
        "pickup",
        ("BEA-EAU-COLOGNE", 1),
        then=[invoice, tracked, refund_all],
    )


# What an order's life writes, each row with the time it was written.
DOCUMENTS = (OrderEvent, OrderPayment, Invoice, Shipment, Rma, Refund)


def _backdate(order: Order) -> None:
    """The demo makes its orders today and says they were placed days ago: their payments,
    invoices, shipments, returns, refunds, history and stock movements take the order's date
    instead, a minute apart in the order they were written."""
    rows = sorted(
        (created_at, index, model, pk)
        for index, model in enumerate(DOCUMENTS)
        for pk, created_at in model.objects.filter(order=order).values_list("pk", "created_at")
    )
    movements = StockMovement.objects.filter(reference_label__endswith=f"({order.number})")
    rows += [
        (created_at, len(DOCUMENTS), StockMovement, pk)
        for pk, created_at in movements.values_list("pk", "created_at")
    ]
    now = timezone.now()
    for minutes, (_, _, model, pk) in enumerate(rows):
        when = min(order.placed_at + timedelta(minutes=minutes), now)
        model.objects.filter(pk=pk).update(created_at=when)


def _exchange_return(order: Order, integration) -> None:
    """The customer brings one candle back: it returns to stock and is refunded."""
    line = order.lines.get(sku="MAI-BOUGIE-FIGUIER")
    rma = rma_create(
        order=order,
        lines=[RmaLineSpec(order_line=line, quantity=1, back_to_stock=True)],
        status=RmaStatus.RECEIVED,
        reason="Parfum ne convient pas, article non entamé.",
        integration=integration,
        external_reference=f"RMA-{order.external_reference}",
    )
    refund_create(
        order=order,
        lines=[RefundLineSpec(order_line=line, quantity=1)],
        rma=rma,
        external_reference=f"RMA-{order.external_reference}",
    )


def load_demo() -> Counter:
    """Create whatever demo data is missing; returns the row counts afterwards."""
    data = _reference_data()
    products = _products(data["warehouses"])
    customers = _customers(data["groups"])
    _orders(data, products, customers)
    return Counter(
        {
            "warehouses": Warehouse.objects.count(),
            "stores": Store.objects.count(),
            "products": Product.objects.count(),
            "customers": Customer.objects.count(),
            "orders": Order.objects.count(),
            "returns": Rma.objects.count(),
        }
    )
