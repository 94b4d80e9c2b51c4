"""The Erreurs tab's writes: record a failed record once, resolve it, delete it, ask a retry."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from integrations.models import FlowRun, Integration, IntegrationError


def error_record(
    *,
    integration: Integration,
    flow_key: str,
    record_type: str,
    record_id: str,
    code: str,
    message: str,
    params: Mapping[str, Any] | None = None,
    detail: str = "",
    payload: Any = None,
    run: FlowRun | None = None,
) -> tuple[IntegrationError, bool]:
    """Open an error for the record, or update the open one (one more attempt, the latest
    message); returns it and whether it is new. `message` is an untranslated message id
    (`gettext_noop`) filled with `params` when shown. A payload of None keeps the stored one."""
    record_id = str(record_id)
    values = {
        "code": code,
        "message": message,
        "params": dict(params or {}),
        "detail": detail,
        "last_seen_at": timezone.now(),
        "run": run,
    }
    if payload is not None:
        values["payload"] = payload
    open_errors = IntegrationError.objects.filter(
        integration=integration,
        flow_key=flow_key,
        record_type=record_type,
        record_id=record_id,
        status=IntegrationError.Status.OPEN,
    )
    for _ in range(2):
        if open_errors.update(attempts=F("attempts") + 1, **values):
            return open_errors.get(), False
        try:
            with transaction.atomic():
                error = IntegrationError.objects.create(
                    integration=integration,
                    flow_key=flow_key,
                    record_type=record_type,
                    record_id=record_id,
                    **values,
                )
        except IntegrityError:
            continue  # another worker opened it between our update and insert: update it
        _notify_new_error(error)
        return error, True
    raise RuntimeError("could not record the integration error")  # pragma: no cover


def _notify_new_error(error: IntegrationError) -> None:
    from integrations.services.notifications import notify_error

    notify_error(error)


def error_resolve(
    *,
    integration: Integration,
    flow_key: str,
    record_type: str,
    record_id: str,
    message: str = "",
    params: Mapping[str, Any] | None = None,
    user=None,
) -> int:
    """The record went through: close its open error, if any, with `message` (e.g. "The order
    was imported."). Returns how many were closed (0 or 1)."""
    return IntegrationError.objects.filter(
        integration=integration,
        flow_key=flow_key,
        record_type=record_type,
        record_id=str(record_id),
        status=IntegrationError.Status.OPEN,
    ).update(
        status=IntegrationError.Status.RESOLVED,
        resolved_at=timezone.now(),
        resolved_by=user,
        result_message=message,
        result_params=dict(params or {}),
        retry_requested_at=None,
        retry_started_at=None,
    )


def errors_resolve_records(
    *,
    integration: Integration,
    flow_key: str,
    record_type: str,
    record_ids: Iterable[str | int],
    message: str = "",
    params: Mapping[str, Any] | None = None,
) -> int:
    """`error_resolve` for many records that went through together, one UPDATE per thousand
    records, so a batch flow's query count does not grow with its records."""
    ids = sorted({str(record_id) for record_id in record_ids})
    closed = 0
    for start in range(0, len(ids), 1000):
        closed += IntegrationError.objects.filter(
            integration=integration,
            flow_key=flow_key,
            record_type=record_type,
            record_id__in=ids[start : start + 1000],
            status=IntegrationError.Status.OPEN,
        ).update(
            status=IntegrationError.Status.RESOLVED,
            resolved_at=timezone.now(),
            result_message=message,
            result_params=dict(params or {}),
            retry_requested_at=None,
            retry_started_at=None,
        )
    return closed


def errors_delete(errors: Iterable[IntegrationError], *, user=None) -> int:
    """*Supprimer*: the operator decided the record needs nothing more (e.g. a refund sale
    Connect does not import). Kept as deleted, for the record."""
    return IntegrationError.objects.filter(
        pk__in=[error.pk for error in errors], status=IntegrationError.Status.OPEN
    ).update(
        status=IntegrationError.Status.DELETED,
        resolved_at=timezone.now(),
        resolved_by=user,
        retry_requested_at=None,
    )


def errors_request_retry(errors: Iterable[IntegrationError], *, user=None) -> list[int]:
    """*Réessayer*: record the request on each open error not already waiting for a retry,
    then enqueue one task per error once committed. Returns the ids actually requested: an
    error two operators retry at once is requested (and retried) once. The request stays on
    the row until the retry ran, so a task lost with its worker is enqueued again by
    `integrations.tasks.recover`."""
    from integrations.tasks import enqueue_error_retry

    now = timezone.now()
    requested = []
    for error in errors:
        claimed = IntegrationError.objects.filter(
            pk=error.pk, status=IntegrationError.Status.OPEN, retry_requested_at__isnull=True
        ).update(retry_requested_at=now, retry_requested_by=user, retry_started_at=None)
        if claimed:
            requested.append(error.pk)
            enqueue_error_retry(error.pk)
    return requested
