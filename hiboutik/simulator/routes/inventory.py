"""Stock orders ("inventory inputs", hiboutik-api.md §7.2): create one for a warehouse, add
detail lines, validate. Stock changes only on validation, and an input can be validated once.

A line's ``quantity`` is what was ordered and ``received`` what came in: the official client
and PHPC send ``received`` equal to the quantity ("received at once"), and it is what moves
the stock on validation (the quantity when it is not given). Whether Hiboutik takes a negative
quantity (the only way to lower stock through the API) is unproven: ``--negative-inventory
refused`` answers 422 to one, ``accepted`` (the default) applies it."""

from __future__ import annotations

from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.catalogue import barcode_of
from hiboutik.simulator.context import Context
from hiboutik.simulator.errors import invalid, not_found
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import created, one, paged, require_row


def register(router: Router) -> None:
    router.add("GET", "/inventory_inputs", list_inputs)
    router.add("GET", "/inventory_inputs/{input_id:int}", get_input)
    router.add("POST", "/inventory_inputs", post_input)
    router.add("GET", "/inventory_input_details/{input_id:int}", list_details)
    router.add("POST", "/inventory_input_details/{input_id:int}", post_detail)
    router.add("POST", "/inventory_input_validate", validate_input)


def _view(row: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in row.items() if k != "details"}


def list_inputs(ctx: Context) -> Response:
    rows = [_view(r) for r in reversed(ctx.state.rows("inventory_inputs"))]
    return paged(ctx, rows)


def get_input(ctx: Context, input_id: int) -> list[dict[str, Any]]:
    return one(_view(_input(ctx, input_id)))


def _input(ctx: Context, input_id: int) -> dict[str, Any]:
    row = ctx.state.get("inventory_inputs", input_id)
    if row is None:
        raise not_found(
            f"inventory input {input_id} not found",
            {"inventory_input_id": f"unknown id {input_id}"},
        )
    return row


def post_input(ctx: Context) -> Response:
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown({"stock_id", "supplier_id", "label", "inventory_input_label"})
    warehouse_id = reader.get("stock_id", f.parse_positive_int, required=True)
    supplier_id = reader.get("supplier_id", f.parse_id_or_zero, default=0)
    label = reader.get("label", f.parse_text, default="")
    label = reader.get("inventory_input_label", f.parse_text, default=label)
    if supplier_id and ctx.state.get("suppliers", supplier_id) is None:
        reader.fail("supplier_id", f"unknown supplier id {supplier_id}")
    reader.check()
    require_row(ctx, "warehouses", warehouse_id, "stock")
    row = ctx.state.insert(
        "inventory_inputs",
        {
            "inventory_input_label": label,
            "inventory_input_supplier_id": supplier_id,
            "stock_id": warehouse_id,
            "warehouse_id": warehouse_id,
            "created_at": ctx.now(),
            "validated": 0,
            "validated_at": "0000-00-00 00:00:00",
            "details": [],
        },
        "inventory_input_id",
    )
    return created("inventory_input_id", row["inventory_input_id"])


def list_details(ctx: Context, input_id: int) -> list[dict[str, Any]]:
    return [dict(d) for d in _input(ctx, input_id)["details"]]


def post_detail(ctx: Context, input_id: int) -> Response:
    stock_input = _input(ctx, input_id)
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown(
        {"product_id", "product_size", "size_id", "quantity", "unit_price", "received"}
    )
    product_id = reader.get("product_id", f.parse_positive_int, required=True)
    size_id = reader.get("product_size", f.parse_id_or_zero, default=0)
    quantity = reader.get("quantity", f.parse_int, required=True)
    unit_price = reader.get("unit_price", f.parse_money)
    received = reader.get("received", f.parse_int, default=quantity)
    if quantity == 0:
        reader.fail("quantity", "must not be 0")
    if ctx.config.negative_inventory == "refused":
        for name, value in (("quantity", quantity), ("received", received)):
            if value is not None and value < 0:
                reader.fail(name, "must be positive: a stock order adds stock")
    if stock_input["validated"]:
        reader.fail("inventory_input_id", "this inventory input is already validated")
    reader.check()
    product = require_row(ctx, "products", product_id, "product")
    sizes = [int(s) for s in product["size_barcodes"]]
    if sizes and size_id not in sizes:
        raise invalid({"product_size": f"product {product_id} needs one of the sizes {sizes}"})
    if not sizes and size_id:
        raise invalid({"product_size": f"product {product_id} has no sizes: use 0"})
    if not product["product_stock_management"]:
        raise invalid({"product_id": f"product {product_id} does not manage stock"})
    detail_id = ctx.state.next_id("inventory_input_details")
    stock_input["details"].append(
        {
            "inventory_input_detail_id": detail_id,
            "inventory_input_id": input_id,
            "product_id": product_id,
            "product_size": size_id,
            "quantity": quantity,
            "received": received,
            "product_price": str(
                unit_price if unit_price is not None else product["product_supply_price"]
            ),
            "product_model": product["product_model"],
            "product_barcode": barcode_of(product, size_id),
            "product_supplier_reference": product["product_supplier_reference"],
        }
    )
    return created("inventory_input_detail_id", detail_id)


def validate_input(ctx: Context) -> dict[str, Any]:
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown({"inventory_input_id"})
    input_id = reader.get("inventory_input_id", f.parse_positive_int, required=True)
    reader.check()
    stock_input = _input(ctx, input_id)
    if stock_input["validated"]:
        raise invalid({"inventory_input_id": "this inventory input is already validated"})
    warehouse_id = stock_input["stock_id"]
    for detail in stock_input["details"]:
        ctx.state.move_stock(
            warehouse_id, detail["product_id"], detail["product_size"], detail["received"]
        )
    stock_input["validated"] = 1
    stock_input["validated_at"] = ctx.now()
    return {"inventory_input_id": input_id, "validated": 1}
