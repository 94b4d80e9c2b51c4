"""The Events tab: what the other side sent (webhooks), whether a flow processed it
(*Terminé*), its payload, and *Retraiter* to process one again now."""

import json

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_GET, require_POST

from integrations import tasks
from integrations.forms import EventFilterForm
from integrations.models import IntegrationEvent
from integrations.selectors.events import events_of
from integrations.views.pages import OPERATE, integration_view, page_of, render_tab

PAGE_SIZE = 50
# The row polls this many times (once a second) for the outcome of *Retraiter*.
MAX_POLLS = 60


def _processing_flows(integration) -> set[str]:
    return {
        event_type
        for flow in integration.type_spec.flows
        if flow.can_process_events()
        for event_type in flow.events
    }


@require_GET
@integration_view(OPERATE)
def events(request: HttpRequest, integration) -> HttpResponse:
    form = EventFilterForm(request.GET or None, integration=integration)
    found = events_of(integration, **form.selection()).defer("payload")
    if search := form.search():
        found = found.filter(external_id__icontains=search)
    page = page_of(request, found, PAGE_SIZE)
    return render_tab(
        request,
        integration,
        "events",
        "integrations/tabs/events.html",
        {
            "filter_form": form,
            "page_obj": page,
            "events": page.object_list,
            "reprocessable": _processing_flows(integration),
        },
    )


@require_GET
@integration_view(OPERATE)
def event_payload(request: HttpRequest, integration, event_pk: int) -> HttpResponse:
    event = get_object_or_404(IntegrationEvent, pk=event_pk, integration=integration)
    text = json.dumps(event.payload, indent=2, ensure_ascii=False, sort_keys=True, default=str)
    return render(request, "integrations/event_payload.html", {"event": event, "text": text})


@require_POST
@integration_view(OPERATE)
def event_reprocess(request: HttpRequest, integration, event_pk: int) -> HttpResponse:
    """*Retraiter*: process the event now in the worker; the row then polls for the outcome."""
    event = get_object_or_404(IntegrationEvent, pk=event_pk, integration=integration)
    waiting = not event.done and event.type in _processing_flows(integration)
    if waiting:
        tasks.enqueue_event(event.pk)
    return _row(request, integration, event, wait_after=event.attempts if waiting else None)


@require_GET
@integration_view(OPERATE)
def event_row(request: HttpRequest, integration, event_pk: int) -> HttpResponse:
    event = get_object_or_404(IntegrationEvent, pk=event_pk, integration=integration)
    try:
        after, polls = int(request.GET["after"]), int(request.GET.get("n", "0"))
    except (KeyError, ValueError):
        return _row(request, integration, event)
    finished = event.done or (event.attempts > after and event.claimed_at is None)
    if finished or polls >= MAX_POLLS:
        return _row(request, integration, event, timed_out=not finished)
    return _row(request, integration, event, wait_after=after, polls=polls + 1)


def _row(request, integration, event, *, wait_after=None, polls=0, timed_out=False):
    return render(
        request,
        "integrations/event_row.html",
        {
            "integration": integration,
            "event": event,
            "reprocessable": _processing_flows(integration),
            "wait_after": wait_after,
            "polls": polls,
            "timed_out": timed_out,
        },
    )
