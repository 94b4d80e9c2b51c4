"""Stock writes. Every change of physical stock leaves a `StockMovement`.

Concurrency: each write locks the product × warehouse `StockItem` row (`SELECT … FOR UPDATE` on
PostgreSQL; SQLite serialises writers at BEGIN IMMEDIATE) and applies the change with an `F()`
expression, so two concurrent decrements can never both read the same old quantity.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.db import models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext

from inventory.exceptions import InsufficientStock, InvalidQuantity, InvalidReason
from inventory.models import Product, StockItem, StockMovement, Warehouse

Reason = StockMovement.Reason


def _lock_stock_item(product: Product, warehouse: Warehouse) -> StockItem:
    """The locked StockItem row, created at zero when missing.

    Creation uses INSERT … ON CONFLICT DO NOTHING: two transactions creating the same row at once
    both succeed, one of them inserts, and both then lock the single row.
    """
    # of=("self",): lock the stock row only, not the joined product and warehouse rows (that
    # would queue every stock change of a warehouse behind each other).
    items = StockItem.objects.select_for_update(of=("self",)).select_related("product", "warehouse")
    try:
        return items.get(product=product, warehouse=warehouse)
    except StockItem.DoesNotExist:
        StockItem.objects.bulk_create(
            [StockItem(product=product, warehouse=warehouse)], ignore_conflicts=True
        )
        return items.get(product=product, warehouse=warehouse)


def check_int(value: object, *, name: str = "quantity") -> int:
    # bool is an int subclass; True as a quantity is always a bug upstream.
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQuantity(
            gettext("%(name)s must be a whole number, not %(value)r.")
            % {"name": name, "value": value}
        )
    return value


def check_reason(reason: str) -> str:
    if reason not in Reason.values:
        raise InvalidReason(
            gettext("Unknown stock movement reason: %(reason)r.") % {"reason": reason}
        )
    return reason


def real_user(user: object) -> object | None:
    return user if getattr(user, "is_authenticated", False) else None


def movement_reference(
    reference: models.Model | None, reference_label: str
) -> tuple[ContentType | None, str, str]:
    """(content type, id, label) recording what caused a movement.

    `get_for_model` is served from ContentType's per-process cache after its first call.
    """
    if reference is None:
        return None, "", reference_label[:200]
    return (
        ContentType.objects.get_for_model(reference),
        str(reference.pk),
        (reference_label or str(reference))[:200],
    )


def _apply_movement(
    item: StockItem,
    *,
    quantity: int,
    reason: str,
    reference: models.Model | None,
    reference_label: str,
    user: object,
    note: str,
    allow_negative: bool,
) -> StockMovement:
    new_physical = item.physical + quantity
    if quantity < 0 and new_physical < 0 and not allow_negative:
        raise InsufficientStock([item.product.sku], item.warehouse)
    StockItem.objects.filter(pk=item.pk).update(
        physical=F("physical") + quantity, updated_at=timezone.now()
    )
    item.physical = new_physical
    reference_type, reference_id, reference_label = movement_reference(reference, reference_label)
    return StockMovement.objects.create(
        product=item.product,
        warehouse=item.warehouse,
        quantity=quantity,
        reason=reason,
        reference_type=reference_type,
        reference_id=reference_id,
        reference_label=reference_label,
        note=note,
        user=real_user(user),
        physical_after=new_physical,
    )


def stock_move(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    reason: str,
    reference: models.Model | None = None,
    reference_label: str = "",
    user: object = None,
    note: str = "",
    allow_negative: bool = False,
) -> StockMovement:
    """Add (`quantity` > 0) or remove (< 0) physical stock and record the movement.

    Removing more than the physical quantity raises `InsufficientStock` unless `allow_negative`
    (for sales that already happened elsewhere and must be recorded anyway).
    """
    quantity = check_int(quantity)
    check_reason(reason)
    if quantity == 0:
        raise InvalidQuantity(gettext("A stock movement needs a non-zero quantity."))
    with transaction.atomic():
        item = _lock_stock_item(product, warehouse)
        return _apply_movement(
            item,
            quantity=quantity,
            reason=reason,
            reference=reference,
            reference_label=reference_label,
            user=user,
            note=note,
            allow_negative=allow_negative,
        )


def stock_set(
    *,
    product: Product,
    warehouse: Warehouse,
    quantity: int,
    reason: str = Reason.MANUAL,
    reference: models.Model | None = None,
    reference_label: str = "",
    user: object = None,
    note: str = "",
) -> StockMovement | None:
    """Make the physical quantity equal `quantity`, recording the difference as a movement.

    Returns None (and writes nothing) when the quantity is already right.
    """
    quantity = check_int(quantity)
    check_reason(reason)
    if quantity < 0:
        raise InvalidQuantity(gettext("A stock quantity cannot be negative."))
    with transaction.atomic():
        item = _lock_stock_item(product, warehouse)
        difference = quantity - item.physical
        if difference == 0:
            return None
        return _apply_movement(
            item,
            quantity=difference,
            reason=reason,
            reference=reference,
            reference_label=reference_label,
            user=user,
            note=note,
            allow_negative=True,
        )


def stock_reserve(
    *, product: Product, warehouse: Warehouse, quantity: int, allow_exceed: bool = False
) -> StockItem:
    """Hold `quantity` for an open order: it stays physical but is no longer available."""
    quantity = check_int(quantity)
    if quantity <= 0:
        raise InvalidQuantity(gettext("A reservation needs a positive quantity."))
    with transaction.atomic():
        item = _lock_stock_item(product, warehouse)
        if item.available < quantity and not allow_exceed:
            raise InsufficientStock([product.sku], warehouse)
        StockItem.objects.filter(pk=item.pk).update(
            reserved=F("reserved") + quantity, updated_at=timezone.now()
        )
        item.reserved += quantity
        return item


def stock_release(*, product: Product, warehouse: Warehouse, quantity: int) -> StockItem:
    """Give back a reservation (order shipped or canceled)."""
    quantity = check_int(quantity)
    if quantity <= 0:
        raise InvalidQuantity(gettext("A release needs a positive quantity."))
    with transaction.atomic():
        item = _lock_stock_item(product, warehouse)
        if item.reserved < quantity:
            raise InvalidQuantity(
                gettext("Cannot release %(quantity)d of %(sku)s: only %(reserved)d reserved.")
                % {"quantity": quantity, "sku": product.sku, "reserved": item.reserved}
            )
        StockItem.objects.filter(pk=item.pk).update(
            reserved=F("reserved") - quantity, updated_at=timezone.now()
        )
        item.reserved -= quantity
        return item


def parse_stock_quantity(value: object) -> int:
    """A stock count typed by a person: a whole number ≥ 0 (surrounding spaces allowed)."""
    if isinstance(value, bool):
        raise InvalidQuantity(gettext("Enter a whole number of 0 or more."))
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not text.lstrip("+").isdigit():
            raise InvalidQuantity(gettext("Enter a whole number of 0 or more."))
        number = int(text)
    if number < 0:
        raise InvalidQuantity(gettext("Enter a whole number of 0 or more."))
    return number


@dataclass
class StockSetManyResult:
    """Outcome per product id: the movement (None when unchanged) or the error message."""

    movements: dict[int, StockMovement | None] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)

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
    """Set many products' physical stock in one warehouse (the mass stock edit page).

    One transaction per row, by design: a bad row (unknown product, not a whole number ≥ 0)
    saves nothing of that row and is reported in `errors`, while the good rows are saved, so
    the operator only has to fix and resubmit the rows shown in error.
    """
    rows = list(quantities.items()) if isinstance(quantities, Mapping) else list(quantities)
    products = Product.objects.in_bulk([product_id for product_id, _ in rows])
    result = StockSetManyResult()
    # Product-id order: concurrent mass edits lock rows in the same order, never deadlock.
    for product_id, raw in sorted(rows, key=lambda row: row[0]):
        product = products.get(product_id)
        if product is None:
            result.errors[product_id] = gettext("Unknown product.")
            continue
        try:
            quantity = parse_stock_quantity(raw)
            result.movements[product_id] = stock_set(
                product=product,
                warehouse=warehouse,
                quantity=quantity,
                reason=reason,
                user=user,
                note=note,
            )
        except InvalidQuantity as error:
            result.errors[product_id] = str(error)
    return result


def stock_missing(
    *, warehouse: Warehouse, quantities: Mapping[Product, int], field_name: str = "physical"
) -> dict[Product, int]:
    """For each product, how much is lacking in `warehouse` to cover the quantity (0 omitted).

    `field_name` is "physical" (goods on the shelf) or "available" (not yet reserved). It reads
    without locking: it lists every short product for a clear error up front, while the writes
    that follow re-check under their row lock.
    """
    items = StockItem.objects.filter(
        warehouse=warehouse, product__in=[product.pk for product in quantities]
    )
    on_hand = {item.product_id: getattr(item, field_name) for item in items}
    missing = {}
    for product, wanted in quantities.items():
        # Negative stock counts as a debt: covering it brings the shelf back to zero.
        lacking = wanted - on_hand.get(product.pk, 0)
        if lacking > 0:
            missing[product] = lacking
    return missing
