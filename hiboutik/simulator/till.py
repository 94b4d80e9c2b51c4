"""The till's own work, shared by every POS action: reading what the cashier keyed in (store,
customer, payment, lines), and closing a sale: stock out of the store's warehouse, line
amounts, fiscal number, the stored sale."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.catalogue import barcode_owner, product_price
from hiboutik.simulator.clock import local_now, parse_stamp, stamp
from hiboutik.simulator.errors import ApiError, invalid, not_found
from hiboutik.simulator.sales import LineInput, build_line, build_sale
from hiboutik.simulator.state import State

# Measured (hiboutik-api.md §3.2): the answer to a payment type the till does not know.
INVALID_PAYMENT = "Please provide a valid payment"
LINE_FIELDS = {"product_id", "barcode", "size_id", "quantity", "price"}


def completed_at_of(reader: f.FieldReader) -> str | None:
    """Optional closing time (local, ``YYYY-MM-DD HH:MM:SS``) to back-date demo sales."""

    def parse(value: Any) -> str:
        text = f.parse_text(value)
        try:
            return stamp(parse_stamp(text))
        except ValueError:
            raise f.FieldError("must be YYYY-MM-DD HH:MM:SS") from None

    return reader.get("completed_at", parse)


def store_now(store: dict[str, Any]) -> str:
    return stamp(local_now(store["store_time_zone"]))


def store_of(state: State, store_id: int) -> dict[str, Any]:
    store = state.get("stores", store_id)
    if store is None:
        raise not_found(f"store {store_id} not found", {"store_id": f"unknown id {store_id}"})
    return store


def check_customer(state: State, customer_id: int) -> None:
    if customer_id and state.get("customers", customer_id) is None:
        raise not_found(
            f"customer {customer_id} not found", {"customer_id": f"unknown id {customer_id}"}
        )


def payment_of(
    state: State, store: dict[str, Any], body: dict[str, Any], *, default: str | None
) -> tuple[str, list[tuple[str, Decimal]]]:
    known = {p["payment_type"] for p in state.payment_types.get(store["store_id"], [])}
    reader = f.FieldReader(body)
    payment = reader.get(
        "payment", f.parse_required_text, required=default is None, default=default
    )
    reader.check()
    if payment != "DIV":
        if "payments" in body:
            raise invalid({"payments": 'only for split payments ("payment": "DIV")'})
        if payment not in known:
            raise invalid_payment()
        return payment, []
    raw = body.get("payments")
    if not isinstance(raw, list) or not raw:
        raise invalid({"payments": "a DIV sale needs a non-empty list of payments"})
    payments: list[tuple[str, Decimal]] = []
    errors: dict[str, str] = {}
    for index, item in enumerate(raw):
        item_reader = f.FieldReader(item if isinstance(item, dict) else {})
        if not isinstance(item, dict):
            errors[f"payments[{index}]"] = "must be an object"
            continue
        item_reader.reject_unknown({"payment_type", "amount"})
        code = item_reader.get("payment_type", f.parse_required_text, required=True)
        amount = item_reader.get("amount", f.parse_decimal, required=True)
        errors.update({f"payments[{index}][{k}]": v for k, v in item_reader.errors.items()})
        if code is not None and amount is not None:
            if code not in known:
                raise invalid_payment()
            payments.append((code, amount))
    if errors:
        raise invalid(errors)
    return "DIV", payments


def invalid_payment() -> ApiError:
    return ApiError(404, "not_found", 5, "Resource not found", {"sale_id": INVALID_PAYMENT})


def parse_lines(state: State, raw: Any, *, required: bool) -> list[LineInput]:
    if raw is None and not required:
        return []
    if not isinstance(raw, list) or (required and not raw):
        raise invalid({"lines": "must be a non-empty list of lines"})
    lines: list[LineInput] = []
    errors: dict[str, str] = {}
    for index, item in enumerate(raw):
        try:
            lines.append(_parse_line(state, item, index))
        except ApiError as exc:
            if exc.status == 404:
                raise
            errors.update(exc.details)
    if errors:
        raise invalid(errors)
    return lines


def _parse_line(state: State, item: Any, index: int) -> LineInput:
    key = f"lines[{index}]"
    if not isinstance(item, dict):
        raise invalid({key: "must be an object"})
    reader = f.FieldReader(item)
    reader.reject_unknown(LINE_FIELDS)
    product_id = reader.get("product_id", f.parse_positive_int)
    barcode = reader.get("barcode", f.parse_required_text)
    size_id = reader.get("size_id", f.parse_id_or_zero)
    quantity = reader.get("quantity", f.parse_int, required=True)
    price = reader.get("price", f.parse_decimal)
    if quantity is not None and quantity < 1:
        reader.fail("quantity", "must be at least 1 (refund with a negative price instead)")
    if product_id is None and barcode is None and not reader.errors:
        reader.fail("product_id", "give product_id or barcode")
    if reader.errors:
        raise invalid({f"{key}[{name}]": message for name, message in reader.errors.items()})
    if barcode is not None:
        owner = barcode_owner(state, barcode)
        if owner is None:
            raise not_found(f"no product with barcode {barcode}", {f"{key}[barcode]": barcode})
        if product_id is not None and product_id != owner[0]:
            raise invalid({f"{key}[barcode]": f"is the barcode of product {owner[0]}"})
        if size_id is not None and owner[1] and size_id != owner[1]:
            raise invalid({f"{key}[size_id]": f"the barcode is size {owner[1]}"})
        product_id = owner[0]
        size_id = owner[1] or size_id
    product = state.get("products", product_id)
    if product is None:
        raise not_found(
            f"product {product_id} not found", {f"{key}[product_id]": f"unknown id {product_id}"}
        )
    sizes = [int(s) for s in product["size_barcodes"]]
    size_id = size_id or 0
    if sizes and size_id not in sizes:
        raise invalid({f"{key}[size_id]": f"product {product_id} needs one of the sizes {sizes}"})
    if not sizes and size_id:
        raise invalid({f"{key}[size_id]": f"product {product_id} has no sizes: use 0"})
    tax = state.get("taxes", product["product_vat"])
    assert tax is not None
    catalogue = product_price(product)
    return LineInput(
        product=product,
        size_id=size_id,
        quantity=quantity,
        price=catalogue if price is None else price,
        rate=Decimal(tax["tax_value"]),
        tax_label=tax["tax_name"],
        catalogue_price=catalogue,
    )


def close_sale(
    state: State,
    store: dict[str, Any],
    customer_id: int,
    payment: str,
    payments: list[tuple[str, Decimal]],
    lines: list[LineInput],
    completed_at: str | None,
    ext_ref: str,
    *,
    sale_id: int | None = None,
) -> dict[str, Any]:
    """Take the sold stock out of the store's warehouse and store the closed sale. Returned
    lines (credit notes) were put back by the caller, into the stock the cashier chose."""
    completed_at = completed_at or store_now(store)
    for line in lines:
        if line.credit_note:
            continue
        if line.stock_withdrawal and line.product["product_stock_management"]:
            state.move_stock(
                store["warehouse_id"], line.product["product_id"], line.size_id, -line.quantity
            )
    currency = store["store_default_currency"]
    built = [build_line(state, state.next_id("line_items"), line, currency) for line in lines]
    # The till was opened a little before closing: a few seconds per line.
    created_at = stamp(parse_stamp(completed_at) - timedelta(seconds=10 + 5 * len(lines)))
    month = completed_at[:7]
    sequence = state.next_id(f"fiscal:{store['store_id']}:{month}")
    if sale_id is None:
        sale_id = state.next_id("sales")
    sale = build_sale(
        sale_id=sale_id,
        store=store,
        customer_id=customer_id,
        payment=payment,
        payments=payments,
        payment_detail_ids=[state.next_id("payment_details") for _ in payments],
        lines=built,
        created_at=created_at,
        completed_at=completed_at,
        unique_sale_id=f"{month}-{store['store_id']}-{sequence}",
        sale_ext_ref=ext_ref,
    )
    state.tables["sales"][sale_id] = sale
    if customer_id:
        customer = state.get("customers", customer_id)
        if customer is not None:
            customer["last_order_date"] = completed_at[:10]
    return sale
