"""Writes of what integrations believe other systems hold of Connect's products, and of the
batches of stock changes they send.

A belief changes in four ways only, each here:

- a push the other side applied adds what was pushed (`external_stock_pushed`);
- the other side changed its own stock (a sale at its till) and Connect imported that change:
  `external_stock_adjust`, once per key, in the transaction that records the change in Connect;
- the other side's stock was read: `external_stock_set_believed` (the nightly reconciliation);
- a product starts being pushed: `external_stock_ensure` (unknown, or a known quantity).

Pushed changes and adjustments are added with `F()` expressions, never written as a value
read earlier: a sale imported while a push was on its way is neither lost nor counted twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import (
    BooleanField,
    Case,
    DateTimeField,
    F,
    IntegerField,
    Q,
    Value,
    When,
)
from django.utils import timezone

from connect.lookups import AnyOf
from integrations.models import (
    ExternalStock,
    ExternalStockAdjustment,
    ExternalStockPush,
    FlowRun,
    Integration,
)
from integrations.services.marks import stock_clear_marks

# Rows changed by one UPDATE: keeps its parameters far below every database's limit, and a
# stock run's writes at one UPDATE per thousand products, as its reads.
ROWS_PER_UPDATE = 1000
# Rows only stamped as checked by one UPDATE (their ids bound as one array).
CHECKED_PER_UPDATE = 5000


def _add_to_believed(integration: Integration, changes: Mapping[int, int], **also: Any) -> int:
    """Add each product's change to its belief (a None belief stays unknown)."""
    changed = sorted((product_id, change) for product_id, change in changes.items())
    updated = 0
    for start in range(0, len(changed), ROWS_PER_UPDATE):
        chunk = changed[start : start + ROWS_PER_UPDATE]
        change_of_row = Case(
            *(When(product_id=product_id, then=Value(change)) for product_id, change in chunk),
            default=Value(0),
            output_field=IntegerField(),
        )
        updated += ExternalStock.objects.filter(
            integration=integration, product_id__in=[product_id for product_id, _ in chunk]
        ).update(believed=F("believed") + change_of_row, **also)
    return updated


def external_stock_ensure(
    *,
    integration: Integration,
    product_ids: Iterable[int],
    believed: Mapping[int, int | None] | None = None,
) -> int:
    """Start tracking these products' stock for `integration` (rows that exist are left as
    they are): dirty, so the next stock run pushes them, believed at `believed[product]` when
    the other side's quantity is known (None: unknown, read before pushing). Returns how
    many rows were created."""
    believed = believed or {}
    wanted = sorted({int(product_id) for product_id in product_ids})
    if not wanted:
        return 0
    existing = set(
        ExternalStock.objects.filter(
            AnyOf("product_id", wanted), integration=integration
        ).values_list("product_id", flat=True)
    )
    rows = [
        ExternalStock(
            integration=integration, product_id=product_id, believed=believed.get(product_id)
        )
        for product_id in wanted
        if product_id not in existing
    ]
    # A concurrent run creating the same rows: theirs stay, ours are ignored.
    ExternalStock.objects.bulk_create(rows, ignore_conflicts=True)
    return len(rows)


def external_stock_pushed(
    *,
    integration: Integration,
    applied: Mapping[int, int],
    marks: Mapping[int, int],
    at: datetime | None = None,
) -> None:
    """A push was applied by the other side: add each product's pushed change to its belief
    and clear the marks {row id: mark_seq read} that did not move meanwhile, in one
    transaction: one UPDATE per thousand products (and marks) doing both."""
    at = at or timezone.now()
    changes = sorted(applied.items())
    cleared = sorted(marks.items())
    with transaction.atomic(savepoint=False):
        for start in range(0, max(len(changes), len(cleared)), ROWS_PER_UPDATE):
            _pushed_rows(
                integration,
                changes[start : start + ROWS_PER_UPDATE],
                cleared[start : start + ROWS_PER_UPDATE],
                at,
            )


def _pushed_rows(
    integration: Integration,
    changes: list[tuple[int, int]],
    cleared: list[tuple[int, int]],
    at: datetime,
) -> None:
    """One UPDATE: `changes` [(product, change)] added to the beliefs, `cleared` [(row id,
    mark_seq read)] unmarked where the counter did not move."""
    rows = Q()
    fields: dict[str, Any] = {}
    if changes:
        products = [product_id for product_id, _ in changes]
        rows |= Q(product_id__in=products)
        fields["believed"] = F("believed") + Case(
            *(When(product_id=product_id, then=Value(change)) for product_id, change in changes),
            default=Value(0),
            output_field=IntegerField(),
        )
        fields["pushed_at"] = Case(
            When(product_id__in=products, then=Value(at)),
            default=F("pushed_at"),
            output_field=DateTimeField(),
        )
    if cleared:
        rows |= Q(pk__in=[pk for pk, _ in cleared])
        fields["dirty"] = Case(
            *(When(pk=pk, mark_seq=seq, then=Value(False)) for pk, seq in cleared),
            default=F("dirty"),
            output_field=BooleanField(),
        )
    ExternalStock.objects.filter(rows, integration=integration).update(**fields)


