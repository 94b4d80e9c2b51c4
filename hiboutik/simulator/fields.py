"""Validation of incoming fields, the way Hiboutik answers bad input: 422 with ``details``
mapping each wrong field to a message. Form bodies carry strings and JSON bodies carry typed
values, so every parser accepts both spellings of a valid value and nothing else."""

from __future__ import annotations

import contextvars
import re
from collections.abc import Callable, Mapping
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from hiboutik.simulator.errors import invalid

# What an /api request does with body fields a route does not know: "ignored" (dropped
# silently, Hiboutik's most likely way) or "rejected" (a 422 naming them). Set per request by
# the dispatcher from --unknown-fields; the /_sim test bench always rejects them.
UNKNOWN_FIELDS: contextvars.ContextVar[str] = contextvars.ContextVar(
    "unknown_fields", default="rejected"
)

_INT = re.compile(r"^-?\d+$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MISSING: Any = object()


class FieldError(ValueError):
    """A single field's value is wrong; the message ends up in the 422 ``details``."""


def parse_int(value: Any) -> int:
    if isinstance(value, bool):
        raise FieldError("must be an integer")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and _INT.match(value.strip()):
        return int(value.strip())
    raise FieldError("must be an integer")


def parse_positive_int(value: Any) -> int:
    number = parse_int(value)
    if number < 1:
        raise FieldError("must be a positive integer")
    return number


def parse_id_or_zero(value: Any) -> int:
    number = parse_int(value)
    if number < 0:
        raise FieldError("must be an id (0 for none)")
    return number


def parse_decimal(value: Any) -> Decimal:
    if isinstance(value, bool) or value is None:
        raise FieldError("must be a decimal number")
    if isinstance(value, int | float):
        value = str(value)
    if not isinstance(value, str) or not value.strip():
        raise FieldError("must be a decimal number")
    try:
        number = Decimal(value.strip())
    except InvalidOperation:
        raise FieldError("must be a decimal number") from None
    if not number.is_finite():
        raise FieldError("must be a finite decimal number")
    return number


def parse_money(value: Any) -> Decimal:
    number = parse_decimal(value)
    if number < 0:
        raise FieldError("must not be negative")
    return number


def parse_flag(value: Any) -> int:
    try:
        number = parse_int(value)
    except FieldError:
        raise FieldError("must be 0 or 1") from None
    if number not in (0, 1):
        raise FieldError("must be 0 or 1")
    return number


def parse_text(value: Any) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise FieldError("must be a string")


def parse_required_text(value: Any) -> str:
    text = parse_text(value)
    if not text:
        raise FieldError("must not be empty")
    return text


def parse_date(value: Any) -> str:
    """``YYYY-MM-DD``; Hiboutik's ``0000-00-00`` (unset, as WOO sends it) is kept as-is."""
    text = parse_text(value)
    if text in ("", "0000-00-00"):
        return "0000-00-00"
    try:
        parsed = date.fromisoformat(text)
    except ValueError:
        parsed = None
    if parsed is None or len(text) != 10:
        raise FieldError("must be a date YYYY-MM-DD")
    return parsed.isoformat()


def parse_email(value: Any) -> str:
    text = parse_text(value)
    if text and not _EMAIL.match(text):
        raise FieldError("must be a valid email address")
    return text


def parse_url(value: Any) -> str:
    text = parse_required_text(value)
    if not re.match(r"^https?://[^\s/]+", text):
        raise FieldError("must be an http:// or https:// URL")
    return text


class FieldReader:
    """Reads several fields from a body, collecting every error before failing, so one 422
    names all the wrong fields at once."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def has(self, name: str) -> bool:
        return name in self.data

    def get(
        self,
        name: str,
        parser: Callable[[Any], Any],
        *,
        required: bool = False,
        default: Any = MISSING,
    ) -> Any:
        if name not in self.data or self.data[name] is None:
            if required:
                self.errors[name] = "is required"
            return None if default is MISSING else default
        try:
            return parser(self.data[name])
        except FieldError as exc:
            self.errors[name] = str(exc)
            return None if default is MISSING else default

    def fail(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def reject_unknown(self, allowed: set[str] | frozenset[str], *, body: bool = True) -> None:
        """Refuse fields outside ``allowed``: body fields only when the request's
        :data:`UNKNOWN_FIELDS` says so, query-string filters (``body=False``) always."""
        if body and UNKNOWN_FIELDS.get() == "ignored":
            return
        for name in self.data:
            if name not in allowed:
                self.errors.setdefault(name, "unknown field")

    def check(self) -> None:
        if self.errors:
            raise invalid(dict(self.errors))
