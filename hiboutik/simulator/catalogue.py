"""Products: the writable fields, creation, one-attribute updates and the read shape of
hiboutik-api.md §4. Route handlers and the seeders share this so both obey the same rules."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.barcodes import internal_barcode
from hiboutik.simulator.errors import invalid
from hiboutik.simulator.money import fmt
from hiboutik.simulator.state import State

# Measured (hiboutik-api.md §4.4): the external reference is silently cut to 20 characters.
REF_EXT_LENGTH = 20

Parser = Callable[[Any], Any]


def _ref(table: str, label: str) -> Callable[[State], Parser]:
    """A reference to another catalogue table; 0 means none."""

    def bind(state: State) -> Parser:
        def parse(value: Any) -> int:
            row_id = f.parse_id_or_zero(value)
            if row_id and state.get(table, row_id) is None:
                raise f.FieldError(f"unknown {label} id {row_id}")
            return row_id

        return parse

    return bind


def _tax_ref(state: State) -> Parser:
    def parse(value: Any) -> int:
        tax_id = f.parse_int(value)
        if state.get("taxes", tax_id) is None:
            raise f.FieldError(f"unknown tax id {tax_id} (product_vat is a tax id, see /taxes)")
        return tax_id

    return parse


def _plain(parser: Parser) -> Callable[[State], Parser]:
    return lambda _state: parser


def _money_text(value: Any) -> str:
    return fmt(f.parse_money(value))


def _decimal_text(value: Any) -> str:
    return str(f.parse_decimal(value))


def _ref_ext(value: Any) -> str:
    return f.parse_text(value)[:REF_EXT_LENGTH]


def _model(value: Any) -> str:
    text = f.parse_required_text(value)
    if len(text) > 255:
        raise f.FieldError("must be at most 255 characters")
    return text


def _barcode(value: Any) -> str:
    text = f.parse_text(value)
    if len(text) > 64 or (text and not text.replace("-", "").isalnum()):
        raise f.FieldError("must be at most 64 letters or digits")
    return text


# Every writable product field and how its value is checked. Anything else is refused with
# a 422 naming the field, so a misspelt key (e.g. product_supplier_price for
# product_supply_price) is caught instead of silently ignored.
PRODUCT_FIELDS: dict[str, Callable[[State], Parser]] = {
    "product_model": _plain(_model),
    "product_barcode": _plain(_barcode),
    "product_brand": _ref("brands", "brand"),
    "product_supplier": _ref("suppliers", "supplier"),
    "product_category": _ref("categories", "category"),
    "product_size_type": _ref("size_types", "size type"),
    "product_vat": _tax_ref,
    "product_price": _plain(_money_text),
    "product_discount_price": _plain(_money_text),
    "product_supply_price": _plain(_money_text),
    "points_in": _plain(f.parse_id_or_zero),
    "points_out": _plain(f.parse_id_or_zero),
    "product_package": _plain(f.parse_flag),
    "product_stock_management": _plain(f.parse_flag),
    "product_display": _plain(f.parse_flag),
    "product_display_www": _plain(f.parse_flag),
    "product_arch": _plain(f.parse_flag),
    "product_supplier_reference": _plain(f.parse_text),
    "products_desc": _plain(f.parse_text),
    "products_ref_ext": _plain(_ref_ext),
    "multiple": _plain(f.parse_id_or_zero),
    "product_order": _plain(f.parse_int),
    "product_font_color": _plain(f.parse_text),
    "product_bck_btn_color": _plain(f.parse_text),
    "misc_int": _plain(f.parse_int),
    "misc_decimal": _plain(_decimal_text),
    "misc_date": _plain(f.parse_date),
    "misc_varchar": _plain(f.parse_text),
    "misc_varchar2": _plain(f.parse_text),
    "misc_text": _plain(f.parse_text),
    "accounting_account": _plain(f.parse_text),
    "storage_location": _plain(f.parse_text),
    "product_model_short": _plain(f.parse_text),
}

_DEFAULTS: dict[str, Any] = {
    "product_barcode": "",
    "product_brand": 0,
    "product_supplier": 0,
    "product_category": 0,
    "product_size_type": 0,
    "product_price": "0.00",
    "product_discount_price": "0.00",
    "product_supply_price": "0.00",
    "points_in": 0,
    "points_out": 0,
    "product_package": 0,
    "product_stock_management": 1,
    "product_display": 1,
    "product_display_www": 0,
    "product_arch": 0,
    "product_supplier_reference": "",
    "products_desc": "",
    "products_ref_ext": "",
    "multiple": 0,
    "product_order": 0,
    "product_font_color": "",
    "product_bck_btn_color": "",
    "misc_int": 0,
    "misc_decimal": "0",
    "misc_date": "0000-00-00",
    "misc_varchar": "",
    "misc_varchar2": "",
    "misc_text": "",
    "accounting_account": "",
    "storage_location": "",
    "product_model_short": "",
}


def default_tax_id(state: State) -> int:
    for tax in state.rows("taxes"):
        if tax["tax_default"]:
            return tax["tax_id"]
    return min(state.tables["taxes"], default=0)


def sizes_of_type(state: State, size_type_id: int) -> list[dict[str, Any]]:
    if not size_type_id:
        return []
    sizes = [s for s in state.tables["sizes"].values() if s["size_type_id"] == size_type_id]
    return sorted(sizes, key=lambda s: (s["size_position"], s["size_id"]))


def barcode_owner(state: State, barcode: str) -> tuple[int, int] | None:
    """(product_id, size_id) of the product or variant carrying ``barcode``."""
    for product in state.tables["products"].values():
        if product["product_barcode"] == barcode:
            return product["product_id"], 0
        for size_id, size_barcode in product["size_barcodes"].items():
            if size_barcode == barcode:
                return product["product_id"], int(size_id)
    return None


def _assign_size_barcodes(state: State, product: dict[str, Any]) -> None:
    """Each variant gets its own internal barcode, kept if it already had one."""
    current = product.get("size_barcodes", {})
    product["size_barcodes"] = {
        str(size["size_id"]): current.get(
            str(size["size_id"]), internal_barcode(product["product_id"], size["size_id"])
        )
        for size in sizes_of_type(state, product["product_size_type"])
    }


def create_product(state: State, data: Mapping[str, Any], now: str) -> dict[str, Any]:
    reader = f.FieldReader(data)
    reader.reject_unknown(PRODUCT_FIELDS.keys())
    values: dict[str, Any] = {}
    for name, bind in PRODUCT_FIELDS.items():
        values[name] = reader.get(
            name, bind(state), required=name == "product_model", default=_DEFAULTS.get(name)
        )
    if not reader.has("product_vat"):
        values["product_vat"] = default_tax_id(state)
    if values["product_barcode"] and barcode_owner(state, values["product_barcode"]):
        reader.fail("product_barcode", "this barcode is already used by another product")
    reader.check()
    product = state.insert("products", {**values, "tags": []}, "product_id")
    if not product["product_barcode"]:
        product["product_barcode"] = internal_barcode(product["product_id"])
    _assign_size_barcodes(state, product)
    product["created_at"] = product["updated_at"] = now
    state.catalogue_changed(product["product_id"])
    return product


def update_product(
    state: State, product: dict[str, Any], attribute: Any, new_value: Any, now: str
) -> None:
    """One attribute per call (hiboutik-api.md §4.5)."""
    if not isinstance(attribute, str) or attribute not in PRODUCT_FIELDS:
        raise invalid({"product_attribute": f"unknown product attribute {attribute!r}"})
    if new_value is None:
        raise invalid({"new_value": "is required"})
    try:
        value = PRODUCT_FIELDS[attribute](state)(new_value)
    except f.FieldError as exc:
        raise invalid({"new_value": f"{attribute} {exc}"}) from None
    if attribute == "product_model" and not value:
        raise invalid({"new_value": "product_model must not be empty"})
    if attribute == "product_barcode":
        owner = barcode_owner(state, value) if value else None
        if owner and owner[0] != product["product_id"]:
            raise invalid({"new_value": "this barcode is already used by another product"})
    product[attribute] = value
    if attribute == "product_size_type":
        _assign_size_barcodes(state, product)
    product["updated_at"] = now
    state.catalogue_changed(product["product_id"])


def stock_rows(state: State, product: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per warehouse and size, for products without stock management too: a real
    2025 webhook shows a row of 15 for such a product (hiboutik-api.md §14). The number means
    nothing then; readers filter by ``product_stock_management``."""
    size_ids = [int(s) for s in product["size_barcodes"]] or [0]
    return [
        {
            "warehouse_id": warehouse_id,
            "product_size": size_id,
            "stock_available": state.stock_of(warehouse_id, product["product_id"], size_id),
            "inventory_alert": 0,
        }
        for warehouse_id in sorted(state.tables["warehouses"])
        for size_id in size_ids
    ]


