"""Helpers shared by the route modules: lookups that 404, one-element answers, creates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from hiboutik.simulator.context import Context
from hiboutik.simulator.errors import not_found
from hiboutik.simulator.http_types import Response
from hiboutik.simulator.paging import json_array, paginate


def require_row(ctx: Context, table: str, row_id: int, label: str) -> dict[str, Any]:
    row = ctx.state.get(table, row_id)
    if row is None:
        raise not_found(f"{label} {row_id} not found", {f"{label}_id": f"unknown id {row_id}"})
    return row


def one(row: dict[str, Any]) -> list[dict[str, Any]]:
    """Reading one record answers a one-element array (hiboutik-api.md §1.3)."""
    return [row]


def created(key: str, row_id: int) -> Response:
    """Creates answer ``201 {"<entity>_id": N}`` (architecture.md §3)."""
    return Response(201, {key: row_id})


def paged(
    ctx: Context,
    rows: Sequence[Any],
    render: Callable[[Any], Any] | None = None,
    *,
    may_ignore_p: bool = False,
    encode: Callable[[Any], bytes] | None = None,
) -> Response:
    """A page of ``rows``, each ``render``-ed into its JSON shape or ``encode``-d into its
    JSON text. ``may_ignore_p``: a route that some real clients read in one call without
    ``p`` (the stock lists, hiboutik-api.md §14); with ``--page-param ignored`` it answers
    every row whatever ``p`` says, without paging headers."""
    if may_ignore_p and ctx.config.page_param == "ignored":
        if encode is not None:
            return Response(200, json_array([encode(r) for r in rows]))
        return Response(200, [render(r) if render else r for r in rows])
    return paginate(
        rows,
        ctx.query,
        ctx.list_url(),
        past_end_404=ctx.config.page_past_end == "404",
        render=render,
        encode=encode,
    )


def text_matches(ctx: Context, stored: Any, wanted: str) -> bool:
    """A text search criterion: with ``--search-match substring`` (the default) a
    case-insensitive substring, as a real search by external reference was measured to match
    (``…-S1`` found ``…-S11``); with ``exact``, equality."""
    if ctx.config.search_match == "exact":
        return str(stored) == wanted
    return wanted.lower() in str(stored).lower()


def search_result(
    ctx: Context, rows: list[Any], render: Callable[[Any], Any] | None = None
) -> Response:
    """No hit is ``200 []`` or, when configured so, a 404 (hiboutik-api.md §4.1, §13.2)."""
    if not rows and ctx.config.empty_search == "404":
        raise not_found("No result for this search", {"search": "no match"})
    return paged(ctx, rows, render)
