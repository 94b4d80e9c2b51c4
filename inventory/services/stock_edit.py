"""Stock quantities typed by people: the mass stock edit grid and its CSV import.

`stock_set_many` saves a whole batch in ONE transaction at a constant number of queries: the
products are read in one query, every stock row is locked in one sorted batch
(`lock_stock_items`), each row is checked in memory against its locked quantities, and the good
rows are written by the batch writes of `stock_batch` (one UPDATE, one INSERT of movements)
inside a savepoint. A bad row costs no query: it is left out of the batch with its error, and
the others save.
"""

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import NamedTuple

from django.db import DatabaseError, transaction
from django.utils import formats
from django.utils.translation import gettext, gettext_noop

from inventory.exceptions import InvalidQuantity
from inventory.models import Product, StockItem, StockMovement, Warehouse
from inventory.services.stock_batch import StockMove, apply_moves, lock_stock_items
from inventory.services.stock_checks import MAX_QUANTITY, check_reason

Reason = StockMovement.Reason

# The reasons a person may give for a typed change (the others are written by the services).
EDIT_REASONS = (Reason.MANUAL, Reason.COUNT, Reason.RECEIPT, Reason.DAMAGE)

# ASCII digits only (int() would also take "1_000" or Arabic-Indic digits), with an optional
# sign: "+5" adds 5, "-3" or "−3" (the typographic minus) removes 3.
ENTRY = re.compile(r"(?P<sign>[+\-\u2212]?)\s*(?P<digits>[0-9]+)")
# More digits than this can only be too large; int() is never asked to read them.
MAX_DIGITS = len(str(MAX_QUANTITY))


class StockDelta(NamedTuple):
    """A relative entry: `change` units added to (or, negative, removed from) the physical
    quantity the row holds when it is saved, whatever it held when the grid was shown."""

    change: int


@dataclass(frozen=True)
class StockEditError:
    """Why a row was not saved: an English message id and its parameters, turned into the
    reader's language (numbers grouped as the language writes them) when shown."""

    code: str
    message: str
    params: Mapping[str, object] = field(default_factory=dict)

    def __str__(self) -> str:
        shown = {
            name: formats.number_format(value, force_grouping=True)
            if isinstance(value, int)
            else value
            for name, value in self.params.items()
        }
        return gettext(self.message) % shown


class StockEditInvalid(InvalidQuantity):
    """A typed quantity that cannot be read; `error` says why."""

    def __init__(self, error: StockEditError) -> None:
        self.error = error
        super().__init__(str(error))


def _error(code: str, message: str, **params: object) -> StockEditError:
    return StockEditError(code, message, params)


def _too_large() -> StockEditError:
    return _error(
        "max_value", gettext_noop("A stock quantity cannot exceed %(max)s."), max=MAX_QUANTITY
    )


def parse_stock_entry(value: object) -> int | StockDelta:
    """What a person typed in a quantity cell: a new quantity (`12`) or a change (`+5`, `-3`).

    Raises `StockEditInvalid` with the reason otherwise."""
    if isinstance(value, StockDelta):
        change = value.change
        if isinstance(change, bool) or not isinstance(change, int):
            raise TypeError(f"A stock change is a whole number, not {change!r}.")
        if abs(change) > MAX_QUANTITY:
            raise StockEditInvalid(_too_large())
        return value
    if isinstance(value, bool):
        raise StockEditInvalid(
            _error("invalid", gettext_noop("“%(value)s” is not a whole number."), value=str(value))
        )
    if isinstance(value, int):
        if value < 0:
            raise StockEditInvalid(_negative())
        if value > MAX_QUANTITY:
            raise StockEditInvalid(_too_large())
        return value
    text = str(value).strip()
    if not text:
        raise StockEditInvalid(_error("required", gettext_noop("Enter a quantity (0 or more).")))
    match = ENTRY.fullmatch(text)
    if match is None:
        raise StockEditInvalid(
            _error("invalid", gettext_noop("“%(value)s” is not a whole number."), value=text[:40])
        )
    digits = match["digits"].lstrip("0") or "0"
    if len(digits) > MAX_DIGITS or int(digits) > MAX_QUANTITY:
        raise StockEditInvalid(_too_large())
    number = int(digits)
    if match["sign"] == "+":
        return StockDelta(number)
    if match["sign"]:
        return StockDelta(-number)
    return number


def parse_stock_quantity(value: object) -> int:
    """A stock count typed by a person: a whole number ≥ 0 (surrounding spaces allowed)."""
    try:
        entry = parse_stock_entry(value)
    except StockEditInvalid:
        raise InvalidQuantity(gettext("Enter a whole number of 0 or more.")) from None
    if isinstance(entry, StockDelta):
        if entry.change < 0:
            raise InvalidQuantity(gettext("Enter a whole number of 0 or more."))
        return entry.change
    return entry


