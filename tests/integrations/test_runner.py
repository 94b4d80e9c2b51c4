"""The runner: statuses, counts, errors, overlap, stale runs, retries of a transient refusal."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from integrations import runner
from integrations.models import FlowRun, IntegrationError
from integrations.services.integrations import integration_set_enabled
from tests.integrations.counting import CountingFlow

pytestmark = pytest.mark.django_db


def run(integration, flow_key="count", trigger="manual"):
    return runner.run_flow(integration.pk, flow_key, trigger).run


def running_run(integration, last_beat):
    """A scheduled run of the counting flow, running, whose last heartbeat was at `last_beat`."""
    return FlowRun.objects.create(
        integration=integration,
        flow_key="count",
        trigger="schedule",
        status="running",
        started_at=last_beat,
        heartbeat_at=last_beat,
    )


def test_a_clean_run_succeeds_with_its_counts_and_log(make_integration):
    integration = make_integration(records=3)
    done = run(integration)
    done.refresh_from_db()
    assert done.status == FlowRun.Status.SUCCEEDED
    assert (done.seen, done.created, done.failed) == (3, 3, 0)
    assert done.started_at and done.finished_at and done.finished_at >= done.started_at
    assert [line["text"] for line in done.log_lines()] == ["Counted 3."]
    assert done.trigger == "manual"
    assert CountingFlow.handled == ["1", "2", "3"]


def test_failed_records_make_the_run_partial_and_open_one_error_each(make_integration):
    integration = make_integration(records=3, fail=[2])
    done = run(integration)
    assert done.status == FlowRun.Status.PARTIAL
    assert (done.seen, done.created, done.failed) == (3, 2, 1)
    error = IntegrationError.objects.get()
    assert (error.record_type, error.record_id, error.code) == ("thing", "2", "thing_refused")
    assert error.text() == "Thing 2 refused."
    assert error.detail == "raw detail"
    assert error.payload == {"number": 2}
    assert error.run == done
    assert error.attempts == 1


def test_a_record_failing_again_updates_its_error_instead_of_duplicating_it(make_integration):
    integration = make_integration(records=2, fail=[1, 2])
    assert run(integration).status == FlowRun.Status.FAILED
    run(integration)
    assert IntegrationError.objects.count() == 2
    assert set(IntegrationError.objects.values_list("attempts", flat=True)) == {2}


def test_a_record_that_goes_through_later_closes_its_error(make_integration):
    integration = make_integration(records=2, fail=[2])
    run(integration)
    integration.config = {"records": 2}
    integration.save()
    run(integration)
    error = IntegrationError.objects.get()
    assert error.status == IntegrationError.Status.RESOLVED
    assert error.resolved_at is not None


def test_an_unexpected_exception_errors_the_run_with_its_traceback(make_integration):
    done = run(make_integration(**{"raise": "unexpected"}))
    assert done.status == FlowRun.Status.ERRORED
    assert "ZeroDivisionError" in done.traceback
    assert done.reason() == "Erreur inattendue : ZeroDivisionError: boom"


@pytest.mark.parametrize(
    ("kind", "code", "text"),
    [
        ("failure", "refused", "Refused: refused by the other side"),
        ("flow_failed", "config_incomplete", "Fill in the store."),
    ],
)
def test_expected_failures_fail_the_run_with_their_reason(make_integration, kind, code, text):
    done = run(make_integration(**{"raise": kind}))
    assert done.status == FlowRun.Status.FAILED
    assert done.reason_code == code
    assert done.reason() == text
    assert done.traceback == ""


def test_a_transient_refusal_puts_the_run_back_to_pending_with_a_retry_time(make_integration):
    integration = make_integration(**{"raise": "transient", "retry_after": 400})
    outcome = runner.run_flow(integration.pk, "count", "schedule")
    done = outcome.run
    done.refresh_from_db()
    assert done.status == FlowRun.Status.PENDING
    assert done.retries == 1
    assert 400 <= outcome.retry_in <= 900  # Retry-After obeyed, capped
    assert done.retry_at > timezone.now() + timedelta(seconds=390)
    assert done.reason_code == "retrying"
    # Meanwhile another trigger is skipped: the retry holds the flow's slot.
    skipped = run(integration, trigger="schedule")
    assert skipped.status == FlowRun.Status.SKIPPED
    assert skipped.reason_code == "retry_scheduled"


def test_the_retried_task_resumes_the_same_run_and_gives_up_after_the_maximum(
    make_integration, settings
):
    settings.FLOW_RUN_MAX_RETRIES = 2
    integration = make_integration(**{"raise": "transient"})
    outcome = runner.run_flow(integration.pk, "count", "schedule")
    run_id = outcome.run.pk
    for expected_retries in (2,):
        FlowRun.objects.filter(pk=run_id).update(retry_at=timezone.now())
        outcome = runner.run_flow(integration.pk, "count", "schedule", run_id=run_id)
        assert outcome.run.pk == run_id
        assert outcome.run.retries == expected_retries
        assert outcome.retry_in is not None
    FlowRun.objects.filter(pk=run_id).update(retry_at=timezone.now())
    outcome = runner.run_flow(integration.pk, "count", "schedule", run_id=run_id)
    assert outcome.retry_in is None
    final = FlowRun.objects.get(pk=run_id)
    assert final.status == FlowRun.Status.FAILED
    assert final.reason_code == "gave_up"
    assert final.retries == 2
    assert FlowRun.objects.count() == 1


def test_an_early_duplicate_of_a_retry_message_does_nothing(make_integration):
    integration = make_integration(**{"raise": "transient", "retry_after": 600})
    run_id = runner.run_flow(integration.pk, "count", "schedule").run.pk
    assert runner.run_flow(integration.pk, "count", "schedule", run_id=run_id).run is None
    assert FlowRun.objects.get(pk=run_id).status == FlowRun.Status.PENDING


def test_a_trigger_while_the_flow_runs_is_skipped(make_integration):
    integration = make_integration(records=1)
    running = running_run(integration, timezone.now())
    skipped = run(integration)
    assert skipped.status == FlowRun.Status.SKIPPED
    assert skipped.reason_code == "already_running"
    assert skipped.reason() == f"L’exécution n° {running.pk} de ce flux est toujours en cours."
    assert CountingFlow.handled == []


def test_a_run_silent_too_long_is_marked_errored_and_the_trigger_runs(make_integration):
    integration = make_integration(records=1)
    long_ago = timezone.now() - timedelta(hours=1)
    dead = running_run(integration, long_ago)
    fresh = run(integration)
    assert fresh.status == FlowRun.Status.SUCCEEDED
    dead.refresh_from_db()
    assert dead.status == FlowRun.Status.ERRORED
    assert dead.reason_code == "interrupted"
    assert dead.finished_at is not None


def test_a_run_is_taken_over_after_three_missed_heartbeats_not_before(make_integration, settings):
    integration = make_integration(records=1)
    beat = timedelta(seconds=settings.FLOW_RUN_HEARTBEAT_SECONDS)
    last_beat = timezone.now() - 2 * beat - timedelta(seconds=5)
    alive = running_run(integration, last_beat)
    assert run(integration).reason_code == "already_running"  # two beats missed: alive
    FlowRun.objects.filter(pk=alive.pk).update(heartbeat_at=last_beat - beat)

    fresh = run(integration)

    assert fresh.status == FlowRun.Status.SUCCEEDED
    alive.refresh_from_db()
    assert (alive.status, alive.reason_code) == (FlowRun.Status.ERRORED, "interrupted")


def test_a_requested_run_is_pending_then_claimed_once(
    make_integration, django_capture_on_commit_callbacks
):
    integration = make_integration(records=1)
    with django_capture_on_commit_callbacks() as callbacks:
        requested = runner.request_run(integration, "count")
    assert requested.status == FlowRun.Status.PENDING
    assert len(callbacks) == 1  # the task is enqueued after commit
    again = runner.request_run(integration, "count")
    assert again.status == FlowRun.Status.SKIPPED
    first = runner.run_flow(integration.pk, "count", "manual", run_id=requested.pk)
    second = runner.run_flow(integration.pk, "count", "manual", run_id=requested.pk)
    assert first.run.status == FlowRun.Status.SUCCEEDED
    assert second.run is None
    assert CountingFlow.handled == ["1"]


def test_a_scheduled_trigger_takes_over_a_pending_run_whose_message_was_lost(make_integration):
    integration = make_integration(records=1)
    pending = FlowRun.objects.create(
        integration=integration, flow_key="count", trigger="manual", status="pending"
    )
    taken = run(integration, trigger="schedule")
    assert taken.pk == pending.pk
    assert FlowRun.objects.get(pk=pending.pk).status == FlowRun.Status.SUCCEEDED


def test_a_disabled_integration_skips_its_runs(make_integration):
    integration = make_integration(records=1)
    integration_set_enabled(integration, False)
    skipped = run(integration)
    assert skipped.status == FlowRun.Status.SKIPPED
    assert skipped.reason() == "L’intégration est désactivée."


def test_an_unknown_flow_is_skipped_with_its_name(make_integration):
    skipped = run(make_integration(), flow_key="nope")
    assert skipped.status == FlowRun.Status.SKIPPED
    with translation.override("en"):
        assert skipped.reason() == "This integration has no flow nope."


def test_a_deleted_integration_runs_nothing(make_integration):
    integration = make_integration()
    pk = integration.pk
    integration.delete()
    assert runner.run_flow(pk, "count", "schedule").run is None


def test_the_cursor_saved_by_one_run_is_read_by_the_next(make_integration):
    integration = make_integration()
    first = run(integration)
    from integrations.flows import FlowContext
    from integrations.registry import get_type

    ctx = FlowContext(first, integration, get_type("counting"))
    ctx.save_cursor({"sale_id": 41})
    second = FlowRun.objects.create(integration=integration, flow_key="count", trigger="manual")
    assert FlowContext(second, integration, get_type("counting")).previous_cursor == {"sale_id": 41}
