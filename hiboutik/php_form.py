"""Parser for form bodies with PHP bracket keys, the way Hiboutik's webhooks send them.

Hiboutik posts a closed sale as ``application/x-www-form-urlencoded`` with keys such as
``line_items[0][product_id]`` and ``line_items[0][stock_available][0][warehouse_id]``; a PHP
receiver gets nested arrays for free, Django only gets the flat keys. :func:`parse_php_form`
rebuilds the nesting:

- ``a[b][c]=1`` → ``{"a": {"b": {"c": "1"}}}``; ``a[]=x&a[]=y`` appends like PHP;
- a container whose keys are exactly ``0..n-1`` becomes a list (in index order, whatever the
  order of the fields); other containers stay dicts;
- values stay strings, including Hiboutik's empty lists, which arrive as ``tags=`` and so come
  out as ``""`` (the mappers read ``""`` as an empty list).

Where PHP would silently drop data, this parser raises :class:`PhpFormError` instead, so the
receiver can keep the raw body and report the problem: a key given twice, a key used both as a
value and as a container, an unbalanced bracket, nesting deeper than PHP's default limit of 64.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import parse_qsl

MAX_DEPTH = 64  # PHP's max_input_nesting_level default
_INDEX = re.compile(r"0|[1-9][0-9]*")


class PhpFormError(ValueError):
    """The form body cannot be turned into nested data without losing some of it."""


def parse_php_form_body(body: str | bytes, *, encoding: str = "utf-8") -> dict[str, Any]:
    """Parse a raw ``application/x-www-form-urlencoded`` body."""
    if isinstance(body, bytes):
        try:
            body = body.decode(encoding)
        except UnicodeDecodeError as exc:
            raise PhpFormError(f"form body is not valid {encoding}: {exc}") from None
    try:
        pairs = parse_qsl(body, keep_blank_values=True, strict_parsing=False, encoding=encoding)
    except ValueError as exc:
        raise PhpFormError(f"malformed form body: {exc}") from None
    return parse_php_form(pairs)


def parse_php_form(
    fields: Iterable[tuple[str, str]] | Mapping[str, str | list[str]],
) -> dict[str, Any]:
    """Nest already-decoded fields: ``(key, value)`` pairs in body order, or a mapping whose
    values are strings or lists of strings (``dict(request.POST.lists())``)."""
    tree: dict[str, Any] = {}
    for key, value in _pairs(fields):
        _insert(tree, key, _split_key(key), value)
    # The top level stays a dict even for keys 0..n-1: it is the form, not a PHP array.
    return {
        key: _listify(value) if isinstance(value, dict) else value for key, value in tree.items()
    }


def _pairs(fields: Iterable[tuple[str, str]] | Mapping[str, Any]) -> Iterable[tuple[str, str]]:
    if isinstance(fields, Mapping):
        for key, value in fields.items():
            if isinstance(value, list):
                for item in value:
                    yield key, _as_text(key, item)
            else:
                yield key, _as_text(key, value)
    else:
        for key, value in fields:
            yield key, _as_text(key, value)


def _as_text(key: str, value: Any) -> str:
    if not isinstance(value, str):
        raise PhpFormError(f"{key}: form values must be strings, got {type(value).__name__}")
    return value


def _split_key(key: str) -> list[str | None]:
    """``a[b][]`` → ``["a", "b", None]``; ``None`` is PHP's append."""
    head, sep, rest = key.partition("[")
    if not head:
        raise PhpFormError(f"form key {key!r} has no name before its brackets")
    parts: list[str | None] = [head]
    if not sep:
        if "]" in head:
            raise PhpFormError(f"form key {key!r} has an unbalanced bracket")
        return parts
    rest = "[" + rest
    while rest:
        if not rest.startswith("["):
            raise PhpFormError(f"form key {key!r} has text after its brackets")
        end = rest.find("]")
        if end == -1:
            raise PhpFormError(f"form key {key!r} has an unbalanced bracket")
        segment = rest[1:end]
        if "[" in segment:
            raise PhpFormError(f"form key {key!r} has an unbalanced bracket")
        parts.append(segment if segment else None)
        rest = rest[end + 1 :]
    if len(parts) - 1 > MAX_DEPTH:
        raise PhpFormError(f"form key {key!r} nests deeper than {MAX_DEPTH} levels")
    return parts


def _insert(tree: dict[str, Any], key: str, parts: list[str | None], value: str) -> None:
    node = tree
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if part is None:
            # PHP appends after the highest integer index used so far.
            part = str(max((int(k) for k in node if _is_index(k)), default=-1) + 1)
        if last:
            if part in node:
                what = "a container" if isinstance(node[part], dict) else "a value"
                raise PhpFormError(f"form key {key!r} repeats {what} already given")
            node[part] = value
            return
        child = node.setdefault(part, {})
        if not isinstance(child, dict):
            raise PhpFormError(f"form key {key!r} nests under {part!r}, which is already a value")
        node = child


def _is_index(key: str) -> bool:
    # PHP turns "7" into the integer key 7 but keeps "07" and "-0" as strings.
    return _INDEX.fullmatch(key) is not None


def _listify(node: dict[str, Any]) -> Any:
    converted = {
        key: _listify(value) if isinstance(value, dict) else value for key, value in node.items()
    }
    indexes = sorted(int(k) for k in converted if _is_index(k))
    if converted and indexes == list(range(len(converted))):
        return [converted[str(i)] for i in indexes]
    return converted
