"""Credit notes (*avoirs*) and the open sales they are spent on (hiboutik-api.md §10, §14).

Measured on a live account, the till's exchange (``PUT /sale_line_item_exchange/{line}/{stock}``)
gives back a whole line as a credit note, not money: the line stays in its sale, marked with
``credit_note`` 1, the note's ``credit_note_id`` and ``date_return``; the note is listed by
``GET /credit_notes/{store}`` (its code in ``credit_note``) until ``POST /sales/add_credit_note/``
spends it on an open sale. What the note's other fields are called, and how a sale paid with
one shows it, are not known: here a spent note is a ``payment_details`` line of type
:data:`CREDIT_NOTE_PAYMENT` on a split (``DIV``) sale, and a note worth more than the sale
leaves it overpaid (a negative ``balance``).

Open sales live apart from closed ones (``GET /sales/{id}`` does not show them here) until
``POST /sales/close/`` closes them like any sale.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from hiboutik.simulator.errors import invalid, not_found
from hiboutik.simulator.money import fmt, round_cents
from hiboutik.simulator.state import State
from hiboutik.simulator.till import close_sale, parse_lines, store_now, store_of

CREDIT_NOTE_PAYMENT = "AVOIR"


def find_line(state: State, line_item_id: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """The closed sale holding line ``line_item_id``, and the line."""
    for sale in state.tables["sales"].values():
        for line in sale["line_items"]:
            if line["line_item_id"] == line_item_id:
                return sale, line
    raise not_found(
        f"line item {line_item_id} not found", {"line_item_id": f"unknown id {line_item_id}"}
    )


def exchange_line(
    state: State, line_item_id: int, stock_id: int, now: str | None = None
) -> dict[str, Any]:
    """The till's exchange: the whole line becomes a credit note of its gross total; its units
    go back to warehouse ``stock_id`` unless it is 0. Returns the new credit note."""
    sale, line = find_line(state, line_item_id)
    if line["credit_note"] or line["line_item_id_return"]:
        raise invalid({"line_item_id": "this line was already returned or is a return"})
    value = Decimal(line["item_total_gross"])
    if value <= 0:
        raise invalid({"line_item_id": "a refund line cannot be exchanged"})
    if stock_id and state.get("warehouses", stock_id) is None:
        raise not_found(f"stock {stock_id} not found", {"stock_id": f"unknown id {stock_id}"})
    store = store_of(state, sale["store_id"])
    now = now or store_now(store)
    product = state.get("products", line["product_id"])
    if stock_id and product is not None and product["product_stock_management"]:
        state.move_stock(stock_id, line["product_id"], line["product_size"], line["quantity"])
    note = state.insert(
        "credit_notes",
        {
            "credit_note": "",
            "store_id": store["store_id"],
            "customer_id": sale["customer_id"],
            "amount": fmt(value),
            "currency": sale["currency"],
            "sale_id": sale["sale_id"],
            "line_item_id": line_item_id,
            "created_at": now,
            "used": 0,
            "used_sale_id": 0,
        },
        "credit_note_id",
    )
    # The code a cashier types to spend it; the exchange answers it as avoir_id (EXC).
    note["credit_note"] = str(note["credit_note_id"])
    line.update(credit_note=1, credit_note_id=note["credit_note_id"], date_return=now)
    return note


def pending_credit_notes(state: State, store_id: int) -> list[dict[str, Any]]:
    return [
        dict(note)
        for note in state.rows("credit_notes")
        if note["store_id"] == store_id and not note["used"]
    ]


def open_sale(
    state: State,
    store: dict[str, Any],
    customer_id: int,
    lines: list[Any],
    payment: str | None,
    payments: list[tuple[str, Decimal]],
    ext_ref: str = "",
) -> dict[str, Any]:
    """A sale rung up but not closed: its lines (as keyed in, checked now and read again on
    closing), its payment type (``None`` while none is chosen; a single type pays what the
    credit notes leave due) or its split payments, and the credit notes spent on it."""
    parse_lines(state, lines, required=True)
    sale_id = state.next_id("sales")
    row = {
        "sale_id": sale_id,
        "store_id": store["store_id"],
        "customer_id": customer_id,
        "lines": lines,
        "payment": payment,
        "payments": [[code, fmt(amount)] for code, amount in payments],
        "credit_notes": [],
        "sale_ext_ref": ext_ref,
        "created_at": store_now(store),
    }
    state.tables["open_sales"][sale_id] = row
    return row


def open_sale_of(state: State, sale_id: int) -> dict[str, Any]:
    row = state.get("open_sales", sale_id)
    if row is not None:
        return row
    if state.get("sales", sale_id) is not None:
        raise invalid({"sale_id": f"sale {sale_id} is closed"})
    raise not_found(f"sale {sale_id} not found", {"sale_id": f"unknown id {sale_id}"})


def spend_credit_note(state: State, sale_id: int, code: str) -> dict[str, Any]:
    """``POST /sales/add_credit_note/``: the note pays (part of) open sale ``sale_id``."""
    row = open_sale_of(state, sale_id)
    note = next((n for n in state.rows("credit_notes") if n["credit_note"] == code), None)
    if note is None:
        raise not_found(f"credit note {code} not found", {"credit_note_code": "unknown code"})
    if note["used"]:
        raise invalid({"credit_note_code": f"credit note {code} was already spent"})
    if note["store_id"] != row["store_id"]:
        raise invalid({"credit_note_code": f"credit note {code} is from another store"})
    note.update(used=1, used_sale_id=sale_id)
    row["credit_notes"].append([note["credit_note"], note["amount"]])
    return note


def close_open_sale(state: State, sale_id: int, completed_at: str | None = None) -> dict[str, Any]:
    """``POST /sales/close/``: close an open sale like any other. Several payments (a credit
    note among them) make it a split sale."""
    row = open_sale_of(state, sale_id)
    store = store_of(state, row["store_id"])
    lines = parse_lines(state, row["lines"], required=True)
    notes = [(CREDIT_NOTE_PAYMENT, Decimal(amount)) for _, amount in row["credit_notes"]]
    payments = [(code, Decimal(amount)) for code, amount in row["payments"]]
    payment = row["payment"]
    if notes:
        due = gross_total(state, row["lines"]) - sum(a for _, a in (*notes, *payments))
        if payment not in (None, "DIV") and due > 0:
            payments.append((payment, due))
        payment, payments = "DIV", [*notes, *payments]
    elif payment is None:
        raise invalid({"payment": "choose how the sale is paid before closing it"})
    del state.tables["open_sales"][sale_id]
    return close_sale(
        state,
        store,
        row["customer_id"],
        payment,
        payments,
        lines,
        completed_at,
        row["sale_ext_ref"],
        sale_id=sale_id,
    )


def gross_total(state: State, lines: list[Any]) -> Decimal:
    """What the lines keyed in add up to, tax included, as the sale will show it."""
    return sum(
        (
            round_cents(line.price * line.quantity)
            for line in parse_lines(state, lines, required=True)
        ),
        Decimal(0),
    )
