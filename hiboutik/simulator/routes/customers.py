"""Customers (hiboutik-api.md §8)."""

from __future__ import annotations

from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.context import Context
from hiboutik.simulator.customers import (
    create_customer,
    customer_view,
    search_customers,
    update_customer,
)
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import created, one, paged, require_row
from hiboutik.simulator.sales import short_row


def register(router: Router) -> None:
    router.add("GET", "/customers", list_customers)
    router.add("POST", "/customers", post_customer)
    router.add("GET", "/customers/search", search)
    router.add("GET", "/customer/{customer_id:int}", get_customer)
    router.add("PUT", "/customer/{customer_id:int}", put_customer)
    router.add("DELETE", "/customer/{customer_id:int}", delete_customer)
    router.add("GET", "/customer/{customer_id:int}/sales", customer_sales)


def _customer(ctx: Context, customer_id: int) -> dict[str, Any]:
    return require_row(ctx, "customers", customer_id, "customers")


def list_customers(ctx: Context) -> Response:
    """Newest first (hiboutik-api.md §8)."""
    rows = [customer_view(c) for c in reversed(ctx.state.rows("customers"))]
    return paged(ctx, rows)


def post_customer(ctx: Context) -> Response:
    customer = create_customer(ctx.state, ctx.fields, ctx.now())
    return created("customers_id", customer["customers_id"])


def search(ctx: Context) -> Response:
    """No match is always ``200 []`` for customers (hiboutik-api.md §8)."""
    substring = ctx.config.search_match == "substring"
    rows = [customer_view(c) for c in search_customers(ctx.state, ctx.query, substring=substring)]
    return paged(ctx, rows)


def get_customer(ctx: Context, customer_id: int) -> list[dict[str, Any]]:
    return one(customer_view(_customer(ctx, customer_id)))


def put_customer(ctx: Context, customer_id: int) -> dict[str, Any]:
    customer = _customer(ctx, customer_id)
    reader = f.FieldReader(ctx.fields)
    # GG also sends the id in the body; it must then agree with the path.
    reader.reject_unknown({"customers_attribute", "new_value", "customers_id"})
    reader.get("customers_attribute", f.parse_required_text, required=True)
    body_id = reader.get("customers_id", f.parse_positive_int)
    if body_id is not None and body_id != customer_id:
        reader.fail("customers_id", "does not match the id in the path")
    if "new_value" not in ctx.fields:
        reader.fail("new_value", "is required")
    reader.check()
    attribute = ctx.fields["customers_attribute"]
    update_customer(customer, attribute, ctx.fields["new_value"])
    return {
        "customers_id": customer_id,
        "customers_attribute": attribute,
        "new_value": customer[attribute],
    }


def delete_customer(ctx: Context, customer_id: int) -> dict[str, Any]:
    _customer(ctx, customer_id)
    del ctx.state.tables["customers"][customer_id]
    return {"customers_id": customer_id, "deleted": 1}


def customer_sales(ctx: Context, customer_id: int) -> Response:
    _customer(ctx, customer_id)
    sales = [s for s in ctx.state.rows("sales") if s["customer_id"] == customer_id]
    return paged(ctx, [short_row(s) for s in reversed(sales)])
