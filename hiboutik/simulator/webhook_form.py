"""PHP-style form encoding, the body Hiboutik POSTs to webhooks (hiboutik-api.md §11.2):
nested keys in brackets (``line_items[0][stock_available][0][warehouse_id]``), every value a
string, empty lists as empty strings."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode


def flatten(value: Any, prefix: str = "") -> list[tuple[str, str]]:
    if isinstance(value, dict):
        if not value:
            return [(prefix, "")] if prefix else []
        pairs: list[tuple[str, str]] = []
        for key, item in value.items():
            pairs += flatten(item, f"{prefix}[{key}]" if prefix else str(key))
        return pairs
    if isinstance(value, list | tuple):
        if not value:
            return [(prefix, "")]
        pairs = []
        for index, item in enumerate(value):
            pairs += flatten(item, f"{prefix}[{index}]")
        return pairs
    if value is None:
        return [(prefix, "")]
    if isinstance(value, bool):
        # PHP casts true to "1" and false to "".
        return [(prefix, "1" if value else "")]
    return [(prefix, str(value))]


def encode(payload: dict[str, Any]) -> bytes:
    """Brackets are percent-encoded on the wire, as PHP's ``http_build_query`` does;
    form parsers decode them back to ``line_items[0][product_id]``."""
    return urlencode(flatten(payload)).encode("ascii")
