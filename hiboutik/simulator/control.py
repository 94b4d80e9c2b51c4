"""``/_sim`` control endpoints: what a cashier does at the till (ring up a sale, an exchange,
a refund), webhook resends, fault injection, statistics, reset and bulk seeding."""

from __future__ import annotations

import copy
from collections.abc import Callable
from datetime import datetime
from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.context import Context
from hiboutik.simulator.customers import create_customer, customer_view
from hiboutik.simulator.errors import invalid, not_found
from hiboutik.simulator.faults import updated_faults
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.pos import (
    add_payment,
    exchange_for_credit_note,
    make_exchange,
    make_refund,
    open_a_sale,
    ring_up_sale,
)
from hiboutik.simulator.router import Router
from hiboutik.simulator.state import State
from hiboutik.simulator.webhooks import deliver_sale

# POST /_sim/seed is for load tests; this keeps a typo from allocating millions of rows.
MAX_SEED_PRODUCTS = 100_000


def build_control_router() -> Router:
    router = Router()
    router.add("POST", "/sales", pos_action(ring_up_sale), locked=False)
    router.add("POST", "/exchanges", exchange, locked=False)
    router.add("POST", "/open_sales", open_sale_action)
    router.add("POST", "/refunds", pos_action(make_refund), locked=False)
    router.add("POST", "/payments", pos_action(add_payment), locked=False)
    router.add("POST", "/webhooks/resend", resend_webhook, locked=False)
    router.add("GET", "/stats", stats, locked=False)
    router.add("POST", "/faults", set_faults)
    router.add("GET", "/faults", get_faults)
    router.add("POST", "/customers", till_customer)
    router.add("GET", "/stock", shelf_stock)
    router.add("POST", "/clock", set_clock, locked=False)
    router.add("GET", "/clock", get_clock, locked=False)
    router.add("POST", "/reset", reset, locked=False)
    router.add("POST", "/seed", seed, locked=False)
    return router


def stats(ctx: Context) -> dict[str, Any]:
    return ctx.sim.stats()


def get_faults(ctx: Context) -> dict[str, Any]:
    return ctx.sim.faults.as_dict()


def set_faults(ctx: Context) -> dict[str, Any]:
    ctx.sim.faults = updated_faults(ctx.sim.faults, ctx.fields)
    return ctx.sim.faults.as_dict()


def till_customer(ctx: Context) -> Response:
    """A customer the cashier creates at the till: the fields of ``POST /api/customers``,
    without an API call (nothing counted)."""
    customer = create_customer(ctx.state, ctx.fields, ctx.now())
    return Response(201, customer_view(customer))


def shelf_stock(ctx: Context) -> dict[str, Any]:
    """What is on the shelves, for a test bench to compare with what Connect believes, without
    spending API calls: ``?warehouse_id=1`` (required), optional ``product_ids=4,7``. Answers
    ``{"warehouse_id": 1, "stock": {"4": 12, "7:3": 2}}``: a product id, with ``:size`` for a
    size other than 0, and its units."""
    reader = f.FieldReader(ctx.query)
    reader.reject_unknown({"warehouse_id", "product_ids"})
    warehouse_id = reader.get("warehouse_id", f.parse_positive_int, required=True)
    wanted = reader.get("product_ids", _id_list)
    reader.check()
    if ctx.state.get("warehouses", warehouse_id) is None:
        raise not_found(f"warehouse {warehouse_id} not found", {"warehouse_id": "unknown id"})
    stock = {
        (f"{product_id}:{size_id}" if size_id else str(product_id)): units
        for (warehouse, product_id, size_id), units in sorted(ctx.state.stock.items())
        if warehouse == warehouse_id and (wanted is None or product_id in wanted)
    }
    return {"warehouse_id": warehouse_id, "stock": stock}


def _id_list(value: Any) -> set[int]:
    text = f.parse_text(value)
    try:
        ids = {int(part) for part in text.split(",") if part.strip()}
    except ValueError:
        raise f.FieldError("must be product ids separated by commas") from None
    return ids


