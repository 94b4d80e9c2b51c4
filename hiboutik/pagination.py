"""When to ask for the next page of a Hiboutik list.

Hiboutik pages lists with ``?p=N`` (1-based, 250 rows a page) and, when a list spans several
pages, adds ``Content-Range: X-Y/Z`` (sometimes ``items X-Y/Z``) and a ``Link`` header with
``rel="next"``/``rel="last"``. Neither header is guaranteed, and some routes may ignore ``p``
altogether and send the same rows, or every row, whatever page is asked (three real clients read
stock lists in one call; hiboutik-api.md §14). The decision combines them:

1. an empty page, or a page with the same rows as the page before, ends the list (a route that
   ignores ``p`` costs one extra call, never an endless loop);
2. a ``Link`` header is authoritative: follow its ``next`` page, stop when it has none;
3. else a ``Content-Range`` total ends the list once that many rows were seen (only the
   trailing ``/Z`` is used: whether ``X-Y`` counts from 0 or 1 is not documented);
4. else a page longer than the page size is a route that sent everything at once, and a page
   shorter than the page size is the last one.

On top of these, the client caps the number of pages of one list (``max_pages``) and raises
:class:`~hiboutik.errors.HiboutikPaginationError` rather than reading on. When the first page
announces the total (``Content-Range``) the client knows every page number at once and may
fetch them concurrently (:func:`planned_pages`).

A page past the end (``200 []`` or 404) also ends it; that is the caller's side (an extra call
at worst). The next page is always requested from the client's own base URL, never from the URL
in the ``Link`` header, so credentials are never sent to a host taken from a response.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from hiboutik.types import PAGE_SIZE

_CONTENT_RANGE = re.compile(r"^\s*(?:items\s+)?(?:(\d+)\s*-\s*(\d+)|\*)\s*/\s*(\d+|\*)\s*$", re.I)
_LINK_PART = re.compile(r"<([^>]*)>\s*((?:;\s*[^;,]+)*)")
_REL = re.compile(r'rel\s*=\s*"?([^";,]+)"?', re.I)


@dataclass(frozen=True)
class PageHeaders:
    total: int | None = None  # Z of Content-Range
    has_link: bool = False
    next_page: int | None = None
    last_page: int | None = None


def parse_content_range_total(value: str | None) -> int | None:
    """``"0-249/1327"``, ``"items 0-249/1327"``, ``"items */0"`` → the total; unknown → None."""
    if not value:
        return None
    match = _CONTENT_RANGE.match(value)
    if not match or match.group(3) == "*":
        return None
    return int(match.group(3))


def parse_link(value: str | None) -> dict[str, str]:
    """RFC 8288 ``Link`` header → ``{rel: url}`` (one header may name several rels)."""
    links: dict[str, str] = {}
    if not value:
        return links
    for match in _LINK_PART.finditer(value):
        url, params = match.group(1).strip(), match.group(2)
        rel = _REL.search(params)
        if rel:
            for name in rel.group(1).split():
                links.setdefault(name.lower(), url)
    return links


def page_of(url: str) -> int | None:
    """The ``p`` query parameter of a link, when it is a positive integer."""
    values = parse_qs(urlsplit(url).query).get("p")
    if not values or not values[0].isdigit():
        return None
    page = int(values[0])
    return page if page >= 1 else None


def read_page_headers(headers: Mapping[str, str]) -> PageHeaders:
    links = parse_link(headers.get("Link"))
    return PageHeaders(
        total=parse_content_range_total(headers.get("Content-Range")),
        has_link=bool(links),
        next_page=page_of(links["next"]) if "next" in links else None,
        last_page=page_of(links["last"]) if "last" in links else None,
    )


def next_page(
    page: int,
    rows_on_page: int,
    rows_seen: int,
    headers: PageHeaders,
    page_size: int = PAGE_SIZE,
    *,
    repeated: bool = False,
) -> int | None:
    """The page to request after ``page``, or ``None`` when the list is complete.
    ``repeated``: the page held exactly the rows of the page before it."""
    if rows_on_page == 0 or repeated:
        return None
    if headers.has_link:
        if headers.next_page is not None and headers.next_page > page:
            return headers.next_page
        if headers.next_page is None:
            return None
        # A next link that does not move forward is broken; fall through to the other rules.
    if headers.total is not None:
        return page + 1 if rows_seen < headers.total else None
    return page + 1 if rows_on_page == page_size else None


def planned_pages(rows_on_first_page: int, headers: PageHeaders) -> int | None:
    """How many pages the list has, when its first page says so with a ``Content-Range``
    total (pages as long as the first one); ``None`` when it does not tell."""
    if headers.total is None or rows_on_first_page == 0:
        return None
    return max(1, math.ceil(headers.total / rows_on_first_page))
