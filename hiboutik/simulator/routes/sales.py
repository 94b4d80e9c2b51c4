"""Reading sales (hiboutik-api.md §9.1): closed sales of a day or a month, one sale."""

from __future__ import annotations

import calendar
import copy
from typing import Any

from hiboutik.simulator.context import Context
from hiboutik.simulator.errors import CODE_INVALID, ApiError, invalid
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.router import Router
from hiboutik.simulator.routes.common import one, paged, require_row
from hiboutik.simulator.sales import short_row


def register(router: Router) -> None:
    router.add("GET", "/closed_sales/{store_id:int}/{year:int}/{month:int}/{day:int}", closed_day)
    router.add("GET", "/closed_sales/{store_id:int}/{year:int}/{month:int}", closed_month)
    router.add("GET", "/sales/{sale_id:int}", get_sale)


def _check_date(year: int, month: int, day: int | None) -> None:
    errors = {}
    if not 2000 <= year <= 9999:
        errors["year"] = "must be a year YYYY"
    if not 1 <= month <= 12:
        errors["month"] = "must be 1 to 12"
    elif day is not None and not 1 <= day <= calendar.monthrange(year, month)[1]:
        errors["day"] = "no such day in this month"
    if errors:
        raise invalid(errors)


def _closed(ctx: Context, store_id: int, prefix: str) -> Response:
    """Sales of the fiscal day (or month) ``prefix``: by ``date_z``, not by the completion
    date, which differs for a sale closed before the store's day starts."""
    require_row(ctx, "stores", store_id, "store")
    sales = [
        short_row(s)
        for s in ctx.state.rows("sales")
        if s["store_id"] == store_id and str(s["date_z"]).startswith(prefix)
    ]
    return paged(ctx, sales)


def closed_day(ctx: Context, store_id: int, year: int, month: int, day: int) -> Response:
    _check_date(year, month, day)
    return _closed(ctx, store_id, f"{year:04d}{month:02d}{day:02d}")


def closed_month(ctx: Context, store_id: int, year: int, month: int) -> Response:
    _check_date(year, month, None)
    return _closed(ctx, store_id, f"{year:04d}{month:02d}")


def get_sale(ctx: Context, sale_id: int) -> list[dict[str, Any]]:
    sale = ctx.state.get("sales", sale_id)
    if sale is None:
        # Measured body for a missing sale (hiboutik-api.md §3.2): invalid_data, code 6.
        raise ApiError(
            404,
            "invalid_data",
            CODE_INVALID,
            f"Sale {sale_id} not found",
            {"sale_id": f"unknown id {sale_id}"},
        )
    return one(copy.deepcopy(sale))
