"""Product searches (hiboutik-api.md §4.1): by barcode (variant barcodes included), supplier
reference, name, tag, category, tax, and the filter form ``/products/search/?...``."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from operator import itemgetter
from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.catalogue import product_view
from hiboutik.simulator.context import Context
from hiboutik.simulator.errors import invalid
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import search_result, text_matches

# Text filters match as --search-match says; the others exactly.
_TEXT_FILTERS = frozenset(
    {"products_ref_ext", "product_model", "product_barcode", "product_supplier_reference"}
)
# The filters of the query-string search and how each value is read.
_FILTERS: dict[str, Callable[[Any], Any]] = {
    "products_ref_ext": f.parse_text,
    "product_model": f.parse_text,
    "product_barcode": f.parse_text,
    "product_category": f.parse_id_or_zero,
    "product_brand": f.parse_id_or_zero,
    "product_supplier": f.parse_id_or_zero,
    "product_arch": f.parse_flag,
    "product_supplier_reference": f.parse_text,
    "product_display_www": f.parse_flag,
}
_ORDERABLE = ("product_id", "product_model", "product_price", "products_ref_ext", "updated_at")


def register(router: Router) -> None:
    router.add("GET", "/products/search/barcode/{barcode}", by_barcode)
    router.add("GET", "/products/search/supplier_reference/{reference}", by_supplier_reference)
    router.add("GET", "/products/search/name/{text}", by_name)
    router.add("GET", "/products/search/tags/{tag_id:int}", by_tag)
    router.add("GET", "/products/search/category/{category_id:int}", by_category)
    router.add("GET", "/products/search/tax/{tax_id:int}", by_tax)
    router.add("GET", "/products/search", by_filters)


def _found(ctx: Context, products: list[dict[str, Any]]) -> Response:
    return search_result(ctx, products, lambda p: product_view(ctx.state, p, ctx.base_url))


def by_barcode(ctx: Context, barcode: str) -> Response:
    """Each hit carries ``product_size``: 0 for the product barcode, the size id for a
    variant's barcode (what WOO and PS read to map a SKU to a variant)."""
    hits: list[tuple[dict[str, Any], int]] = []
    for product in ctx.state.rows("products"):
        if product["product_barcode"] and text_matches(ctx, product["product_barcode"], barcode):
            hits.append((product, 0))
        for size_id, size_barcode in product["size_barcodes"].items():
            if text_matches(ctx, size_barcode, barcode):
                hits.append((product, int(size_id)))
    return search_result(
        ctx,
        hits,
        lambda hit: {**product_view(ctx.state, hit[0], ctx.base_url), "product_size": hit[1]},
    )


def by_supplier_reference(ctx: Context, reference: str) -> Response:
    products = [
        p
        for p in ctx.state.rows("products")
        if p["product_supplier_reference"]
        and text_matches(ctx, p["product_supplier_reference"], reference)
    ]
    return _found(ctx, products)


def by_name(ctx: Context, text: str) -> Response:
    needle = text.strip().lower()
    if not needle:
        raise invalid({"text": "give some text to search for"})
    products = [p for p in ctx.state.rows("products") if needle in p["product_model"].lower()]
    return _found(ctx, products)


def by_tag(ctx: Context, tag_id: int) -> Response:
    products = [
        p for p in ctx.state.rows("products") if any(t["tag_id"] == tag_id for t in p["tags"])
    ]
    return _found(ctx, products)


def by_category(ctx: Context, category_id: int) -> Response:
    products = [p for p in ctx.state.rows("products") if p["product_category"] == category_id]
    return _found(ctx, products)


def by_tax(ctx: Context, tax_id: int) -> Response:
    products = [p for p in ctx.state.rows("products") if p["product_vat"] == tax_id]
    return _found(ctx, products)


def by_filters(ctx: Context) -> Response:
    """Products matching every given filter (text ones as ``--search-match`` says), optionally
    ordered with ``order_by`` / ``sort``."""
    query = {k: v for k, v in ctx.query.items() if k != "p"}
    reader = f.FieldReader(query)
    reader.reject_unknown(set(_FILTERS) | {"order_by", "sort"}, body=False)
    wanted = {name: reader.get(name, parser) for name, parser in _FILTERS.items() if name in query}
    order_by = query.get("order_by", "product_id")
    if order_by not in _ORDERABLE:
        reader.fail("order_by", f"must be one of {', '.join(_ORDERABLE)}")
    sort = query.get("sort", "asc").lower()
    if sort not in ("asc", "desc"):
        reader.fail("sort", "must be asc or desc")
    if not wanted and not reader.errors:
        reader.fail("products_ref_ext", "give at least one search filter")
    reader.check()
    products = [
        p
        for p in ctx.state.rows("products")
        if all(
            text_matches(ctx, p[name], value) if name in _TEXT_FILTERS else p[name] == value
            for name, value in wanted.items()
        )
    ]
    key = (lambda p: Decimal(p[order_by])) if order_by == "product_price" else itemgetter(order_by)
    products.sort(key=key, reverse=sort == "desc")
    return _found(ctx, products)
