"""Lenient readers for the scalar values Hiboutik sends.

The JSON API sends ids and flags as ints and money as decimal strings, but the webhook form
body sends everything as strings, the legacy API sends ids as strings, and a resent webhook was
seen with ``"62"`` and ``"0.2"`` where ``"62.00"`` and ``"0.20000"`` were expected. Every mapper
reads through these helpers so all of those forms give the same typed value, and anything that
is not a number fails loudly with :class:`HiboutikPayloadError` naming the field.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from hiboutik.errors import HiboutikPayloadError

T = TypeVar("T")

# Hiboutik's "not set" date and datetime: an open sale's completed_at, an unset pickup date.
_ZERO_DATETIMES = {"0000-00-00 00:00:00", "0000-00-00", ""}


def parse_decimal(value: Any, *, field: str = "value") -> Decimal:
    """``"62"``, ``"62.0000"``, ``"0.2"``, ``62``, ``" 62,50 "`` → Decimal. Floats go through
    ``str`` so ``0.1`` stays ``Decimal("0.1")``. Empty, booleans and garbage raise."""
    if type(value) is str and "," not in value:
        # The usual form, read first: Decimal skips surrounding blanks itself. What it refuses
        # goes through the checks below, which say why.
        try:
            result = Decimal(value)
        except InvalidOperation:
            pass
        else:
            if result.is_finite():
                return result
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, bool) or value is None:
        raise HiboutikPayloadError(f"{field}: expected a number, got {value!r}")
    elif isinstance(value, int | float):
        result = Decimal(str(value))
    elif isinstance(value, str):
        raw = value.strip().replace(",", ".")
        if not raw:
            raise HiboutikPayloadError(f"{field}: expected a number, got an empty string")
        try:
            result = Decimal(raw)
        except InvalidOperation:
            raise HiboutikPayloadError(f"{field}: expected a number, got {value!r}") from None
    else:
        raise HiboutikPayloadError(f"{field}: expected a number, got {type(value).__name__}")
    if not result.is_finite():
        raise HiboutikPayloadError(f"{field}: expected a finite number, got {value!r}")
    return result


def parse_int(value: Any, *, field: str = "value") -> int:
    """``42``, ``"42"``, ``"42.0"`` → 42; ``"4.5"``, ``""`` and garbage raise."""
    if type(value) is int or (isinstance(value, int) and not isinstance(value, bool)):
        return value
    number = parse_decimal(value, field=field)
    if number != number.to_integral_value():
        raise HiboutikPayloadError(f"{field}: expected a whole number, got {value!r}")
    return int(number)


def parse_flag(value: Any, *, field: str = "value") -> bool:
    """Hiboutik flags are ``0``/``1`` (or ``"0"``/``"1"`` in forms); an empty value is false."""
    if type(value) is int:
        return value != 0
    if isinstance(value, bool):
        return value
    if value is None or value == "":
        return False
    return parse_int(value, field=field) != 0


def parse_datetime(value: Any, *, field: str = "value") -> datetime | None:
    """``"YYYY-MM-DD HH:MM:SS"`` (naive local time of the store) → naive datetime;
    Hiboutik's zero date and an empty value → ``None``."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise HiboutikPayloadError(f"{field}: expected a date-time string, got {value!r}")
    raw = value.strip()
    if raw in _ZERO_DATETIMES:
        return None
    try:
        return datetime.fromisoformat(raw)
    except ValueError:
        raise HiboutikPayloadError(
            f"{field}: expected YYYY-MM-DD HH:MM:SS, got {value!r}"
        ) from None


def parse_date(value: Any, *, field: str = "value") -> date | None:
    """``"YYYY-MM-DD"`` → date; zero date and empty → ``None``."""
    parsed = parse_datetime(value, field=field)
    return parsed.date() if parsed else None


def text(value: Any) -> str:
    """Optional text: ``None`` becomes ``""``, numbers become their string form."""
    if type(value) is str:
        return value
    if value is None:
        return ""
    return str(value)


