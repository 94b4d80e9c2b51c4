"""Writes of external id bindings. The unique constraints make a duplicate impossible; these
functions turn a clash into a clear `BindingConflict` instead of an IntegrityError."""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from integrations.models import ExternalBinding


class BindingConflict(ValueError):
    """The object or the external id is already bound to something else in this scope."""

    def __init__(self, existing: ExternalBinding) -> None:
        super().__init__(
            f"{existing.scope}: {existing.object_type} {existing.object_id} is already bound to "
            f"external id {existing.external_id}"
        )
        self.existing = existing


def binding_bind(
    *,
    scope: str,
    object_type: str,
    object_id: int,
    external_id: str | int,
    pushed_state: Mapping[str, Any] | None = None,
) -> ExternalBinding:
    """Bind, or return the same binding when it already exists (idempotent); raises
    `BindingConflict` when either side is bound to something else."""
    external_id = str(external_id)
    try:
        with transaction.atomic():
            return ExternalBinding.objects.create(
                scope=scope,
                object_type=object_type,
                object_id=object_id,
                external_id=external_id,
                pushed_state=dict(pushed_state or {}),
                pushed_at=timezone.now() if pushed_state else None,
            )
    except IntegrityError:
        pass
    existing = (
        ExternalBinding.objects.filter(scope=scope, object_type=object_type, object_id=object_id)
        | ExternalBinding.objects.filter(
            scope=scope, object_type=object_type, external_id=external_id
        )
    ).first()
    if existing is None:  # pragma: no cover - deleted between the insert and this read
        raise BindingConflict(ExternalBinding(scope=scope, object_type=object_type))
    if existing.object_id == object_id and existing.external_id == external_id:
        return existing
    raise BindingConflict(existing)


def binding_set_pushed_state(
    binding: ExternalBinding, pushed_state: Mapping[str, Any]
) -> ExternalBinding:
    """Record what was just pushed (after the push succeeded)."""
    binding.pushed_state = dict(pushed_state)
    binding.pushed_at = timezone.now()
    ExternalBinding.objects.filter(pk=binding.pk).update(
        pushed_state=binding.pushed_state, pushed_at=binding.pushed_at, updated_at=binding.pushed_at
    )
    return binding


def binding_unbind(*, scope: str, object_type: str, object_id: int) -> int:
    deleted, _ = ExternalBinding.objects.filter(
        scope=scope, object_type=object_type, object_id=object_id
    ).delete()
    return deleted


@dataclass(frozen=True)
class NewBinding:
    object_id: int
    external_id: str
    pushed_state: Mapping[str, Any]
    dirty: bool = False


def bindings_bind_many(
    *, scope: str, object_type: str, bindings: Iterable[NewBinding], batch_size: int = 1000
) -> set[int]:
    """Bind many objects at once (two queries per batch); a pair whose object or external id
    is bound to something else already is left out, as the unique constraints decide. Returns
    the object ids now bound as asked."""
    bound: set[int] = set()
    items = list(bindings)
    now = timezone.now()
    for start in range(0, len(items), batch_size):
        batch = items[start : start + batch_size]
        ExternalBinding.objects.bulk_create(
            [_binding_row(scope, object_type, item, now) for item in batch],
            ignore_conflicts=True,
        )
        wanted = {(item.object_id, str(item.external_id)) for item in batch}
        stored = ExternalBinding.objects.filter(
            scope=scope,
            object_type=object_type,
            object_id__in=[item.object_id for item in batch],
        ).values_list("object_id", "external_id")
        bound.update(
            object_id for object_id, external_id in stored if (object_id, external_id) in wanted
        )
    return bound


def bindings_add_many(
    *, scope: str, bindings: Mapping[str, Iterable[NewBinding]], batch_size: int = 1000
) -> None:
    """Bind objects of several types ({object type: bindings}) in one INSERT per batch, for a
    caller that need not know which were bound already: a pair whose object or external id is
    bound to something else is left out, as the unique constraints decide (what
    `bindings_bind_many` does, without reading the bindings back)."""
    now = timezone.now()
    rows = [
        _binding_row(scope, object_type, item, now)
        for object_type, items in bindings.items()
        for item in items
    ]
    ExternalBinding.objects.bulk_create(rows, batch_size=batch_size, ignore_conflicts=True)


def _binding_row(scope: str, object_type: str, item: NewBinding, now) -> ExternalBinding:
    return ExternalBinding(
        scope=scope,
        object_type=object_type,
        object_id=item.object_id,
        external_id=str(item.external_id),
        pushed_state=dict(item.pushed_state),
        pushed_at=now,
        dirty=item.dirty,
        mark_seq=1 if item.dirty else 0,
    )
