"""Reads of external id bindings, shared by flows and pages."""

from collections.abc import Iterable

from django.db.models import QuerySet

from integrations.models import ExternalBinding, Integration


def binding_scope(integration: Integration, object_type: str) -> str:
    """The scope `integration` binds `object_type` in: its own, or the one its type shares
    across integrations (Hiboutik: the account, for products and customers)."""
    return integration.type_spec.binding_scope(integration, object_type)


def binding_get(*, scope: str, object_type: str, external_id: str | int) -> ExternalBinding | None:
    return ExternalBinding.objects.filter(
        scope=scope, object_type=object_type, external_id=str(external_id)
    ).first()


def binding_for_object(*, scope: str, object_type: str, object_id: int) -> ExternalBinding | None:
    return ExternalBinding.objects.filter(
        scope=scope, object_type=object_type, object_id=object_id
    ).first()


def object_id_for(*, scope: str, object_type: str, external_id: str | int) -> int | None:
    """The Connect id bound to `external_id`, or None."""
    return (
        ExternalBinding.objects.filter(
            scope=scope, object_type=object_type, external_id=str(external_id)
        )
        .values_list("object_id", flat=True)
        .first()
    )


def object_ids_for(
    *, scope: str, object_type: str, external_ids: Iterable[str | int]
) -> dict[str, int]:
    """{external id: Connect id} for those of `external_ids` that are bound (one query)."""
    wanted = {str(external_id) for external_id in external_ids}
    return dict(
        ExternalBinding.objects.filter(
            scope=scope, object_type=object_type, external_id__in=wanted
        ).values_list("external_id", "object_id")
    )


def external_ids_for(*, scope: str, object_type: str, object_ids: Iterable[int]) -> dict[int, str]:
    """{Connect id: external id} for those of `object_ids` that are bound (one query)."""
    return dict(
        ExternalBinding.objects.filter(
            scope=scope, object_type=object_type, object_id__in=set(object_ids)
        ).values_list("object_id", "external_id")
    )


def bindings_in_scope(*, scope: str, object_type: str) -> QuerySet[ExternalBinding]:
    return ExternalBinding.objects.filter(scope=scope, object_type=object_type)
