"""Pages of 250 rows chosen with ``?p=`` and the ``Link`` / ``Content-Range`` headers
(hiboutik-api.md §2). The headers are only sent when the list needs more than one page."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any
from urllib.parse import urlencode

from hiboutik.simulator.errors import invalid, not_found
from hiboutik.simulator.fields import FieldError, parse_positive_int
from hiboutik.simulator.http_types import Response

PAGE_SIZE = 250


def page_number(query: Mapping[str, str]) -> int:
    if "p" not in query:
        return 1
    try:
        return parse_positive_int(query["p"])
    except FieldError:
        raise invalid({"p": "the page number must be a positive integer"}) from None


def paginate(
    rows: Sequence[Any],
    query: Mapping[str, str],
    url: str,
    *,
    past_end_404: bool = False,
    render: Callable[[Any], Any] | None = None,
    encode: Callable[[Any], bytes] | None = None,
) -> Response:
    """``url`` is the absolute URL of the list, without query string; other query parameters
    (search filters) are carried into the ``Link`` URLs. ``render`` turns a stored row into
    its JSON shape, applied to the requested page only; ``encode``, into its JSON text
    (kept by the caller between pages), the page then being those texts in one array."""
    page = page_number(query)
    total = len(rows)
    last = max(1, -(-total // PAGE_SIZE))
    start = (page - 1) * PAGE_SIZE
    if encode is not None:
        chunk = [encode(r) for r in rows[start : start + PAGE_SIZE]]
        body: Any = json_array(chunk)
    else:
        chunk = [render(r) if render else r for r in rows[start : start + PAGE_SIZE]]
        body = chunk
    if page > last and past_end_404:
        raise not_found(f"page {page} is past the last page ({last})", {"p": "no such page"})
    headers: dict[str, str] = {}
    if total > PAGE_SIZE:
        headers["Link"] = _link_header(url, query, page, last)
        headers["Content-Range"] = (
            f"{start}-{start + len(chunk) - 1}/{total}" if chunk else f"*/{total}"
        )
    return Response(200, body, headers)


def json_array(items: Sequence[bytes]) -> bytes:
    """JSON texts as one array, spelt as ``json.dumps`` spells a list (``", "`` between)."""
    return b"[" + b", ".join(items) + b"]"


def _link_header(url: str, query: Mapping[str, str], page: int, last: int) -> str:
    others = {k: v for k, v in query.items() if k != "p"}

    def link(number: int, rel: str) -> str:
        return f'<{url}?{urlencode({**others, "p": number})}>; rel="{rel}"'

    parts = [link(1, "start")]
    if 1 < page <= last + 1:
        parts.append(link(page - 1, "prev"))
    parts.append(link(page, "current"))
    if page < last:
        parts.append(link(page + 1, "next"))
    parts.append(link(last, "last"))
    return ", ".join(parts)
