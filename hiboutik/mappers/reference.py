"""Account reference data: taxes, stores, warehouses, payment types.

Only ids, names and tax values are confirmed; the other store and payment-type keys are not
documented, so each reader accepts the spellings seen in public clients and leaves the field
empty when none is present.
"""

from __future__ import annotations

from datetime import time
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from hiboutik.mappers.values import (
    optional,
    optional_int,
    parse_flag,
    require,
    require_decimal,
    require_int,
    require_mapping,
    text,
)
from hiboutik.types import TIME_ZONE_UNKNOWN, PaymentType, Store, Tax, Warehouse


def tax_from_payload(payload: Any) -> Tax:
    row = require_mapping(payload, what="tax")
    enabled = optional(row, "tax_enabled")
    return Tax(
        tax_id=require_int(row, "tax_id"),
        rate=require_decimal(row, "tax_value"),
        name=text(optional(row, "tax_name", "tax_label")),
        enabled=True if enabled is None else parse_flag(enabled),
        default=parse_flag(optional(row, "tax_default")),
    )


def store_from_payload(payload: Any) -> Store:
    row = require_mapping(payload, what="store")
    enabled = optional(row, "store_enabled")
    return Store(
        store_id=require_int(row, "store_id"),
        name=text(optional(row, "store_name")),
        enabled=True if enabled is None else parse_flag(enabled),
        warehouse_id=optional_int(row, "warehouse_id", "store_warehouse_id", "stock_id"),
        currency=text(optional(row, "store_default_currency", "currency", "store_currency")),
        time_zone=time_zone(
            optional(row, "store_time_zone", "store_timezone", "time_zone", "timezone")
        ),
        day_start=day_start(optional(row, "store_day_start", "day_start")),
    )


def time_zone(value: Any) -> str:
    """An IANA time zone name as given, or :data:`TIME_ZONE_UNKNOWN`: absent, empty, an
    offset or anything else that names no zone is not guessed at."""
    name = text(value).strip()
    if not name or name.startswith(("/", ".")):
        return TIME_ZONE_UNKNOWN
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return TIME_ZONE_UNKNOWN
    return name


def day_start(value: Any) -> time | None:
    """``"04:00"`` or ``"04:00:00"``; anything else is unknown (``None``)."""
    try:
        return time.fromisoformat(text(value).strip()) if value not in (None, "") else None
    except ValueError:
        return None


def warehouse_from_payload(payload: Any) -> Warehouse:
    row = require_mapping(payload, what="warehouse")
    return Warehouse(
        warehouse_id=require_int(row, "warehouse_id", "stock_id"),
        name=text(optional(row, "warehouse_name", "stock_name")),
    )


def payment_type_from_payload(payload: Any) -> PaymentType:
    row = require_mapping(payload, what="payment type")
    return PaymentType(
        code=text(require(row, "payment_type", "payment_type_code", "code")).strip(),
        label=text(optional(row, "payment_type_label", "payment_type_name", "label", "name")),
        currency=text(optional(row, "payment_type_currency", "currency")),
        enabled=True if optional(row, "enabled") is None else parse_flag(row["enabled"]),
    )