def as_list(value: Any, *, field: str = "value") -> list[Any]:
    """A list field. Webhook forms send an empty list as ``""`` and PHP may keep a sparse list
    as a mapping keyed by index, so both are accepted."""
    if type(value) is list:
        return value
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, Mapping):
        return list(value.values())
    raise HiboutikPayloadError(f"{field}: expected a list, got {type(value).__name__}")


def unwrap_one(payload: Any, *, what: str = "record") -> Mapping[str, Any]:
    """Hiboutik returns one record as a one-element array (and sometimes a create answer
    too); accept both that and a bare object."""
    if isinstance(payload, list):
        if len(payload) != 1:
            raise HiboutikPayloadError(f"expected one {what}, got a list of {len(payload)}")
        payload = payload[0]
    if not isinstance(payload, Mapping):
        raise HiboutikPayloadError(f"expected a {what} object, got {type(payload).__name__}")
    return payload


def require(row: Mapping[str, Any], *keys: str) -> Any:
    """The first of ``keys`` present (not ``None``) in ``row``; the alternatives are the
    spellings different Hiboutik versions use for one field (``sale_id``/``order_id``)."""
    for key in keys:
        value = row.get(key)
        if value is not None:
            return value
    raise HiboutikPayloadError(f"missing field {' / '.join(keys)}")


def optional(row: Mapping[str, Any], *keys: str) -> Any:
    """Like :func:`require` but ``None`` when none of the keys is present."""
    for key in keys:
        value = row.get(key)
        if value is not None:
            return value
    return None


def text_of(row: Mapping[str, Any], *keys: str) -> str:
    """:func:`text` of the first of ``keys`` present: ``""`` when none is."""
    value = row.get(keys[0])
    if value is None:
        value = optional(row, *keys[1:])
    return text(value)


def flag_of(row: Mapping[str, Any], key: str, *, default: bool = False) -> bool:
    """:func:`parse_flag` of ``row[key]``; ``default`` when the key is absent or null."""
    value = row.get(key)
    if type(value) is int:  # as the JSON API sends them: nothing to read
        return value != 0
    if value is None:
        return default
    return parse_flag(value, field=key)


def list_of(row: Mapping[str, Any], key: str, read: Callable[[Any], T]) -> tuple[T, ...]:
    """Every element of the list field ``key`` (see :func:`as_list`) read by ``read``."""
    value = row.get(key)
    if type(value) is list:  # as the JSON API sends them
        return tuple(map(read, value)) if value else ()
    return tuple(map(read, as_list(value, field=key)))


def optional_int(row: Mapping[str, Any], *keys: str) -> int | None:
    value = row.get(keys[0])
    if type(value) is int:  # as the JSON API sends them: nothing to read
        return value
    if value is None:
        value = optional(row, *keys)
    if value is None or value == "":
        return None
    return parse_int(value, field=keys[0])


def optional_decimal(row: Mapping[str, Any], *keys: str) -> Decimal | None:
    value = optional(row, *keys)
    if value is None or value == "":
        return None
    return parse_decimal(value, field=keys[0])


def int_or_zero(row: Mapping[str, Any], key: str) -> int:
    """Ids where Hiboutik uses 0 for "none" (brand, category, size, customer)."""
    value = optional_int(row, key)
    return 0 if value is None else value


def require_int(row: Mapping[str, Any], *keys: str) -> int:
    value = row.get(keys[0])
    if type(value) is int:  # as the JSON API sends them: nothing to read
        return value
    return parse_int(require(row, *keys), field=keys[0])


def require_decimal(row: Mapping[str, Any], *keys: str) -> Decimal:
    return parse_decimal(require(row, *keys), field=keys[0])


def require_mapping(payload: Any, *, what: str) -> Mapping[str, Any]:
    if type(payload) is dict:
        return payload
    if not isinstance(payload, Mapping):
        raise HiboutikPayloadError(f"expected a {what} object, got {type(payload).__name__}")
    return payload


def form_value(value: Any) -> str:
    """How a value is written into a form body: booleans as 1/0, Decimals without exponent."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, Decimal):
        return format(value, "f")
    if value is None:
        return ""
    return str(value)
