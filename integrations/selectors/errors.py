"""Reads of integration errors (the Erreurs tab)."""

from django.db.models import QuerySet

from integrations.models import Integration, IntegrationError


def errors_of(
    integration: Integration,
    *,
    status: str = IntegrationError.Status.OPEN,
    flow_key: str = "",
    code: str = "",
    error_id: int | None = None,
    search: str = "",
) -> QuerySet[IntegrationError]:
    """Newest first; `status` "" for every status; `error_id` narrows to one error (the
    bell's link); `search` matches the record id."""
    errors = IntegrationError.objects.filter(integration=integration)
    if status:
        errors = errors.filter(status=status)
    if flow_key:
        errors = errors.filter(flow_key=flow_key)
    if code:
        errors = errors.filter(code=code)
    if error_id is not None:
        errors = errors.filter(pk=error_id)
    if search:
        errors = errors.filter(record_id__icontains=search.strip())
    return errors.order_by("-last_seen_at", "-id")


def open_error_count(integration: Integration) -> int:
    return IntegrationError.objects.filter(
        integration=integration, status=IntegrationError.Status.OPEN
    ).count()
