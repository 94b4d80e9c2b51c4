"""Credit notes (hiboutik-api.md §10, §14): the till's exchange of a sold line, the pending
notes of a store, spending one on an open sale, and closing that sale."""

from __future__ import annotations

from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.context import Context
from hiboutik.simulator.credit_notes import (
    close_open_sale,
    exchange_line,
    pending_credit_notes,
    spend_credit_note,
)
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import paged, require_row
from hiboutik.simulator.webhooks import deliver_sale


def register(router: Router) -> None:
    router.add(
        "PUT", "/sale_line_item_exchange/{line_item_id:int}/{stock_id:int}", exchange_sale_line
    )
    router.add("GET", "/credit_notes/{store_id:int}", list_credit_notes)
    router.add("POST", "/sales/add_credit_note", add_credit_note)
    router.add("POST", "/sales/close", post_close, locked=False)


def exchange_sale_line(ctx: Context, line_item_id: int, stock_id: int) -> dict[str, Any]:
    """Answers the note's code as ``avoir_id``, which a public client reads (EXC)."""
    f.FieldReader(ctx.fields).reject_unknown(set())
    note = exchange_line(ctx.state, line_item_id, stock_id)
    return {
        "avoir_id": note["credit_note"],
        "credit_note_id": note["credit_note_id"],
        "amount": note["amount"],
    }


def list_credit_notes(ctx: Context, store_id: int) -> Response:
    require_row(ctx, "stores", store_id, "store")
    return paged(ctx, pending_credit_notes(ctx.state, store_id))


def _sale_id(ctx: Context, *others: str) -> int:
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown({"sale_id", *others})
    sale_id = reader.get("sale_id", f.parse_positive_int, required=True)
    for name in others:
        reader.get(name, f.parse_required_text, required=True)
    reader.check()
    return sale_id


def add_credit_note(ctx: Context) -> dict[str, Any]:
    sale_id = _sale_id(ctx, "credit_note_code")
    note = spend_credit_note(ctx.state, sale_id, f.parse_text(ctx.fields["credit_note_code"]))
    return {"sale_id": sale_id, "credit_note": note["credit_note"], "amount": note["amount"]}


def post_close(ctx: Context) -> dict[str, Any]:
    """Closing fires the ``sale`` webhooks, outside the lock as every delivery."""
    sale_id = _sale_id(ctx)
    with ctx.sim.lock:
        close_open_sale(ctx.state, sale_id)
        ctx.sim.persist()
    deliver_sale(ctx.sim, sale_id)
    return {"sale_id": sale_id}
