"""Products, their sizes, images and stock rows."""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from hiboutik.errors import HiboutikPayloadError
from hiboutik.mappers.values import (
    as_list,
    flag_of,
    form_value,
    int_or_zero,
    list_of,
    optional,
    optional_decimal,
    optional_int,
    parse_datetime,
    require_decimal,
    require_int,
    require_mapping,
    text,
    text_of,
)
from hiboutik.types import (
    PRODUCT_REF_EXT_MAX_LENGTH,
    NewProduct,
    Product,
    ProductImage,
    ProductMatch,
    ProductSize,
    StockLevel,
)


def product_from_payload(payload: Any) -> Product:
    row = require_mapping(payload, what="product")
    product_id = require_int(row, "product_id")
    return Product(
        product_id=product_id,
        name=text_of(row, "product_model"),
        price=require_decimal(row, "product_price"),
        tax_id=int_or_zero(row, "product_vat"),
        barcode=text_of(row, "product_barcode"),
        supply_price=optional_decimal(row, "product_supply_price"),
        discount_price=optional_decimal(row, "product_discount_price"),
        ref_ext=text_of(row, "products_ref_ext"),
        # The product object says products_desc; sale lines and webhooks say product_desc.
        description=text_of(row, "products_desc", "product_desc"),
        category_id=int_or_zero(row, "product_category"),
        brand_id=int_or_zero(row, "product_brand"),
        supplier_id=int_or_zero(row, "product_supplier"),
        size_type_id=int_or_zero(row, "product_size_type"),
        stock_managed=flag_of(row, "product_stock_management"),
        archived=flag_of(row, "product_arch"),
        display=flag_of(row, "product_display", default=True),
        display_www=flag_of(row, "product_display_www"),
        supplier_reference=text_of(row, "product_supplier_reference"),
        updated_at=parse_datetime(row.get("updated_at"), field="updated_at"),
        sizes=list_of(row, "product_size_details", product_size_from_payload),
        images=list_of(row, "images", product_image_from_payload),
        stock=list_of(
            row, "stock_available", partial(stock_level_from_payload, product_id=product_id)
        ),
    )


def product_size_from_payload(payload: Any) -> ProductSize:
    row = require_mapping(payload, what="product size")
    return ProductSize(
        size_id=require_int(row, "size_id", "product_size"),
        name=text_of(row, "size_name"),
        barcode=text_of(row, "barcode", "product_barcode"),
    )


def product_image_from_payload(payload: Any) -> ProductImage:
    row = require_mapping(payload, what="product image")
    return ProductImage(
        url=text_of(row, "url", "image_url"),
        image_id=optional_int(row, "image_id"),
        image_name=text_of(row, "image_name"),
        width=optional_int(row, "width"),
        height=optional_int(row, "height"),
    )


def product_match_from_payload(payload: Any) -> ProductMatch:
    """A barcode search hit. For a size's barcode the hit names the size (``product_size``)
    and its barcode is the size's one, from ``product_size_details``, not the product's."""
    row = require_mapping(payload, what="product search result")
    size_id = int_or_zero(row, "product_size")
    barcode = text(optional(row, "product_barcode", "barcode"))
    if size_id:
        sizes = as_list(row.get("product_size_details"), field="product_size_details")
        barcode = next(
            (
                size.barcode
                for size in map(product_size_from_payload, sizes)
                if size.size_id == size_id
            ),
            barcode,
        )
    return ProductMatch(
        product_id=require_int(row, "product_id"),
        size_id=size_id,
        barcode=barcode,
        name=text(optional(row, "product_model")),
        ref_ext=text(optional(row, "products_ref_ext")),
    )


def stock_level_from_payload(payload: Any, *, product_id: int | None = None) -> StockLevel:
    """A stock row; ``product_id`` fills in rows nested in a product, which omit it."""
    row = require_mapping(payload, what="stock row")
    if product_id is None:
        product_id = require_int(row, "product_id")
    return StockLevel(
        product_id=product_id,
        size_id=int_or_zero(row, "product_size"),
        warehouse_id=optional_int(row, "warehouse_id", "stock_id"),
        quantity=require_int(row, "stock_available"),
        inventory_alert=int_or_zero(row, "inventory_alert"),
        barcode=text_of(row, "product_barcode"),
    )


def product_create_payload(product: NewProduct) -> dict[str, str]:
    """Form fields for ``POST /products/``. Fails on what Hiboutik would accept and then
    mangle: an empty name, a negative price, a ``ref_ext`` it would cut to 20 characters."""
    if not product.name.strip():
        raise HiboutikPayloadError("product name is empty")
    if product.price < 0:
        raise HiboutikPayloadError(f"product price is negative: {product.price}")
    if len(product.ref_ext) > PRODUCT_REF_EXT_MAX_LENGTH:
        raise HiboutikPayloadError(
            f"products_ref_ext {product.ref_ext!r} is longer than "
            f"{PRODUCT_REF_EXT_MAX_LENGTH} characters; Hiboutik would cut it"
        )
    fields: dict[str, Any] = {
        "product_model": product.name,
        "product_price": product.price,
        "product_vat": product.tax_id,
        "product_stock_management": product.stock_managed,
        "product_arch": product.archived,
    }
    optional_fields = {
        "products_ref_ext": product.ref_ext or None,
        "product_barcode": product.barcode or None,
        "product_supply_price": product.supply_price,
        "product_display_www": product.display_www,
        "product_category": product.category_id,
        "product_brand": product.brand_id,
        "product_supplier": product.supplier_id,
        "product_size_type": product.size_type_id,
        "products_desc": product.description or None,
    }
    fields.update({key: value for key, value in optional_fields.items() if value is not None})
    return {key: form_value(value) for key, value in fields.items()}


# What a create sends and how the product reads it back: (product attribute, the field of the
# same name on NewProduct and Product). Fields left unset (None, "") are not compared.
_CONFIRMED_FIELDS = (
    ("product_model", "name"),
    ("product_price", "price"),
    ("product_vat", "tax_id"),
    ("product_stock_management", "stock_managed"),
    ("product_arch", "archived"),
    ("products_ref_ext", "ref_ext"),
    ("product_barcode", "barcode"),
    ("product_supply_price", "supply_price"),
    ("product_display_www", "display_www"),
    ("product_category", "category_id"),
    ("product_brand", "brand_id"),
    ("product_supplier", "supplier_id"),
    ("product_size_type", "size_type_id"),
    ("products_desc", "description"),
)


@dataclass(frozen=True)
class FieldDifference:
    attribute: str  # the product_attribute of a one-attribute update
    field: str  # the same field on Product and NewProduct
    value: Any  # what was sent


def product_differences(stored: Product, sent: NewProduct) -> list[FieldDifference]:
    """The fields of ``sent`` that ``stored`` (the product read back after its creation) does
    not hold. Hiboutik may drop a create field it does not take without a word
    (``--unknown-fields ignored``), so only a read-back tells."""
    differences = []
    for attribute, field in _CONFIRMED_FIELDS:
        value = getattr(sent, field)
        if value is None or value == "":
            continue
        if value != getattr(stored, field):
            differences.append(FieldDifference(attribute, field, value))
    return differences
