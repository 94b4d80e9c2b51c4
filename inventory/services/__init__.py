"""Inventory domain services: the only code that writes catalogue and stock data."""

from inventory.services.products import (
    price_excl_tax_from_incl,
    product_create,
    product_image_add,
    product_update,
)
from inventory.services.stock import (
    stock_missing,
    stock_move,
    stock_release,
    stock_reserve,
    stock_set,
)
from inventory.services.stock_batch import (
    LockedShortfall,
    StockMove,
    apply_moves,
    lock_stock_items,
    stock_missing_locked,
    stock_move_many,
    stock_release_many,
    stock_reserve_many,
)
from inventory.services.stock_edit import (
    EDIT_REASONS,
    StockDelta,
    StockEditError,
    StockEditInvalid,
    StockSetManyResult,
    check_new_quantity,
    parse_stock_entry,
    parse_stock_quantity,
    stock_set_many,
)

__all__ = [
    "EDIT_REASONS",
    "LockedShortfall",
    "StockDelta",
    "StockEditError",
    "StockEditInvalid",
    "StockMove",
    "StockSetManyResult",
    "apply_moves",
    "check_new_quantity",
    "lock_stock_items",
    "parse_stock_entry",
    "parse_stock_quantity",
    "price_excl_tax_from_incl",
    "product_create",
    "product_image_add",
    "product_update",
    "stock_missing",
    "stock_missing_locked",
    "stock_move",
    "stock_move_many",
    "stock_release",
    "stock_release_many",
    "stock_reserve",
    "stock_reserve_many",
    "stock_set",
    "stock_set_many",
]
