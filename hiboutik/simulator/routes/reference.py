"""Small reference lists (hiboutik-api.md §4.6, §6, §7.3, §9.3): taxes, stores, warehouses,
payment types, categories, brands, suppliers and size grids. Not paginated."""

from __future__ import annotations

import copy
from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.context import Context
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import created, require_row


def register(router: Router) -> None:
    router.add("GET", "/taxes", list_table("taxes"))
    router.add("GET", "/stores", list_table("stores"))
    router.add("GET", "/warehouses", list_table("warehouses"))
    router.add("GET", "/categories", list_table("categories"))
    router.add("POST", "/categories", post_category)
    router.add("GET", "/brands", list_table("brands"))
    router.add("POST", "/brands", post_brand)
    router.add("GET", "/suppliers", list_table("suppliers"))
    router.add("GET", "/size_types", list_table("size_types"))
    router.add("GET", "/sizes/{size_type_id:int}", list_sizes)
    router.add("GET", "/payment_types/{store_id:int}", list_payment_types)


def list_table(table: str) -> Any:
    def handler(ctx: Context) -> list[dict[str, Any]]:
        return copy.deepcopy(ctx.state.rows(table))

    handler.__name__ = f"list_{table}"
    return handler


def list_sizes(ctx: Context, size_type_id: int) -> list[dict[str, Any]]:
    require_row(ctx, "size_types", size_type_id, "size_type")
    sizes = [s for s in ctx.state.rows("sizes") if s["size_type_id"] == size_type_id]
    return sorted(sizes, key=lambda s: (s["size_position"], s["size_id"]))


def list_payment_types(ctx: Context, store_id: int) -> list[dict[str, Any]]:
    require_row(ctx, "stores", store_id, "store")
    return copy.deepcopy(ctx.state.payment_types.get(store_id, []))


def _unique_name(ctx: Context, table: str, key: str, name: str, reader: f.FieldReader) -> None:
    if any(row[key].lower() == name.lower() for row in ctx.state.rows(table)):
        reader.fail(key, f"{name!r} already exists")


def post_category(ctx: Context) -> Response:
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown(
        {"category_name", "category_id_parent", "category_enabled", "category_enabled_www"}
    )
    name = reader.get("category_name", f.parse_required_text, required=True)
    parent = reader.get("category_id_parent", f.parse_id_or_zero, default=0)
    enabled = reader.get("category_enabled", f.parse_flag, default=1)
    enabled_www = reader.get("category_enabled_www", f.parse_flag, default=1)
    if parent and ctx.state.get("categories", parent) is None:
        reader.fail("category_id_parent", f"unknown category id {parent}")
    if name:
        _unique_name(ctx, "categories", "category_name", name, reader)
    reader.check()
    row = ctx.state.insert(
        "categories",
        {
            "category_name": name,
            "category_id_parent": parent,
            "category_position": len(ctx.state.tables["categories"]) + 1,
            "category_enabled": enabled,
            "category_enabled_www": enabled_www,
        },
        "category_id",
    )
    return created("category_id", row["category_id"])


def post_brand(ctx: Context) -> Response:
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown({"brand_name", "brand_enabled", "brand_enabled_www"})
    name = reader.get("brand_name", f.parse_required_text, required=True)
    enabled = reader.get("brand_enabled", f.parse_flag, default=1)
    enabled_www = reader.get("brand_enabled_www", f.parse_flag, default=1)
    if name:
        _unique_name(ctx, "brands", "brand_name", name, reader)
    reader.check()
    row = ctx.state.insert(
        "brands",
        {
            "brand_name": name,
            "brand_enabled": enabled,
            "brand_position": len(ctx.state.tables["brands"]) + 1,
            "brand_enabled_www": enabled_www,
        },
        "brand_id",
    )
    return created("brand_id", row["brand_id"])
