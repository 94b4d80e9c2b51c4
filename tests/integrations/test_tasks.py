"""The periodic recovery task: work a lost message or a dead worker left undone."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from integrations import tasks
from integrations.models import FlowRun, IntegrationEvent
from integrations.registry import ReceivedEvent
from integrations.services.events import event_receive

pytestmark = pytest.mark.django_db


def _waiting_events(integration, count: int, age: timedelta) -> None:
    for number in range(count):
        event_receive(integration, ReceivedEvent("ping", str(number), {"number": number}))
    IntegrationEvent.objects.filter(integration=integration).update(
        last_received_at=timezone.now() - age
    )


def test_waiting_events_run_their_flow_once_reading_one_row_per_flow(make_integration, monkeypatch):
    integration = make_integration()
    _waiting_events(integration, 5, age=tasks.REQUEUE_AFTER + timedelta(minutes=1))
    enqueued = []
    monkeypatch.setattr(tasks, "enqueue_run", lambda *args: enqueued.append(args))

    with CaptureQueriesContext(connection) as queries:
        started = tasks._run_flows_with_waiting_events(timezone.now())

    assert started == 1
    assert enqueued == [(integration.pk, "count", FlowRun.Trigger.RECOVERY)]
    # The waiting events read as one (integration, type) row, then that integration once:
    # not one integration lookup per waiting event.
    assert len(queries) == 2


def test_recent_done_or_failed_events_are_left_to_the_flow(make_integration, monkeypatch):
    integration = make_integration()
    _waiting_events(integration, 3, age=tasks.REQUEUE_AFTER + timedelta(minutes=1))
    events = IntegrationEvent.objects.filter(integration=integration).order_by("external_id")
    IntegrationEvent.objects.filter(pk=events[0].pk).update(done=True)
    IntegrationEvent.objects.filter(pk=events[1].pk).update(failed=True)
    IntegrationEvent.objects.filter(pk=events[2].pk).update(last_received_at=timezone.now())
    enqueued = []
    monkeypatch.setattr(tasks, "enqueue_run", lambda *args: enqueued.append(args))

    assert tasks._run_flows_with_waiting_events(timezone.now()) == 0
    assert enqueued == []
