"""``/_sim`` control endpoints: what a cashier does at the till (ring up a sale, an exchange,
a refund), webhook resends, fault injection, statistics, reset and bulk seeding."""

from __future__ import annotations

from typing import Any

from hiboutik.simulator import fields as f
from hiboutik.simulator.context import Context
from hiboutik.simulator.errors import invalid
from hiboutik.simulator.faults import updated_faults
from hiboutik.simulator.router import Router

# POST /_sim/seed is for load tests; this keeps a typo from allocating millions of rows.
MAX_SEED_PRODUCTS = 100_000


def build_control_router() -> Router:
    router = Router()
    router.add("GET", "/stats", stats, locked=False)
    router.add("POST", "/faults", set_faults)
    router.add("GET", "/faults", get_faults)
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