def get_clock(ctx: Context) -> dict[str, Any]:
    return ctx.sim.clock.as_dict()


def set_clock(ctx: Context) -> dict[str, Any]:
    """``{"now": "2027-06-01T09:00:00+02:00", "frozen": true}``: simulate that moment, frozen
    (moving only when set again) or running on at the real pace; ``{"now": null}`` is the real
    clock again."""
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown({"now", "frozen"})
    if "now" not in ctx.fields:
        reader.fail("now", "required: an ISO 8601 time with its UTC offset, or null")
    moment = reader.get("now", _aware_time)
    frozen = reader.get("frozen", _boolean)
    reader.check()
    ctx.sim.clock.set(moment, frozen=True if frozen is None else frozen)
    return ctx.sim.clock.as_dict()


def _boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return bool(f.parse_flag(value))


def _aware_time(value: Any) -> datetime:
    try:
        moment = datetime.fromisoformat(f.parse_text(value))
    except ValueError:
        raise f.FieldError("must be an ISO 8601 time, e.g. 2027-06-01T09:00:00+02:00") from None
    if moment.tzinfo is None:
        raise f.FieldError("needs its UTC offset, e.g. +02:00 or Z")
    return moment


def reset(ctx: Context) -> dict[str, Any]:
    ctx.sim.reset()
    return {"reset": True, "seed": ctx.config.seed}


def seed(ctx: Context) -> dict[str, Any]:
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown({"products"})
    count = reader.get("products", f.parse_id_or_zero, required=True)
    reader.check()
    if count > MAX_SEED_PRODUCTS:
        raise invalid({"products": f"at most {MAX_SEED_PRODUCTS} at a time"})
    created = ctx.sim.add_products(count)
    return {"created": len(created), "product_ids": created}


def pos_action(action: Callable[[State, dict[str, Any]], dict[str, Any]]) -> Any:
    """Close the sale under the lock, then fire the webhooks with the lock released; the
    answer (the full sale) comes once every synchronous receiver has answered."""

    def handler(ctx: Context) -> Response:
        with ctx.sim.lock:
            # A copy: the stored sale may change (a payment added) while this one is sent.
            sale = copy.deepcopy(action(ctx.state, ctx.fields))
            ctx.sim.persist()
        deliver_sale(ctx.sim, sale["sale_id"])
        return Response(201, sale)

    handler.__name__ = action.__name__
    return handler


def exchange(ctx: Context) -> Response:
    """``--exchange-mode return-lines``: a return sale (the answer is that sale).
    ``credit-note`` (the default): the line becomes a credit note and the replacement, if
    any, a sale paid by it; the original sale's webhook is sent again, then the replacement's.
    The answer is ``{"sale", "credit_note", "replacement"}``."""
    if ctx.config.exchange_mode == "return-lines":
        return pos_action(make_exchange)(ctx)
    with ctx.sim.lock:
        original, note, replacement = exchange_for_credit_note(ctx.state, ctx.fields)
        result = copy.deepcopy({"sale": original, "credit_note": note, "replacement": replacement})
        ctx.sim.persist()
    deliver_sale(ctx.sim, original["sale_id"])
    if replacement is not None:
        deliver_sale(ctx.sim, replacement["sale_id"])
    return Response(201, result)


def open_sale_action(ctx: Context) -> Response:
    return Response(201, copy.deepcopy(open_a_sale(ctx.state, ctx.fields)))


def resend_webhook(ctx: Context) -> dict[str, Any]:
    """What the cashier's callback icon does: send a closed sale to the webhooks again."""
    reader = f.FieldReader(ctx.fields)
    reader.reject_unknown({"sale_id"})
    sale_id = reader.get("sale_id", f.parse_positive_int, required=True)
    reader.check()
    with ctx.sim.lock:
        if ctx.state.get("sales", sale_id) is None:
            raise not_found(f"sale {sale_id} not found", {"sale_id": f"unknown id {sale_id}"})
    return {"sale_id": sale_id, "webhook_deliveries": deliver_sale(ctx.sim, sale_id)}