def image_views(state: State, product_id: int, base_url: str) -> list[dict[str, Any]]:
    images = [i for i in state.tables["images"].values() if i["product_id"] == product_id]
    return [image_view(image, base_url) for image in images]


def image_view(image: dict[str, Any], base_url: str) -> dict[str, Any]:
    return {
        "image_id": image["image_id"],
        "image_name": image["image_name"],
        "image_slot": image["image_slot"],
        "image_format": image["image_format"],
        "url": f"{base_url}/products_images/{image['image_name']}",
        "width": image["width"],
        "height": image["height"],
    }


def product_view(state: State, product: dict[str, Any], base_url: str) -> dict[str, Any]:
    """The JSON shape of ``GET /products/{id}`` (hiboutik-api.md §4.2)."""
    view = {name: product[name] for name in PRODUCT_FIELDS}
    view = {"product_id": product["product_id"], **view}
    view["updated_at"] = product["updated_at"]
    view["product_size_details"] = [
        {
            "size_id": size["size_id"],
            "size_name": size["size_name"],
            "barcode": product["size_barcodes"].get(str(size["size_id"]), ""),
        }
        for size in sizes_of_type(state, product["product_size_type"])
    ]
    view["product_specific_rules"] = []
    view["images"] = image_views(state, product["product_id"], base_url)
    view["tags"] = list(product["tags"])
    view["associated_products"] = []
    view["stock_available"] = stock_rows(state, product)
    return view


def barcode_of(product: dict[str, Any], size_id: int) -> str:
    if size_id:
        return product["size_barcodes"].get(str(size_id), "")
    return product["product_barcode"]


def product_price(product: dict[str, Any]) -> Decimal:
    return Decimal(product["product_price"])
