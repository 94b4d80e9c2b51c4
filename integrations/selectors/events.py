"""Reads of received events (the Events tab, and the flows that process them)."""

from django.db.models import QuerySet

from integrations.models import Integration, IntegrationEvent


def events_to_process(
    integration: Integration, event_type: str, *, include_failed: bool = True
) -> QuerySet[IntegrationEvent]:
    """Events of `event_type` not done yet, oldest first."""
    events = IntegrationEvent.objects.filter(integration=integration, type=event_type, done=False)
    if not include_failed:
        events = events.filter(failed=False)
    return events.order_by("received_at", "id")


def events_of(
    integration: Integration, *, event_type: str = "", done: bool | None = None
) -> QuerySet[IntegrationEvent]:
    events = IntegrationEvent.objects.filter(integration=integration)
    if event_type:
        events = events.filter(type=event_type)
    if done is not None:
        events = events.filter(done=done)
    return events.order_by("-received_at", "-id")
