"""Change tracking: the marks domain services set, in their own transaction, on what another
system must be told about, and that flows clear once they told it.

A mark is a `dirty` flag plus a counter (`mark_seq`) bumped by every marking. A flow reads the
dirty rows with their counters, pushes, and clears only the rows whose counter did not move:
a change committed while it was pushing keeps its row dirty for the next run, and a run that
crashes clears nothing. Each call here is one UPDATE, whatever the number of objects, so a
batch service's query count stays constant.

These are called explicitly by the services (not from model signals), so bulk writes mark too.
"""

from collections.abc import Iterable, Mapping

from django.db.models import F, Q

from integrations.models import ExternalBinding, ExternalStock

# Rows cleared by one UPDATE: keeps its parameters far below every database's limit.
CLEAR_CHUNK = 500


def bindings_mark_changed(*, object_type: str, object_ids: Iterable[int]) -> int:
    """Mark every binding (in every scope) of these objects dirty; returns how many."""
    ids = sorted({int(object_id) for object_id in object_ids})
    if not ids:
        return 0
    return ExternalBinding.objects.filter(object_type=object_type, object_id__in=ids).update(
        dirty=True, mark_seq=F("mark_seq") + 1
    )


def stock_mark_changed(*, product_ids: Iterable[int]) -> int:
    """Mark these products' stock dirty for every integration that pushes it."""
    ids = sorted({int(product_id) for product_id in product_ids})
    if not ids:
        return 0
    return ExternalStock.objects.filter(product_id__in=ids).update(
        dirty=True, mark_seq=F("mark_seq") + 1
    )


def _clear(model, marks: Mapping[int, int]) -> int:
    """Clear `dirty` on rows {pk: mark_seq read} whose counter is unchanged."""
    cleared = 0
    items = sorted(marks.items())
    for start in range(0, len(items), CLEAR_CHUNK):
        condition = Q()
        for pk, seq in items[start : start + CLEAR_CHUNK]:
            condition |= Q(pk=pk, mark_seq=seq)
        cleared += model.objects.filter(condition, dirty=True).update(dirty=False)
    return cleared


def bindings_clear_marks(marks: Mapping[int, int]) -> int:
    """After a push committed: clear the bindings {binding id: mark_seq read} not marked
    again meanwhile; returns how many were cleared."""
    return _clear(ExternalBinding, marks)


def stock_clear_marks(marks: Mapping[int, int]) -> int:
    """As `bindings_clear_marks`, for `ExternalStock` rows."""
    return _clear(ExternalStock, marks)
