"""Starting data: a fresh Hiboutik account ("empty") or the demo account ("demo"), plus bulk
products for load and fault tests. Deterministic, so two runs with the same seed agree."""

from __future__ import annotations

from typing import Any

from hiboutik.simulator.catalogue import create_product
from hiboutik.simulator.clock import DEFAULT_TIME_ZONE
from hiboutik.simulator.fiscal import MIDNIGHT
from hiboutik.simulator.state import State

# hiboutik-api.md §6: the default French taxes, ids 1..5.
FRENCH_TAXES = (
    ("0.20000", "Taux normal 20%", 1),
    ("0.10000", "Taux intermédiaire 10%", 0),
    ("0.05500", "Taux réduit 5,5%", 0),
    ("0.02100", "Taux particulier 2,1%", 0),
    ("0.00000", "Exonéré 0%", 0),
)
# hiboutik-api.md §9.3: a new account comes with cash, card and cheque.
DEFAULT_PAYMENT_TYPES = (("ESP", "Espèces"), ("CB", "Carte bancaire"), ("CHE", "Chèque"))


def build_state(seed: str | None, now: str) -> State:
    state = State()
    _add_taxes(state)
    if seed == "demo":
        _add_demo(state, now)
    else:
        _add_store(state, "Boutique", "Stock boutique", "1 rue de la Paix", "75002", "Paris")
    return state


def _add_taxes(state: State) -> None:
    for position, (value, name, default) in enumerate(FRENCH_TAXES, start=1):
        row = {
            "tax_value": value,
            "tax_name": name,
            "tax_enabled": 1,
            "tax_default": default,
            "tax_position": position,
        }
        state.insert("taxes", row, "tax_id")


def _add_store(
    state: State,
    name: str,
    warehouse_name: str,
    street: str,
    zip_code: str,
    city: str,
    *,
    country: str = "FR",
    time_zone: str = DEFAULT_TIME_ZONE,
    day_start: str = MIDNIGHT,
) -> dict[str, Any]:
    warehouse = state.insert(
        "warehouses", {"warehouse_name": warehouse_name, "warehouse_enabled": 1}, "warehouse_id"
    )
    store = state.insert(
        "stores",
        {
            "store_name": name,
            "store_enabled": 1,
            "warehouse_id": warehouse["warehouse_id"],
            "store_default_currency": "EUR",
            "store_time_zone": time_zone,
            "store_day_start": day_start,
            "store_default_payment_method": "ESP",
            "store_address": {
                "company": f"Connect Demo {city}",
                "address": street,
                "zippostal_code": zip_code,
                "city": city,
                "country": country,
                "tax_number": "FR00123456789",
                "company_number": "12345678900012",
                "legal_status": "SAS",
                "code_naf": "4771Z",
                "email": f"{city.lower().replace(' ', '-')}@connect.test",
                "phone": "0100000000",
                "iban": "",
            },
        },
        "store_id",
    )
    state.payment_types[store["store_id"]] = [
        {
            "payment_type": code,
            "payment_type_label": label,
            "enabled": 1,
            "currency": "EUR",
            "accounting_account": "",
            "store_id": store["store_id"],
        }
        for code, label in DEFAULT_PAYMENT_TYPES
    ]
    return store


def _add_demo(state: State, now: str) -> None:
    _add_store(state, "Boutique Paris", "Entrepôt Paris", "12 rue de Rivoli", "75004", "Paris")
    # A real webhook comes from a Réunion store (hiboutik-api.md §14): four hours ahead of
    # Paris, and here with a fiscal day starting at 04:00, so a sale closed at 02:00 belongs
    # to the day before.
    _add_store(
        state,
        "Boutique Saint-Denis",
        "Entrepôt Saint-Denis",
        "2 rue de Paris",
        "97400",
        "Saint-Denis",
        country="REU",
        time_zone="Indian/Reunion",
        day_start="04:00",
    )
    for position, name in enumerate(("Vêtements", "Chaussures", "Accessoires"), start=1):
        state.insert(
            "categories",
            {
                "category_name": name,
                "category_id_parent": 0,
                "category_position": position,
                "category_enabled": 1,
                "category_enabled_www": 1,
            },
            "category_id",
        )
    for position, name in enumerate(("Maison Connect", "Atelier Nord"), start=1):
        state.insert(
            "brands",
            {
                "brand_name": name,
                "brand_enabled": 1,
                "brand_position": position,
                "brand_enabled_www": 1,
            },
            "brand_id",
        )
    state.insert(
        "suppliers",
        {"supplier_name": "Textiles du Nord", "supplier_enabled": 1, "supplier_ref_ext": "TDN"},
        "supplier_id",
    )
    for name, sizes in (
        ("Tailles vêtements", ("S", "M", "L", "XL")),
        ("Pointures", ("39", "40", "41", "42")),
    ):
        size_type = state.insert(
            "size_types", {"size_type_name": name, "size_type_enabled": 1}, "size_type_id"
        )
        for position, size_name in enumerate(sizes, start=1):
            state.insert(
                "sizes",
                {
                    "size_type_id": size_type["size_type_id"],
                    "size_name": size_name,
                    "size_enabled": 1,
                    "size_position": position,
                },
                "size_id",
            )
    _add_demo_products(state, now)
    _add_demo_customers(state, now)


