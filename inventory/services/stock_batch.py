"""Stock changes of many product × warehouse rows at once: an order's lines, a return's lines.

The single-row services (`stock_move`, `stock_reserve`, `stock_release`) are these applied to one
row. A batch costs the same number of queries whatever its size:

- every StockItem row a batch needs is locked by ONE `SELECT … FOR UPDATE` ordered by
  (product, warehouse). Two batches needing some of the same rows lock them in the same order,
  so one waits for the other and they never deadlock. Missing rows are created at zero (one
  INSERT … ON CONFLICT DO NOTHING) *before* that lock, so no lock is ever taken out of order;
- quantities change through `F()` expressions, one UPDATE for up to `ROWS_PER_UPDATE` rows
  (a CASE on the row id gives each row its own change);
- the movements are written by one INSERT, each with the physical quantity after it.
"""

from collections import defaultdict
from collections.abc import Iterable, Mapping
from functools import reduce
from operator import or_
from typing import NamedTuple

from django.db import models, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from integrations.services.marks import stock_mark_changed
from inventory.exceptions import InsufficientStock, InvalidQuantity
from inventory.models import Product, StockItem, StockMovement, Warehouse
from inventory.services.stock_checks import check_int, check_reason, movement_reference, real_user

# Rows changed by one UPDATE: keeps each statement's parameters far below every database's
# limit however large the batch.
ROWS_PER_UPDATE = 500

Key = tuple[int, int]


class StockMove(NamedTuple):
    """One change of a batch: `quantity` units into (> 0) or out of (< 0) `warehouse`."""

    product: Product
    warehouse: Warehouse
    quantity: int


def _key(product: Product, warehouse: Warehouse) -> Key:
    if product.pk is None or warehouse.pk is None:
        raise ValueError("Stock changes need saved products and warehouses.")
    return (product.pk, warehouse.pk)


def lock_stock_items(pairs: Iterable[tuple[Product, Warehouse]]) -> dict[Key, StockItem]:
    """The locked StockItem row of every (product, warehouse), keyed by their ids; rows that
    do not exist yet are created at zero. Call it inside a transaction.

    A service that needs rows in several batches, or that also takes other locks, locks all
    its rows here first, in one call: later batches of the same transaction find them already
    held, so no row is ever locked out of (product, warehouse) order.
    """
    wanted = sorted({_key(product, warehouse) for product, warehouse in pairs})
    if not wanted:
        return {}
    products_by_warehouse: dict[int, list[int]] = defaultdict(list)
    for product_id, warehouse_id in wanted:
        products_by_warehouse[warehouse_id].append(product_id)
    rows = StockItem.objects.filter(
        reduce(
            or_,
            (
                Q(warehouse_id=warehouse_id, product_id__in=product_ids)
                for warehouse_id, product_ids in products_by_warehouse.items()
            ),
        )
    )
    existing = set(rows.order_by().values_list("product_id", "warehouse_id"))
    missing = [key for key in wanted if key not in existing]
    if missing:
        # Two batches creating the same row at once both succeed: one inserts, the other's
        # insert is ignored, and both then lock the single row.
        StockItem.objects.bulk_create(
            [
                StockItem(product_id=product_id, warehouse_id=warehouse_id)
                for product_id, warehouse_id in missing
            ],
            ignore_conflicts=True,
        )
    locked = rows.select_for_update().order_by("product_id", "warehouse_id")
    return {(item.product_id, item.warehouse_id): item for item in locked}


def _locked(
    pairs: Iterable[tuple[Product, Warehouse]], locked_items: Mapping[Key, StockItem] | None
) -> dict[Key, StockItem]:
    """The batch's rows: those the caller already locked, or locked here."""
    if locked_items is None:
        return lock_stock_items(pairs)
    keys = {_key(product, warehouse) for product, warehouse in pairs}
    if not keys <= locked_items.keys():
        # Locking the others now would take them after rows of higher ids: out of order.
        raise ValueError("locked_items must hold every stock row of the batch.")
    return {key: locked_items[key] for key in sorted(keys)}


