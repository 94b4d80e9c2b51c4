"""Single-record runs: retrying one error from the Erreurs tab, reprocessing one event."""

import pytest

from integrations import runner
from integrations.models import FlowRun, IntegrationError, IntegrationEvent
from integrations.registry import ReceivedEvent
from integrations.services.errors import errors_request_retry
from integrations.services.events import event_receive
from tests.integrations.counting import CountingFlow

pytestmark = pytest.mark.django_db


@pytest.fixture
def failed(make_integration):
    """An integration whose record 2 failed once."""
    integration = make_integration(records=2, fail=[2])
    runner.run_flow(integration.pk, "count", "schedule")
    CountingFlow.handled.clear()
    return integration, IntegrationError.objects.get()


def test_a_retry_that_works_resolves_the_error_with_what_happened(failed):
    integration, error = failed
    integration.config = {}
    integration.save()
    outcome = runner.retry_error(error.pk)
    error.refresh_from_db()
    assert error.status == IntegrationError.Status.RESOLVED
    assert error.result() == "Thing 2 handled."
    assert outcome.run.status == FlowRun.Status.SUCCEEDED
    assert outcome.run.trigger == FlowRun.Trigger.RETRY
    assert outcome.run.target == f"error:{error.pk}"
    assert CountingFlow.handled == ["2"]


def test_a_retry_that_fails_again_counts_the_attempt_and_says_why(failed):
    _integration, error = failed
    outcome = runner.retry_error(error.pk)
    error.refresh_from_db()
    assert error.status == IntegrationError.Status.OPEN
    assert error.attempts == 2
    assert error.result() == "Thing 2 refused."
    assert error.retry_requested_at is None and error.retry_started_at is None
    assert outcome.run.status == FlowRun.Status.FAILED


def test_a_retry_does_not_wait_for_the_flow_slot(failed):
    integration, error = failed
    FlowRun.objects.create(
        integration=integration, flow_key="count", trigger="schedule", status="running"
    )
    integration.config = {}
    integration.save()
    assert runner.retry_error(error.pk).run.status == FlowRun.Status.SUCCEEDED


def test_an_error_already_being_retried_is_not_retried_twice(failed):
    integration, error = failed
    integration.config = {}
    integration.save()
    IntegrationError.objects.filter(pk=error.pk).update(retry_started_at=error.last_seen_at)
    assert runner.retry_error(error.pk).run is None
    assert CountingFlow.handled == []


def test_a_retry_claimed_minutes_ago_still_holds_the_error(failed):
    # Longer than a silent run is given (FLOW_RUN_STALE_SECONDS), shorter than five minutes:
    # the retry writes no heartbeat on the error, so its claim lasts longer.
    from datetime import timedelta

    from django.utils import timezone

    integration, error = failed
    integration.config = {}
    integration.save()
    claimed = timezone.now() - timedelta(minutes=3)
    IntegrationError.objects.filter(pk=error.pk).update(retry_started_at=claimed)
    assert runner.retry_error(error.pk).run is None
    IntegrationError.objects.filter(pk=error.pk).update(
        retry_started_at=claimed - timedelta(minutes=3)
    )
    assert runner.retry_error(error.pk).run.status == FlowRun.Status.SUCCEEDED


def test_a_closed_error_is_not_retried(failed):
    _integration, error = failed
    IntegrationError.objects.filter(pk=error.pk).update(status="deleted")
    assert runner.retry_error(error.pk).run is None


def test_a_flow_that_cannot_retry_says_so(make_integration):
    integration = make_integration(records=1, fail=[1])
    runner.run_flow(integration.pk, "manual", "schedule")
    error = IntegrationError.objects.get()
    outcome = runner.retry_error(error.pk)
    assert outcome.run.status == FlowRun.Status.SKIPPED
    error.refresh_from_db()
    assert error.result() == "Ce flux ne sait pas réessayer un seul enregistrement."
    assert error.status == IntegrationError.Status.OPEN


def test_two_retry_requests_at_once_enqueue_one_retry(failed, django_capture_on_commit_callbacks):
    _integration, error = failed
    with django_capture_on_commit_callbacks() as callbacks:
        first = errors_request_retry([error])
        second = errors_request_retry([error])
    assert first == [error.pk]
    assert second == []
    assert len(callbacks) == 1
    error.refresh_from_db()
    assert error.retry_requested_at is not None  # recorded before any task ran


def test_an_event_is_processed_once_and_linked_to_what_it_made(make_integration):
    integration = make_integration()
    event, created = event_receive(integration, ReceivedEvent("ping", "7", {"ping": "7"}))
    assert created
    outcome = runner.process_event(event.pk)
    event.refresh_from_db()
    assert event.done and event.processed_at
    assert event.result() == "Ping processed."
    assert event.links == [{"type": "order", "id": 1, "label": "CMD-1"}]
    assert outcome.run.target == f"event:{event.pk}"
    assert runner.process_event(event.pk).run is None  # done: nothing more
    runner.run_flow(integration.pk, "count", "schedule")
    assert CountingFlow.handled == ["event:7"]


def test_the_flow_run_picks_up_events_not_done(make_integration):
    integration = make_integration()
    for ping in ("1", "2", "bad3"):
        event_receive(
            integration, ReceivedEvent("ping", ping, {"ping": ping, "bad": ping.startswith("bad")})
        )
    runner.run_flow(integration.pk, "count", "webhook")
    done = dict(IntegrationEvent.objects.values_list("external_id", "done"))
    assert done == {"1": True, "2": True, "bad3": False}
    bad = IntegrationEvent.objects.get(external_id="bad3")
    assert bad.failed and bad.result() == "Bad ping."
    assert bad.claimed_at is None
    assert CountingFlow.handled == ["event:1", "event:2"]