def external_stock_set_believed(
    *,
    integration: Integration,
    believed: Mapping[int, int],
    marks: Mapping[int, int] | None = None,
    at: datetime | None = None,
) -> int:
    """The other side's quantities were read (and any drift corrected): set the beliefs
    {product: quantity}, checked at `at`, and clear the marks {row id: mark_seq read} that
    did not move meanwhile. One UPDATE per thousand products."""
    at = at or timezone.now()
    updated = 0
    items = sorted(believed.items())
    with transaction.atomic():
        for start in range(0, len(items), ROWS_PER_UPDATE):
            chunk = items[start : start + ROWS_PER_UPDATE]
            value_of_row = Case(
                *(When(product_id=product_id, then=Value(value)) for product_id, value in chunk),
                output_field=IntegerField(),
            )
            updated += ExternalStock.objects.filter(
                integration=integration, product_id__in=[product_id for product_id, _ in chunk]
            ).update(believed=value_of_row, checked_at=at)
        if marks:
            stock_clear_marks(marks)
    return updated


def external_stock_confirmed(
    *, integration: Integration, product_ids: Iterable[int], at: datetime | None = None
) -> int:
    """The other side was read holding what these products' beliefs say: note when they were
    checked (one UPDATE per five thousand products)."""
    at = at or timezone.now()
    ids = sorted({int(product_id) for product_id in product_ids})
    updated = 0
    for start in range(0, len(ids), CHECKED_PER_UPDATE):
        updated += ExternalStock.objects.filter(
            AnyOf("product_id", ids[start : start + CHECKED_PER_UPDATE]), integration=integration
        ).update(checked_at=at)
    return updated


def external_stock_adjust(
    *, integration: Integration, key: str, changes: Mapping[int, int]
) -> bool:
    """The other side changed its own stock (e.g. ``key="sale:123"``, a sale at its till, with
    ``changes={product id: -2}``): apply the changes to the beliefs once per key, so Connect
    does not push back a change the other side already made. Call it inside the transaction
    that records the same change in Connect. Returns False, changing nothing, when the key was
    already applied."""
    changes = {int(product_id): int(change) for product_id, change in changes.items() if change}
    try:
        with transaction.atomic():
            ExternalStockAdjustment.objects.create(
                integration=integration, key=key, changes={str(k): v for k, v in changes.items()}
            )
            if changes:
                _add_to_believed(integration, changes)
    except IntegrityError:
        return False
    return True


def external_stock_force(
    *, integration: Integration, product_ids: Iterable[int] | None = None
) -> int:
    """*Forcer la resynchronisation*: mark these products (all tracked ones when None) dirty,
    so the next stock run compares and pushes them again."""
    rows = ExternalStock.objects.filter(integration=integration)
    if product_ids is not None:
        rows = rows.filter(product_id__in=list(product_ids))
    return rows.update(dirty=True, mark_seq=F("mark_seq") + 1)


def external_stock_resync(
    *, integration: Integration, scope: str, product_ids: Iterable[int] | None = None
) -> int:
    """*Forcer la resynchronisation* from the Inventaire tab: start tracking the products bound
    in `scope` that are not tracked yet (these, or all when None), then mark them dirty, so
    the next stock run compares them and pushes what differs. Returns how many are marked."""
    from integrations.selectors.external_stock import untracked_bound_products

    wanted = None if product_ids is None else {int(product_id) for product_id in product_ids}
    untracked = untracked_bound_products(integration, scope=scope)
    if wanted is not None:
        untracked = [product_id for product_id in untracked if product_id in wanted]
    with transaction.atomic():
        external_stock_ensure(integration=integration, product_ids=untracked)
        return external_stock_force(integration=integration, product_ids=wanted)


# --- batches of stock changes ----------------------------------------------------------------


def stock_push_open(
    *,
    integration: Integration,
    run: FlowRun | None,
    flow_key: str,
    label: str,
    lines: list[dict[str, Any]] | None = None,
) -> ExternalStockPush | None:
    """Open the integration's stock push with the `lines` it is about to send, before any
    call; None when another one is open (the unique constraint decides, so two runs cannot
    both open one)."""
    try:
        with transaction.atomic():
            return ExternalStockPush.objects.create(
                integration=integration,
                run=run,
                flow_key=flow_key,
                label=label,
                lines=list(lines or []),
            )
    except IntegrityError:
        return None


def stock_push_save(push: ExternalStockPush, **fields: Any) -> ExternalStockPush:
    """Record progress of an open push (its lines, the external id once known) at once."""
    for name, value in fields.items():
        setattr(push, name, value)
    ExternalStockPush.objects.filter(pk=push.pk).update(**fields)
    return push


def stock_push_close(
    push: ExternalStockPush, *, status: str, result: Mapping[str, Any] | None = None
) -> ExternalStockPush:
    push.status = status
    push.result = dict(result or {})
    push.closed_at = timezone.now()
    ExternalStockPush.objects.filter(pk=push.pk).update(
        status=push.status, result=push.result, closed_at=push.closed_at
    )
    return push


def stock_push_take_over(push: ExternalStockPush, run: FlowRun | None) -> ExternalStockPush:
    """A run finishing what a stopped run left open becomes its owner."""
    return stock_push_save(push, run=run)
