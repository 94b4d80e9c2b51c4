"""Stock orders (inventory inputs) and their lines."""

from __future__ import annotations

from typing import Any

from hiboutik.mappers.values import (
    int_or_zero,
    optional,
    optional_int,
    parse_datetime,
    parse_flag,
    require_int,
    require_mapping,
    text,
)
from hiboutik.types import InventoryInput, InventoryInputDetail


def inventory_input_from_payload(payload: Any) -> InventoryInput:
    row = require_mapping(payload, what="inventory input")
    validated_at = parse_datetime(optional(row, "validated_at"), field="validated_at")
    return InventoryInput(
        inventory_input_id=require_int(row, "inventory_input_id"),
        label=text(optional(row, "inventory_input_label", "label")),
        warehouse_id=optional_int(row, "stock_id", "warehouse_id"),
        # Which field says so is not documented: a flag, or a validation date that is set.
        validated=parse_flag(optional(row, "validated")) or validated_at is not None,
        created_at=parse_datetime(optional(row, "created_at"), field="created_at"),
    )


def inventory_input_detail_from_payload(payload: Any) -> InventoryInputDetail:
    row = require_mapping(payload, what="inventory input line")
    return InventoryInputDetail(
        detail_id=require_int(row, "inventory_input_detail_id", "detail_id"),
        product_id=require_int(row, "product_id"),
        size_id=int_or_zero(row, "product_size"),
        quantity=require_int(row, "quantity"),
    )