class LockedShortfall(NamedTuple):
    """What the shelf lacks per product, counted on rows locked until the transaction ends."""

    missing: dict[Product, int]
    # The locked rows, for the batches that follow (`locked_items`).
    items: dict[Key, StockItem]


def stock_missing_locked(
    *, warehouse: Warehouse, quantities: Mapping[Product, int]
) -> LockedShortfall:
    """Lock each product's stock row in `warehouse` and say how much the shelf lacks to cover
    its quantity (0 omitted). Call it inside a transaction.

    Unlike `stock_missing`, the answer holds until the transaction ends: no other movement of
    these rows can commit in between, so adding the shortfall is enough to cover the quantity.
    """
    items = lock_stock_items((product, warehouse) for product in quantities)
    missing = {}
    for product, wanted in quantities.items():
        # Negative stock counts as a debt: covering it brings the shelf back to zero.
        lacking = wanted - items[_key(product, warehouse)].physical
        if lacking > 0:
            missing[product] = lacking
    return LockedShortfall(missing, items)


def _add_to_items(field: str, changes: Mapping[StockItem, int]) -> None:
    """Add each StockItem's change to `field`. The database adds to the value it holds
    (`F()`), never to one read earlier; rows whose change is 0 are left alone. The products'
    available stock changed, so their stock is marked for the integrations that push it, in
    this same transaction (one UPDATE)."""
    changed = [(item.pk, change) for item, change in changes.items() if change]
    if not changed:
        return
    stock_mark_changed(product_ids={item.product_id for item, change in changes.items() if change})
    now = timezone.now()
    for start in range(0, len(changed), ROWS_PER_UPDATE):
        chunk = changed[start : start + ROWS_PER_UPDATE]
        change_of_row = Case(
            *(When(pk=pk, then=Value(change)) for pk, change in chunk),
            output_field=IntegerField(),
        )
        StockItem.objects.filter(pk__in=[pk for pk, _ in chunk]).update(
            **{field: F(field) + change_of_row, "updated_at": now}
        )


def _checked_moves(moves: Iterable[StockMove | tuple[Product, Warehouse, int]]) -> list[StockMove]:
    checked = []
    for move in moves:
        try:
            product, warehouse, quantity = move
        except (TypeError, ValueError):
            raise TypeError(
                f"A stock move is (product, warehouse, quantity), not {move!r}."
            ) from None
        quantity = check_int(quantity)
        if quantity == 0:
            raise InvalidQuantity(gettext("A stock movement needs a non-zero quantity."))
        checked.append(StockMove(product, warehouse, quantity))
    return checked


def _checked_quantities(quantities: Mapping[Product, int], message: str) -> dict[Product, int]:
    checked = {}
    for product, quantity in quantities.items():
        if check_int(quantity) <= 0:
            raise InvalidQuantity(message)
        checked[product] = quantity
    return checked


def _only_warehouse(warehouses: Iterable[Warehouse]) -> Warehouse | None:
    distinct = set(warehouses)
    return distinct.pop() if len(distinct) == 1 else None


def stock_move_many(
    *,
    moves: Iterable[StockMove | tuple[Product, Warehouse, int]],
    reason: str,
    reference: models.Model | None = None,
    reference_label: str = "",
    user: object = None,
    note: str = "",
    allow_negative: bool = False,
    locked_items: Mapping[Key, StockItem] | None = None,
) -> list[StockMovement]:
    """Apply several stock movements in one transaction; returns them in the order of `moves`.

    Moves of the same product and warehouse apply in the order given, each movement recording
    the physical quantity after it. When a move would take a row below zero, and
    `allow_negative` is not set, `InsufficientStock` lists every such SKU and nothing is
    written. All movements share the reason, reference, user and note.

    `locked_items` are rows the caller already locked with `lock_stock_items` in this
    transaction (they must include every row of the batch): they are used, and kept up to date,
    instead of being locked again.
    """
    checked = _checked_moves(moves)
    check_reason(reason)
    if not checked:
        return []
    with transaction.atomic():
        items = _locked(((move.product, move.warehouse) for move in checked), locked_items)
        return apply_moves(
            checked,
            items,
            reason=reason,
            reference=reference,
            reference_label=reference_label,
            user=user,
            note=note,
            allow_negative=allow_negative,
        )


