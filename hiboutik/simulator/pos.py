"""What a cashier does at the till, as the ``/_sim`` POS actions: ring up and close a sale,
exchange a sold item, refund. Each produces a closed sale exactly as Hiboutik would store it;
webhook delivery is the caller's job (it must happen outside the state lock)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.credit_notes import (
    close_open_sale,
    exchange_line,
    open_sale,
    spend_credit_note,
)
from hiboutik.simulator.errors import invalid, not_found
from hiboutik.simulator.fiscal import today_z
from hiboutik.simulator.money import fmt
from hiboutik.simulator.sales import LineInput, settle
from hiboutik.simulator.state import State
from hiboutik.simulator.till import (
    check_customer,
    close_sale,
    completed_at_of,
    invalid_payment,
    parse_lines,
    payment_of,
    store_now,
    store_of,
)

# Measured (hiboutik-api.md §9.2): sale_ext_ref is cut to 25 characters.
EXT_REF_LENGTH = 25
SALE_FIELDS = {
    "store_id",
    "customer_id",
    "payment",
    "payments",
    "lines",
    "sale_ext_ref",
    "completed_at",
}
EXCHANGE_FIELDS = {
    "sale_id",
    "line_item_id",
    "quantity",
    "stock_id",
    "lines",
    "payment",
    "payments",
    "completed_at",
}
REFUND_FIELDS = {"store_id", "customer_id", "payment", "payments", "lines", "completed_at"}
PAYMENT_FIELDS = {"sale_id", "payment_type", "amount"}


def ring_up_sale(state: State, body: dict[str, Any]) -> dict[str, Any]:
    reader = f.FieldReader(body)
    reader.reject_unknown(SALE_FIELDS)
    store_id = reader.get("store_id", f.parse_positive_int, required=True)
    customer_id = reader.get("customer_id", f.parse_id_or_zero, default=0)
    ext_ref = reader.get("sale_ext_ref", f.parse_text, default="")[:EXT_REF_LENGTH]
    completed_at = completed_at_of(reader)
    if "lines" not in body:
        reader.fail("lines", "is required")
    reader.check()
    store = store_of(state, store_id)
    check_customer(state, customer_id)
    payment, payments = payment_of(state, store, body, default=None)
    lines = parse_lines(state, body.get("lines"), required=True)
    return close_sale(state, store, customer_id, payment, payments, lines, completed_at, ext_ref)


def open_a_sale(state: State, body: dict[str, Any]) -> dict[str, Any]:
    """A sale rung up and left open: to spend a credit note on it, then close it through the
    API (``POST /sales/add_credit_note/``, ``POST /sales/close/``)."""
    reader = f.FieldReader(body)
    reader.reject_unknown(SALE_FIELDS - {"completed_at"})
    store_id = reader.get("store_id", f.parse_positive_int, required=True)
    customer_id = reader.get("customer_id", f.parse_id_or_zero, default=0)
    ext_ref = reader.get("sale_ext_ref", f.parse_text, default="")[:EXT_REF_LENGTH]
    if "lines" not in body:
        reader.fail("lines", "is required")
    reader.check()
    store = store_of(state, store_id)
    check_customer(state, customer_id)
    payment, payments = (
        (None, []) if "payment" not in body else payment_of(state, store, body, default=None)
    )
    return open_sale(state, store, customer_id, body["lines"], payment, payments, ext_ref)


def exchange_for_credit_note(
    state: State, body: dict[str, Any]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any] | None]:
    """What the till's exchange does on a real account: the whole line becomes a credit note
    (the logic of ``PUT /sale_line_item_exchange/...``), and the replacement ``lines``, if
    any, are a new sale paid by it, the rest with ``payment``. Returns the original sale (its
    line now marked), the credit note and the replacement sale."""
    request = _exchange_request(state, body, quantity_required=False)
    original, line, quantity = request.sale, request.line, request.quantity
    line_item_id, stock_id, completed_at = line["line_item_id"], request.stock_id, request.at
    if quantity is not None and quantity != line["quantity"]:
        raise invalid(
            {"quantity": f"the till's exchange gives back the whole line ({line['quantity']})"}
        )
    store = store_of(state, original["store_id"])
    now = completed_at or store_now(store)
    note = exchange_line(state, line_item_id, stock_id, now)
    if not body.get("lines"):
        return original, note, None
    default_payment = store["store_default_payment_method"]
    payment, payments = payment_of(state, store, body, default=default_payment)
    row = open_sale(state, store, original["customer_id"], body["lines"], payment, payments)
    spend_credit_note(state, row["sale_id"], note["credit_note"])
    return original, note, close_open_sale(state, row["sale_id"], now)


def make_exchange(state: State, body: dict[str, Any]) -> dict[str, Any]:
    """The return sale of architecture.md §3: the returned line with ``credit_note`` 1,
    ``line_item_id_return`` = the original line, a positive quantity and a negative price,
    plus optional replacement lines. Stock goes back to ``stock_id`` unless it is 0."""
    request = _exchange_request(state, body, quantity_required=True)
    original, line, quantity = request.sale, request.line, request.quantity
    line_item_id, stock_id, completed_at = line["line_item_id"], request.stock_id, request.at
    if line["credit_note"]:
        raise invalid({"line_item_id": "this line is itself a return and cannot be returned"})
    remaining = line["quantity"] - _returned_quantity(state, line_item_id)
    if quantity > remaining:
        raise invalid({"quantity": f"only {remaining} of this line can still be returned"})
    if stock_id and state.get("warehouses", stock_id) is None:
        raise not_found(f"stock {stock_id} not found", {"stock_id": f"unknown id {stock_id}"})
    product = state.get("products", line["product_id"])
    assert product is not None  # products are archived, never deleted
    store = store_of(state, original["store_id"])
    payment, payments = payment_of(
        state, store, body, default=store["store_default_payment_method"]
    )
    now = completed_at or store_now(store)
    returned = LineInput(
        product=product,
        size_id=line["product_size"],
        quantity=quantity,
        price=-Decimal(line["product_price"]),
        rate=Decimal(line["vat"]),
        tax_label=line["tax_label"],
        catalogue_price=Decimal(line["product_price"]),
        stock_withdrawal=1 if stock_id else 0,
        credit_note=1,
        credit_note_id=state.next_id("credit_notes"),
        line_item_id_return=line_item_id,
        date_return=now,
    )
    replacements = parse_lines(state, body.get("lines"), required=False)
    if stock_id and product["product_stock_management"]:
        state.move_stock(stock_id, product["product_id"], line["product_size"], quantity)
    return close_sale(
        state,
        store,
        original["customer_id"],
        payment,
        payments,
        [returned, *replacements],
        now,
        "",
    )


def make_refund(state: State, body: dict[str, Any]) -> dict[str, Any]:
    """A negative sale with no return links: each line's price (default the catalogue price)
    is refunded; no stock moves. Connect refuses to import these ("do not import negative
    order")."""
    reader = f.FieldReader(body)
    reader.reject_unknown(REFUND_FIELDS)
    store_id = reader.get("store_id", f.parse_positive_int, required=True)
    customer_id = reader.get("customer_id", f.parse_id_or_zero, default=0)
    completed_at = completed_at_of(reader)
    if "lines" not in body:
        reader.fail("lines", "is required")
    reader.check()
    store = store_of(state, store_id)
    check_customer(state, customer_id)
    payment, payments = payment_of(
        state, store, body, default=store["store_default_payment_method"]
    )
    lines = parse_lines(state, body.get("lines"), required=True)
    for line in lines:
        line.price = -abs(line.price)
        line.stock_withdrawal = 0
    return close_sale(state, store, customer_id, payment, payments, lines, completed_at, "")


def add_payment(state: State, body: dict[str, Any]) -> dict[str, Any]:
    """A payment line added to a closed split (DIV) sale, negative too (money given back), as
    LZ measured: a ``payment_details`` line while the sale's fiscal day is still open, a
    ``cash_flow`` entry once it is over. ``payment_total`` and ``balance`` follow."""
    reader = f.FieldReader(body)
    reader.reject_unknown(PAYMENT_FIELDS)
    sale_id = reader.get("sale_id", f.parse_positive_int, required=True)
    code = reader.get("payment_type", f.parse_required_text, required=True)
    amount = reader.get("amount", f.parse_decimal, required=True)
    if amount is not None and amount == 0:
        reader.fail("amount", "must not be 0")
    reader.check()
    sale = state.get("sales", sale_id)
    if sale is None:
        raise not_found(f"sale {sale_id} not found", {"sale_id": f"unknown id {sale_id}"})
    if sale["payment"] != "DIV":
        raise invalid({"sale_id": 'payments are added to a split sale ("payment": "DIV")'})
    store = store_of(state, sale["store_id"])
    if code not in {p["payment_type"] for p in state.payment_types.get(store["store_id"], [])}:
        raise invalid_payment()
    if sale["date_z"] < today_z(store):
        sale.setdefault("cash_flow", []).append(
            {
                "cash_flow_id": state.next_id("cash_flow"),
                "payment_type": code,
                "payment_amount": fmt(amount),
                "date_time": store_now(store),
                "currency_code": sale["currency"],
                "comments": "",
                "store_id": store["store_id"],
                "datez": today_z(store),
            }
        )
    else:
        sale["payment_details"].append(
            {
                "payment_detail_id": state.next_id("payment_details"),
                "payment_type": code,
                "payment_amount": fmt(amount),
            }
        )
    settle(sale)
    return sale


@dataclass
class _ExchangeRequest:
    sale: dict[str, Any]
    line: dict[str, Any]
    quantity: Any
    stock_id: int
    at: str | None


def _exchange_request(
    state: State, body: dict[str, Any], *, quantity_required: bool
) -> _ExchangeRequest:
    """What ``/_sim/exchanges`` asks for: the sold line (404 when it is not in the sale), how
    many, where the units go back and when."""
    reader = f.FieldReader(body)
    reader.reject_unknown(EXCHANGE_FIELDS)
    sale_id = reader.get("sale_id", f.parse_positive_int, required=True)
    line_item_id = reader.get("line_item_id", f.parse_positive_int, required=True)
    quantity = reader.get("quantity", f.parse_positive_int, required=quantity_required)
    stock_id = reader.get("stock_id", f.parse_id_or_zero, default=0)
    completed_at = completed_at_of(reader)
    reader.check()
    original = state.get("sales", sale_id)
    if original is None:
        raise not_found(f"sale {sale_id} not found", {"sale_id": f"unknown id {sale_id}"})
    line = next((li for li in original["line_items"] if li["line_item_id"] == line_item_id), None)
    if line is None:
        raise not_found(
            f"line {line_item_id} is not in sale {sale_id}",
            {"line_item_id": f"not a line of sale {sale_id}"},
        )
    return _ExchangeRequest(original, line, quantity, stock_id, completed_at)


def _returned_quantity(state: State, line_item_id: int) -> int:
    return sum(
        line["quantity"]
        for sale in state.tables["sales"].values()
        for line in sale["line_items"]
        if line["line_item_id_return"] == line_item_id
    )