def _negative() -> StockEditError:
    return _error("min_value", gettext_noop("A stock quantity cannot be negative."))


def check_new_quantity(entry: int | StockDelta, item: StockItem | None) -> int | StockEditError:
    """The physical quantity `entry` gives the row `item` (None: no stock row yet), or why it
    is refused.

    Physical stock is never lowered below what open orders have reserved: those units are
    promised, and a count that finds fewer means an order cannot be served as it stands. The
    operator ships or cancels those orders (or counts again) first, so available stock never
    goes negative without anyone deciding it. Raising a quantity that is already below its
    reservations is allowed: it only makes things better.
    """
    physical = item.physical if item is not None else 0
    reserved = item.reserved if item is not None else 0
    if isinstance(entry, StockDelta):
        new = physical + entry.change
        if new < 0:
            return _error(
                "min_value",
                gettext_noop(
                    "Removing %(removed)s from %(physical)s would leave %(result)s: a stock "
                    "quantity cannot be negative."
                ),
                removed=-entry.change,
                physical=physical,
                result=new,
            )
        if new > MAX_QUANTITY:
            return _too_large()
    else:
        new = entry
    if new < reserved and new < physical:
        return _error(
            "below_reserved",
            gettext_noop(
                "%(reserved)s are reserved for open orders: the physical quantity cannot go "
                "below that. Ship or cancel those orders first, or count again."
            ),
            reserved=reserved,
        )
    return new


@dataclass
class StockSetManyResult:
    """Outcome per product id: the movement (None when unchanged) or the error."""

    movements: dict[int, StockMovement | None] = field(default_factory=dict)
    errors: dict[int, StockEditError] = field(default_factory=dict)

    @property
    def changed(self) -> list[StockMovement]:
        return [movement for movement in self.movements.values() if movement is not None]


def stock_set_many(
    *,
    warehouse: Warehouse,
    quantities: Mapping[int, object] | Iterable[tuple[int, object]],
    reason: str = Reason.MANUAL,
    user: object = None,
    note: str = "",
) -> StockSetManyResult:
    """Set (`12`) or adjust (`StockDelta(+5)`, or the text `"+5"`) many products' physical
    stock in one warehouse, keyed by product id.

    A bad row — unknown product, unreadable or out-of-range quantity, below what open orders
    reserved — saves nothing of itself and is reported in `errors`; every other row is saved,
    so the operator only fixes and resubmits the rows in error. One transaction, a constant
    number of queries whatever the number of rows: see the module's docstring.
    """
    check_reason(reason)
    rows = list(quantities.items()) if isinstance(quantities, Mapping) else list(quantities)
    result = StockSetManyResult()
    entries: dict[int, int | StockDelta] = {}
    for product_id, raw in rows:
        try:
            entries[product_id] = parse_stock_entry(raw)
        except StockEditInvalid as invalid:
            result.errors[product_id] = invalid.error
    products = Product.objects.in_bulk(list(entries)) if entries else {}
    for product_id in [pk for pk in entries if pk not in products]:
        del entries[product_id]
        result.errors[product_id] = _error("unknown_product", gettext_noop("Unknown product."))
    if not entries:
        return result

    with transaction.atomic():
        items = lock_stock_items((products[pk], warehouse) for pk in entries)
        moves: list[StockMove] = []
        for product_id in sorted(entries):
            new = check_new_quantity(entries[product_id], items[product_id, warehouse.pk])
            if isinstance(new, StockEditError):
                result.errors[product_id] = new
                continue
            difference = new - items[product_id, warehouse.pk].physical
            result.movements[product_id] = None
            if difference:
                moves.append(StockMove(products[product_id], warehouse, difference))
        written = _write(moves, items, reason=reason, user=user, note=note, errors=result.errors)
        result.movements.update(written)
    return result


def _write(
    moves: list[StockMove],
    items: dict[tuple[int, int], StockItem],
    *,
    reason: str,
    user: object,
    note: str,
    errors: dict[int, StockEditError],
) -> dict[int, StockMovement]:
    """Write the checked moves as one batch in a savepoint. Should the database still refuse
    it (every rule it enforces is checked above, so only a fault can), each row is retried in
    its own savepoint so that one row alone is lost: slower, and only on that path."""
    if not moves:
        return {}
    options = {
        "reason": reason,
        "reference": None,
        "reference_label": "",
        "user": user,
        "note": note,
        "allow_negative": True,
    }
    try:
        with transaction.atomic():
            movements = apply_moves(moves, items, **options)
    except DatabaseError:
        written = {}
        for move in moves:
            try:
                with transaction.atomic():
                    row = lock_stock_items([(move.product, move.warehouse)])
                    (written[move.product.pk],) = apply_moves([move], row, **options)
            except DatabaseError:
                errors[move.product.pk] = _error(
                    "not_saved", gettext_noop("The database refused this row: try again.")
                )
        return written
    return {movement.product_id: movement for movement in movements}
