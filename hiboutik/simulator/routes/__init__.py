"""The ``/api`` routes, one module per area of hiboutik-api.md."""

from __future__ import annotations

from hiboutik.simulator.router import Router
from hiboutik.simulator.routes import (
    credit_notes,
    customers,
    images,
    inventory,
    product_search,
    products,
    reference,
    sales,
    stock,
    webhooks,
)

MODULES = (
    products,
    product_search,
    images,
    reference,
    stock,
    inventory,
    customers,
    sales,
    credit_notes,
    webhooks,
)


def build_api_router() -> Router:
    router = Router()
    for module in MODULES:
        module.register(router)
    return router