def apply_moves(
    moves: list[StockMove],
    items: Mapping[Key, StockItem],
    *,
    reason: str,
    reference: models.Model | None,
    reference_label: str,
    user: object,
    note: str,
    allow_negative: bool,
) -> list[StockMovement]:
    """The writes of `stock_move_many`, for checked moves on rows locked by the caller's
    transaction (no savepoint of its own: it raises before writing anything)."""
    physical = {key: item.physical for key, item in items.items()}
    physical_after = []
    short: set[tuple[str, Warehouse]] = set()
    for move in moves:
        key = _key(move.product, move.warehouse)
        physical[key] += move.quantity
        physical_after.append(physical[key])
        if move.quantity < 0 and physical[key] < 0 and not allow_negative:
            short.add((move.product.sku, move.warehouse))
    if short:
        raise InsufficientStock(
            [sku for sku, _ in short], _only_warehouse(warehouse for _, warehouse in short)
        )
    _add_to_items("physical", {item: physical[key] - item.physical for key, item in items.items()})
    for key, item in items.items():
        item.physical = physical[key]
    reference_type, reference_id, label = movement_reference(reference, reference_label)
    recorded_user = real_user(user)
    return StockMovement.objects.bulk_create(
        StockMovement(
            product=move.product,
            warehouse=move.warehouse,
            quantity=move.quantity,
            reason=reason,
            reference_type=reference_type,
            reference_id=reference_id,
            reference_label=label,
            note=note,
            user=recorded_user,
            physical_after=after,
        )
        for move, after in zip(moves, physical_after, strict=True)
    )


def stock_reserve_many(
    *, warehouse: Warehouse, quantities: Mapping[Product, int], allow_exceed: bool = False
) -> dict[Product, StockItem]:
    """Hold each product's quantity in `warehouse` for an open order, in one transaction.

    When some products lack available stock, `InsufficientStock` lists every short SKU and
    nothing is reserved (unless `allow_exceed`)."""
    wanted = _checked_quantities(quantities, gettext("A reservation needs a positive quantity."))
    if not wanted:
        return {}
    with transaction.atomic():
        items = lock_stock_items((product, warehouse) for product in wanted)
        by_product = {product: items[_key(product, warehouse)] for product in wanted}
        short = [
            product.sku
            for product, quantity in wanted.items()
            if by_product[product].available < quantity
        ]
        if short and not allow_exceed:
            raise InsufficientStock(short, warehouse)
        _add_to_items(
            "reserved", {by_product[product]: quantity for product, quantity in wanted.items()}
        )
        for product, quantity in wanted.items():
            by_product[product].reserved += quantity
    return by_product


def stock_release_many(
    *,
    warehouse: Warehouse,
    quantities: Mapping[Product, int],
    locked_items: Mapping[Key, StockItem] | None = None,
) -> dict[Product, StockItem]:
    """Give back each product's reservation in `warehouse` (order shipped or canceled), in one
    transaction. Releasing more than is reserved for any product raises `InvalidQuantity`
    naming each of them, and nothing is released. `locked_items`: as for `stock_move_many`."""
    wanted = _checked_quantities(quantities, gettext("A release needs a positive quantity."))
    if not wanted:
        return {}
    with transaction.atomic():
        items = _locked(((product, warehouse) for product in wanted), locked_items)
        by_product = {product: items[_key(product, warehouse)] for product in wanted}
        refused = [
            gettext("Cannot release %(quantity)d of %(sku)s: only %(reserved)d reserved.")
            % {"quantity": quantity, "sku": product.sku, "reserved": by_product[product].reserved}
            for product, quantity in sorted(wanted.items(), key=lambda pair: pair[0].sku)
            if by_product[product].reserved < quantity
        ]
        if refused:
            raise InvalidQuantity(" ".join(refused))
        _add_to_items(
            "reserved", {by_product[product]: -quantity for product, quantity in wanted.items()}
        )
        for product, quantity in wanted.items():
            by_product[product].reserved -= quantity
    return by_product
