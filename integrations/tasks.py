"""Celery tasks of the integrations: thin, taking ids only (never a secret), each calling the
runner, all safe to run twice. Enqueue them through the `enqueue_*` helpers, which wait for the
current transaction to commit.

Nothing depends on a message surviving: every task is re-derivable from the database
(`recover`, every few minutes): a run left running by a dead worker is marked errored and its
flow run again, a pending run whose message was lost is enqueued again, a retry requested from
the Erreurs tab stays recorded on the error until it ran, and a received event stays not done
until a flow processed it.
"""

import logging
from datetime import timedelta

from celery import shared_task
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from integrations import runner
from integrations.models import FlowRun, Integration, IntegrationError, IntegrationEvent
from integrations.registry import Transient, find_type

log = logging.getLogger("integrations.tasks")

# How long a request may wait in the queue before recovery enqueues it again (duplicates are
# harmless: whoever claims first runs, the others stop).
REQUEUE_AFTER = timedelta(minutes=10)


def enqueue_run(integration_id: int, flow_key: str, trigger: str, run_id: int | None = None):
    transaction.on_commit(
        lambda: run_flow.apply_async(
            kwargs={
                "integration_id": integration_id,
                "flow_key": flow_key,
                "trigger": trigger,
                "run_id": run_id,
            }
        )
    )


def enqueue_error_retry(error_id: int) -> None:
    transaction.on_commit(lambda: retry_error.apply_async(kwargs={"error_id": error_id}))


def enqueue_event(event_id: int) -> None:
    transaction.on_commit(lambda: process_event.apply_async(kwargs={"event_id": event_id}))


@shared_task(bind=True, name="integrations.run_flow", max_retries=None)
def run_flow(
    self, integration_id: int, flow_key: str, trigger: str = "schedule", run_id: int | None = None
) -> str | None:
    """Run one flow of one integration; a run the other side refused for now is retried with
    a countdown (the run stays pending meanwhile, so nothing overlaps it)."""
    outcome = runner.run_flow(integration_id, flow_key, trigger, run_id=run_id)
    if outcome.run is None:
        return None
    if outcome.retry_in is not None:
        raise self.retry(
            kwargs={
                "integration_id": integration_id,
                "flow_key": flow_key,
                "trigger": trigger,
                "run_id": outcome.run.pk,
            },
            countdown=outcome.retry_in,
        )
    return outcome.run.status


@shared_task(name="integrations.retry_error")
def retry_error(error_id: int, user_id: int | None = None) -> str | None:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    outcome = runner.retry_error(error_id, user=user)
    return outcome.run.status if outcome.run else None


@shared_task(name="integrations.process_event")
def process_event(event_id: int) -> str | None:
    outcome = runner.process_event(event_id)
    return outcome.run.status if outcome.run else None


@shared_task(bind=True, name="integrations.register_webhook", max_retries=8)
def register_webhook(self, integration_id: int, base_url: str | None = None) -> str | None:
    """Register the integration's webhook URL with the other side (the demo runs it before
    the simulator answers: connection refused is transient and retried)."""
    from integrations.services.webhooks import webhook_register

    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None:
        return None
    try:
        return webhook_register(integration, base_url=base_url)
    except Exception as error:
        spec = find_type(integration.type)
        classified = spec.classify_error(error) if spec else None
        if isinstance(classified, Transient):
            # Short waits: the usual cause is the other side still starting (the demo).
            countdown = max(classified.retry_after or 0, min(60, 2 ** (self.request.retries + 1)))
            raise self.retry(countdown=countdown) from error
        raise


@shared_task(name="integrations.recover")
def recover() -> dict[str, int]:
    """Find in the database the work a lost message or a dead worker left undone."""
    now = timezone.now()
    counts = {"interrupted": 0, "requeued_runs": 0, "requeued_retries": 0, "event_flows": 0}
    silent = now - runner.stale_after()
    for run in FlowRun.objects.filter(
        Q(heartbeat_at__lt=silent) | Q(heartbeat_at__isnull=True, started_at__lt=silent),
        status=FlowRun.Status.RUNNING,
    ).select_related("integration"):
        if runner.mark_interrupted(run):
            counts["interrupted"] += 1
            if not run.target:
                enqueue_run(run.integration_id, run.flow_key, FlowRun.Trigger.RECOVERY)
    for run in FlowRun.objects.filter(
        Q(retry_at__isnull=True, created_at__lt=now - REQUEUE_AFTER)
        | Q(retry_at__lt=now - REQUEUE_AFTER),
        status=FlowRun.Status.PENDING,
    ):
        counts["requeued_runs"] += 1
        enqueue_run(run.integration_id, run.flow_key, run.trigger, run.pk)
    claimed_long_ago = now - runner.retry_claim_stale_after()
    for error_id in IntegrationError.objects.filter(
        Q(retry_started_at__isnull=True) | Q(retry_started_at__lt=claimed_long_ago),
        status=IntegrationError.Status.OPEN,
        retry_requested_at__lt=now - REQUEUE_AFTER,
    ).values_list("pk", flat=True):
        counts["requeued_retries"] += 1
        enqueue_error_retry(error_id)
    counts["event_flows"] = _run_flows_with_waiting_events(now)
    if any(counts.values()):
        log.info("Recovered: %s", counts)
    return counts


def _run_flows_with_waiting_events(now) -> int:
    """Events received a while ago and still not done (the webhook's task was lost, or its
    run was skipped): run their flow. Failed ones wait for the flow's own schedule."""
    waiting = (
        IntegrationEvent.objects.filter(
            Q(claimed_at__isnull=True) | Q(claimed_at__lt=now - runner.stale_after()),
            done=False,
            failed=False,
            last_received_at__lt=now - REQUEUE_AFTER,
        )
        # Without the model's ordering, DISTINCT gives one row per (integration, type), not
        # one per waiting event.
        .order_by()
        .values_list("integration", "type")
        .distinct()
    )
    started = set()
    for integration_id, event_type in waiting:
        integration = Integration.objects.filter(pk=integration_id, enabled=True).first()
        spec = find_type(integration.type) if integration else None
        for flow in spec.flows if spec else ():
            if event_type in flow.events and (integration_id, flow.key) not in started:
                started.add((integration_id, flow.key))
                enqueue_run(integration_id, flow.key, FlowRun.Trigger.RECOVERY)
    return len(started)
