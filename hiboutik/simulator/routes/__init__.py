"""The ``/api`` routes, one module per area of hiboutik-api.md."""

from __future__ import annotations

from hiboutik.simulator.router import Router


def build_api_router() -> Router:
    router = Router()
    return router
