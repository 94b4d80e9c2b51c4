"""Products: list, read, create, one-attribute updates (hiboutik-api.md §4.1–4.5)."""

from __future__ import annotations

import json
from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.catalogue import create_product, product_view, update_product
from hiboutik.simulator.context import Context
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import created, one, paged, require_row


def register(router: Router) -> None:
    router.add("GET", "/products", list_products)
    router.add("GET", "/products/{product_id:int}", get_product)
    router.add("POST", "/products", post_product)
    router.add("PUT", "/product/{product_id:int}", put_product)
    router.add("PUT", "/products", put_products_form)


def list_products(ctx: Context) -> Response:
    """Active products only; archived ones stay readable by id and through searches."""
    rows = ctx.state.derived(
        ("active_products",),
        lambda: [p for p in ctx.state.rows("products") if not p["product_arch"]],
    )
    return paged(ctx, rows, encode=lambda p: product_json(ctx, p))


def product_json(ctx: Context, product: dict[str, Any]) -> bytes:
    """A product's JSON text, kept by the state until the product, its stock or its images
    change: a page of products then costs little more than joining 250 texts."""
    return ctx.state.product_json(
        product["product_id"],
        ctx.base_url,
        lambda: json.dumps(
            product_view(ctx.state, product, ctx.base_url), ensure_ascii=False
        ).encode("utf-8"),
    )


def get_product(ctx: Context, product_id: int) -> list[dict[str, Any]]:
    product = require_row(ctx, "products", product_id, "product")
    return one(product_view(ctx.state, product, ctx.base_url))


def post_product(ctx: Context) -> Response:
    product = create_product(ctx.state, ctx.fields, ctx.now())
    return created("product_id", product["product_id"])


def put_product(ctx: Context, product_id: int) -> dict[str, Any]:
    product = require_row(ctx, "products", product_id, "product")
    return _update(ctx, product)


def put_products_form(ctx: Context) -> dict[str, Any]:
    """``PUT /products/`` with the id in the body (PHPC's form of the same update)."""
    reader = f.FieldReader(ctx.fields)
    product_id = reader.get("product_id", f.parse_positive_int, required=True)
    reader.check()
    product = require_row(ctx, "products", product_id, "product")
    return _update(ctx, product)


def _update(ctx: Context, product: dict[str, Any]) -> dict[str, Any]:
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown({"product_id", "product_attribute", "new_value"})
    reader.get("product_attribute", f.parse_required_text, required=True)
    if "new_value" not in ctx.fields:
        reader.fail("new_value", "is required")
    reader.check()
    attribute = ctx.fields["product_attribute"]
    update_product(ctx.state, product, attribute, ctx.fields["new_value"], ctx.now())
    return {
        "product_id": product["product_id"],
        "product_attribute": attribute,
        "new_value": product[attribute],
    }
