"""Stock reads (hiboutik-api.md §7.1). Every product has rows, those without stock
management too (a real webhook shows one, hiboutik-api.md §14): their numbers mean nothing and
readers filter by the product's ``product_stock_management``."""

from __future__ import annotations

from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.catalogue import barcode_of
from hiboutik.simulator.context import Context
from hiboutik.simulator.errors import not_found
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import paged, require_row

_WAREHOUSE_FILTERS = {
    "product_arch": f.parse_flag,
    "product_brand": f.parse_id_or_zero,
    "product_category": f.parse_id_or_zero,
    "product_supplier": f.parse_id_or_zero,
    "products_ref_ext": f.parse_text,
    "product_supplier_reference": f.parse_text,
}


def register(router: Router) -> None:
    router.add("GET", "/stock_available/warehouse_id/{warehouse_id:int}", by_warehouse)
    router.add("GET", "/stock_available/product_id/{product_id:int}", by_product)
    router.add(
        "GET", "/stock_available/product_id_size/{product_id:int}/{size_id:int}", by_product_size
    )
    router.add("GET", "/stock_available/all_wh", all_warehouses)


def _size_ids(product: dict[str, Any]) -> list[int]:
    return [int(s) for s in product["size_barcodes"]] or [0]


def _row(ctx: Context, product: dict[str, Any], warehouse_id: int, size_id: int) -> dict[str, Any]:
    return {
        "product_id": product["product_id"],
        "product_size": size_id,
        "warehouse_id": warehouse_id,
        "stock_available": ctx.state.stock_of(warehouse_id, product["product_id"], size_id),
        "inventory_alert": 0,
        "product_barcode": barcode_of(product, size_id),
        "products_ref_ext": product["products_ref_ext"],
    }


def _products(ctx: Context) -> list[dict[str, Any]]:
    return ctx.state.rows("products")


def _warehouse_keys(ctx: Context, wanted: dict[str, Any]) -> list[tuple[dict[str, Any], int]]:
    """(product, size) of every row of a warehouse list, in order; kept until the catalogue
    changes, so each page renders its own 250 rows and nothing else."""

    def build() -> list[tuple[dict[str, Any], int]]:
        return [
            (product, size_id)
            for product in _products(ctx)
            if all(product[name] == value for name, value in wanted.items())
            for size_id in _size_ids(product)
        ]

    return ctx.state.derived(("stock_by_warehouse", *sorted(wanted.items())), build)


def by_warehouse(ctx: Context, warehouse_id: int) -> Response:
    require_row(ctx, "warehouses", warehouse_id, "warehouse")
    query = {k: v for k, v in ctx.query.items() if k != "p"}
    reader = f.FieldReader(query)
    reader.reject_unknown(set(_WAREHOUSE_FILTERS), body=False)
    wanted = {n: reader.get(n, parser) for n, parser in _WAREHOUSE_FILTERS.items() if n in query}
    reader.check()
    keys = _warehouse_keys(ctx, wanted)
    return paged(ctx, keys, lambda key: _row(ctx, key[0], warehouse_id, key[1]), may_ignore_p=True)


def by_product(ctx: Context, product_id: int) -> list[dict[str, Any]]:
    product = require_row(ctx, "products", product_id, "product")
    return [
        _row(ctx, product, warehouse_id, size_id)
        for warehouse_id in sorted(ctx.state.tables["warehouses"])
        for size_id in _size_ids(product)
    ]


def by_product_size(ctx: Context, product_id: int, size_id: int) -> list[dict[str, Any]]:
    product = require_row(ctx, "products", product_id, "product")
    if size_id not in _size_ids(product):
        raise not_found(
            f"product {product_id} has no size {size_id}", {"size_id": "not a size of this product"}
        )
    return [
        _row(ctx, product, warehouse_id, size_id)
        for warehouse_id in sorted(ctx.state.tables["warehouses"])
    ]


def all_warehouses(ctx: Context) -> Response:
    def build() -> list[tuple[int, dict[str, Any], int]]:
        return [
            (warehouse_id, product, size_id)
            for warehouse_id in sorted(ctx.state.tables["warehouses"])
            for product in _products(ctx)
            for size_id in _size_ids(product)
        ]

    keys = ctx.state.derived(("stock_all_warehouses",), build)
    return paged(ctx, keys, lambda key: _row(ctx, key[1], key[0], key[2]), may_ignore_p=True)
