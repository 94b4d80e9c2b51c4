"""Reads of the stock integrations push: which tracked products changed, what Connect has
available of them, what the other side is believed to hold. Shared by the stock flows and the
Inventaire tab, so both see one definition of "available" and of "up to date"."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db.models import (
    BooleanField,
    Case,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce

from integrations.models import ExternalBinding, ExternalStock, ExternalStockPush, Integration
from inventory.models import Product, StockItem

# Rows read by one query: one inventory input gathers every batch of a run.
BATCH_SIZE = 1000


@dataclass(frozen=True)
class TrackedStock:
    """One tracked product as a stock flow sees it."""

    row_id: int
    product_id: int
    sku: str
    mark_seq: int
    believed: int | None  # None: the other side's quantity is not known yet
    available: int  # Connect's physical − reserved, summed over the pushed warehouses
    external_id: str | None  # None: no longer bound
    dirty: bool = True


def available_stock(warehouse_ids: Sequence[int], product: str = "product_id") -> Coalesce:
    """Connect's available stock (physical − reserved) of the outer row's `product`, summed
    over `warehouse_ids`; 0 when it has no stock row there."""
    total = (
        StockItem.objects.filter(product_id=OuterRef(product), warehouse_id__in=warehouse_ids)
        .order_by()
        .values("product_id")
        .annotate(total=Sum(F("physical") - F("reserved")))
        .values("total")
    )
    return Coalesce(Subquery(total, output_field=IntegerField()), Value(0))


def _bound_ref(scope: str, product: str = "product_id") -> Subquery:
    return Subquery(
        ExternalBinding.objects.filter(
            scope=scope, object_type="product", object_id=OuterRef(product)
        ).values("external_id")[:1]
    )


def _tracked(integration: Integration, *, scope: str, warehouse_ids: Sequence[int]) -> QuerySet:
    return ExternalStock.objects.filter(integration=integration).annotate(
        available=available_stock(warehouse_ids),
        external_ref=_bound_ref(scope),
        sku=F("product__sku"),
    )


_FIELDS = (
    "pk",
    "product_id",
    "sku",
    "mark_seq",
    "believed",
    "available",
    "external_ref",
    "dirty",
)


def _rows(queryset: QuerySet) -> list[TrackedStock]:
    return [TrackedStock(*values) for values in queryset.values_list(*_FIELDS)]


def tracked_stock_batches(
    integration: Integration,
    *,
    scope: str,
    warehouse_ids: Sequence[int],
    dirty_only: bool = True,
    batch_size: int = BATCH_SIZE,
) -> Iterator[list[TrackedStock]]:
    """The integration's tracked products (the dirty ones only, by default), `batch_size` a
    query, in row order: one query per batch, whatever the batch holds, and one more to list
    the rows when all are read.

    Each batch's rows are chosen on the table alone before Connect's stock and the bindings
    are looked up for them, so the database never does that for more rows than the batch
    holds, however stale its statistics (a catalogue bound in bulk moments before)."""
    queryset = _tracked(integration, scope=scope, warehouse_ids=warehouse_ids)
    if not dirty_only:
        ids = list(
            ExternalStock.objects.filter(integration=integration)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for start in range(0, len(ids), batch_size):
            chunk = ids[start : start + batch_size]
            # A range of ids, not a list of them: the index on (integration, id) answers it.
            batch = queryset.filter(pk__gte=chunk[0], pk__lte=chunk[-1]).order_by("pk")
            yield _rows(batch)
        return
    marked = ExternalStock.objects.filter(integration=integration, dirty=True)
    after = 0
    while True:
        # One row more than the batch: a last full batch needs no query to learn it was.
        chosen = marked.filter(pk__gt=after).order_by("pk").values("pk")[: batch_size + 1]
        batch = _rows(queryset.filter(pk__in=Subquery(chosen)).order_by("pk"))
        if len(batch) <= batch_size:
            if batch:
                yield batch
            return
        yield batch[:batch_size]
        after = batch[batch_size - 1].row_id


def untracked_bound_products(integration: Integration, *, scope: str) -> list[int]:
    """Connect products bound in `scope` whose stock `integration` does not track yet (one
    query)."""
    return list(
        ExternalBinding.objects.filter(scope=scope, object_type="product")
        .filter(Exists(Product.objects.filter(pk=OuterRef("object_id"))))
        .exclude(
            Exists(
                ExternalStock.objects.filter(
                    integration=integration, product_id=OuterRef("object_id")
                )
            )
        )
        .order_by("object_id")
        .values_list("object_id", flat=True)
    )


def open_stock_push(integration: Integration) -> ExternalStockPush | None:
    """The integration's stock push a run left open, with its run (one query)."""
    return (
        ExternalStockPush.objects.filter(
            integration=integration, status=ExternalStockPush.Status.OPEN
        )
        .select_related("run")
        .first()
    )


def last_stock_push_at(integration: Integration, flow_key: str) -> datetime | None:
    """When the flow's last applied push closed."""
    return (
        ExternalStockPush.objects.filter(
            integration=integration, flow_key=flow_key, status=ExternalStockPush.Status.APPLIED
        )
        .order_by("-closed_at")
        .values_list("closed_at", flat=True)
        .first()
    )


# --- the Inventaire tab ----------------------------------------------------------------------


def stock_sync_rows(
    integration: Integration, *, scope: str, warehouse_ids: Sequence[int], sku: str = ""
) -> QuerySet:
    """Every bound product with its stock as the Inventaire tab lists it, by SKU: Connect's
    available stock, the quantity the other side is believed to hold, whether they agree
    (`up_to_date`: believed equals available and no change waits to be pushed) and when it
    was last pushed. A bound product not tracked yet has no belief and is not up to date."""
    tracked = ExternalStock.objects.filter(integration=integration, product_id=OuterRef("pk"))
    rows = (
        Product.objects.filter(
            Exists(
                ExternalBinding.objects.filter(
                    scope=scope, object_type="product", object_id=OuterRef("pk")
                )
            )
        )
        .annotate(
            available=available_stock(warehouse_ids, "pk"),
            believed=Subquery(tracked.values("believed")[:1]),
            dirty=Subquery(tracked.values("dirty")[:1]),
            pushed_at=Subquery(tracked.values("pushed_at")[:1]),
            external_ref=_bound_ref(scope, "pk"),
        )
        .annotate(
            up_to_date=Case(
                When(Q(believed=F("available"), dirty=False), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            )
        )
        .order_by("sku")
    )
    if sku:
        rows = rows.filter(sku__icontains=sku.strip())
    return rows