# (model, price TTC, supply price, tax id, category, brand, size type, ref_ext, stock per size)
_DEMO_PRODUCTS = (
    ("T-shirt coton bio", "25.00", "8.00", 1, 1, 1, 1, "TSHIRT-BIO", 12),
    ("Chemise lin", "59.90", "21.50", 1, 1, 2, 1, "CHEMISE-LIN", 5),
    ("Baskets toile", "79.00", "30.00", 1, 2, 1, 2, "BASKETS-TOILE", 4),
    ("Casquette", "19.50", "6.00", 1, 3, 2, 0, "CASQUETTE", 20),
    ("Tote bag", "12.00", "3.20", 1, 3, 1, 0, "TOTE-BAG", 35),
    ("Livre de recettes", "24.00", "12.00", 3, 3, 0, 0, "LIVRE-RECETTES", 8),
    ("Carte cadeau", "50.00", "0.00", 5, 3, 0, 0, "CARTE-CADEAU", 15),
)
# Without stock management, yet with a stock figure left over, as in a real 2025 webhook
# (hiboutik-api.md §14): readers must go by the flag, not by the rows.
_UNMANAGED = {"CARTE-CADEAU"}


def _add_demo_products(state: State, now: str) -> None:
    for model, price, supply, tax, category, brand, size_type, ref, stock in _DEMO_PRODUCTS:
        product = create_product(
            state,
            {
                "product_model": model,
                "product_price": price,
                "product_supply_price": supply,
                "product_vat": tax,
                "product_category": category,
                "product_brand": brand,
                "product_supplier": 1 if category == 1 else 0,
                "product_size_type": size_type,
                "products_ref_ext": ref,
                "product_stock_management": 0 if ref in _UNMANAGED else 1,
                "product_display_www": 1,
            },
            now,
        )
        size_ids = [int(s) for s in product["size_barcodes"]] or [0]
        for warehouse_id in sorted(state.tables["warehouses"]):
            for size_id in size_ids:
                state.move_stock(warehouse_id, product["product_id"], size_id, stock)


_DEMO_CUSTOMERS = (
    ("Camille", "Martin", "camille.martin@example.com", "0612345678", "FR"),
    ("Lucas", "Bernard", "lucas.bernard@example.com", "0623456789", "FR"),
    ("Emma", "Schmidt", "emma.schmidt@example.com", "+4915112345678", "DEU"),
)


def _add_demo_customers(state: State, now: str) -> None:
    from hiboutik.simulator.customers import create_customer

    for first, last, email, phone, country in _DEMO_CUSTOMERS:
        create_customer(
            state,
            {
                "customers_first_name": first,
                "customers_last_name": last,
                "customers_email": email,
                "customers_phone_number": phone,
                "customers_country": country,
            },
            now,
        )


def add_bulk_products(state: State, count: int, now: str) -> list[int]:
    """``count`` simple stock-managed products with 10 units in every warehouse; used by load
    and fault tests, so it bypasses the API (and its quota)."""
    if count < 0:
        raise ValueError("count must be >= 0")
    created = []
    start = state.sequences.get("products", 0)
    for n in range(start + 1, start + count + 1):
        product = create_product(
            state,
            {
                "product_model": f"Article {n:06d}",
                "product_price": f"{5 + n % 95}.{n % 100:02d}",
                "product_supply_price": f"{2 + n % 40}.00",
                "products_ref_ext": f"BULK-{n:06d}",
            },
            now,
        )
        for warehouse_id in state.tables["warehouses"]:
            state.move_stock(warehouse_id, product["product_id"], 0, 10)
        created.append(product["product_id"])
    return created
