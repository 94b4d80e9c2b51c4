"""Running flows: claiming a run, executing it, closing it with the right status.

Whole-flow runs never overlap per (integration, flow): a partial unique index allows one
pending or running run; a trigger arriving meanwhile is recorded as *skipped* at once. A run
whose worker died (no sign of life for `FLOW_RUN_STALE_SECONDS`) is marked *errored* by the
next trigger, which then runs. A pending run (requested from the page, or waiting for a task
retry) can be claimed by whichever task reaches it first; the others find it taken and stop.

How a run ends:

- *succeeded*: nothing failed; *partial*: some records failed, others went through; *failed*:
  every record it tried failed, or the flow raised `FlowFailed`, or the type classified the
  exception as a `Failure` (credentials refused, quota spent...);
- *errored*: an unexpected exception, kept with its traceback; also a run found dead;
- *skipped*: it did not start (already running, integration disabled, quota reserved for
  essential flows or spent), with the reason;
- a `Transient` problem (the other side is busy or down after the client's own short waits)
  puts the run back to *pending* with `retry_at`, and the task retries it with a countdown
  (exponential backoff with jitter, `integrations.retries`), at most `FLOW_RUN_MAX_RETRIES`
  times, every retry counted on the run.

Single-record runs — retrying one error, reprocessing one event — are runs too (`target` set)
but do not take the flow's slot: an operator's retry never waits for the 5-minute run.
"""

from __future__ import annotations

import logging
import socket
import threading
import traceback
from dataclasses import dataclass
from datetime import timedelta

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_noop

from integrations.flows import Flow, FlowContext, FlowFailed, NotRetryable, RecordError, Resolved
from integrations.metering import metered
from integrations.models import FlowRun, Integration, IntegrationError, IntegrationEvent
from integrations.registry import Failure, IntegrationType, Transient, find_type
from integrations.retries import retry_delay

log = logging.getLogger("integrations.runner")

REASONS = {
    "integration_disabled": gettext_noop("The integration is disabled."),
    "unknown_type": gettext_noop("Integration type %(type)s is not installed."),
    "unknown_flow": gettext_noop("This integration has no flow %(flow)s."),
    "already_running": gettext_noop("Run #%(run)s of this flow is still going on."),
    "retry_scheduled": gettext_noop("Run #%(run)s of this flow will be retried at %(at)s."),
    "quota_blocked": gettext_noop(
        "The monthly API quota of %(account)s is spent: nothing calls it until the month changes."
    ),
    "quota_reserved": gettext_noop(
        "95 %% of the monthly API quota of %(account)s is used: only essential flows run "
        "until the month changes."
    ),
    "interrupted": gettext_noop(
        "The run stopped without finishing (its worker was stopped or killed); the next run "
        "takes over."
    ),
    "time_limit": gettext_noop("The run took longer than the time limit and was stopped."),
    "retrying": gettext_noop("%(problem)s; retry %(retry)s in %(delay)s s."),
    "gave_up": gettext_noop("%(problem)s; gave up after %(retries)s retries."),
    "unexpected": gettext_noop("Unexpected error: %(error)s"),
    "not_retryable": gettext_noop("This flow cannot retry one record."),
}


@dataclass
class RunOutcome:
    run: FlowRun | None
    retry_in: float | None = None


def stale_after() -> timedelta:
    """How long a running run may stay silent: its heartbeat beats every
    FLOW_RUN_HEARTBEAT_SECONDS, so a few missed beats mean its worker is gone."""
    return timedelta(seconds=settings.FLOW_RUN_STALE_SECONDS)


def retry_claim_stale_after() -> timedelta:
    """How long a retry of one error holds its claim on the error: nothing refreshes that
    claim while the retry runs, so it lasts at least five minutes however soon a silent run is
    declared dead."""
    return max(stale_after(), timedelta(minutes=5))


def _reason(run: FlowRun, code: str, /, **params) -> None:
    run.reason_code = code
    run.reason_message = REASONS[code]
    run.reason_params = params


# --- requesting and claiming -----------------------------------------------------------------


def request_run(
    integration: Integration, flow_key: str, *, trigger: str = FlowRun.Trigger.MANUAL
) -> FlowRun:
    """*Exécuter maintenant*: a pending run, enqueued once committed; or, when the flow is
    already active, a skipped run saying so (returned at once, nothing enqueued)."""
    from integrations.tasks import enqueue_run

    try:
        with transaction.atomic():
            run = FlowRun.objects.create(
                integration=integration,
                flow_key=flow_key,
                trigger=trigger,
                status=FlowRun.Status.PENDING,
            )
    except IntegrityError:
        return _skip_for_active(integration, flow_key, trigger)
    enqueue_run(integration.pk, flow_key, trigger, run.pk)
    return run


def _skip_for_active(integration: Integration, flow_key: str, trigger: str) -> FlowRun:
    run = FlowRun(
        integration=integration,
        flow_key=flow_key,
        trigger=trigger,
        status=FlowRun.Status.SKIPPED,
        finished_at=timezone.now(),
    )
    active = _active(integration, flow_key)
    if active is not None and active.status == FlowRun.Status.PENDING and active.retry_at:
        _reason(run, "retry_scheduled", run=active.pk, at=active.retry_at.isoformat())
    else:
        _reason(run, "already_running", run=active.pk if active else "?")
    run.save()
    return run


def _active(integration: Integration, flow_key: str) -> FlowRun | None:
    return FlowRun.objects.filter(
        integration=integration, flow_key=flow_key, status__in=FlowRun.ACTIVE, target=""
    ).first()


def _start_fields(run: FlowRun) -> dict:
    now = timezone.now()
    run.status, run.started_at, run.heartbeat_at = FlowRun.Status.RUNNING, now, now
    run.worker = _worker_name()
    return {
        "status": run.status,
        "started_at": run.started_at,
        "heartbeat_at": now,
        "worker": run.worker,
        "retry_at": None,
    }


def _claim_pending(run_id: int) -> FlowRun | None:
    """Take a pending run that is due; None when another task took it or it is not due."""
    run = FlowRun.objects.filter(pk=run_id).select_related("integration").first()
    if run is None or run.status != FlowRun.Status.PENDING:
        return None
    if run.retry_at is not None and run.retry_at > timezone.now() + timedelta(seconds=5):
        return None  # an early duplicate of the retry message
    fields = _start_fields(run)
    taken = FlowRun.objects.filter(pk=run_id, status=FlowRun.Status.PENDING).update(**fields)
    return run if taken else None


def _claim_new(integration: Integration, flow_key: str, trigger: str) -> FlowRun:
    """A running run, or a skipped one when the flow is active and alive."""
    for _ in range(2):
        run = FlowRun(integration=integration, flow_key=flow_key, trigger=trigger)
        _start_fields(run)
        try:
            with transaction.atomic():
                run.save()
            return run
        except IntegrityError:
            active = _active(integration, flow_key)
            if active is None:
                continue  # it finished meanwhile
            if active.status == FlowRun.Status.PENDING and (
                active.retry_at is None or active.retry_at <= timezone.now()
            ):
                taken = _claim_pending(active.pk)
                if taken is not None:
                    taken.integration = integration
                    return taken
            if active.status == FlowRun.Status.RUNNING and mark_interrupted(active):
                continue
            break
    return _skip_for_active(integration, flow_key, trigger)


def mark_interrupted(run: FlowRun) -> bool:
    """Mark `run` errored if it shows no sign of life for longer than the stale delay (its
    worker died); True when it was marked, here or by someone else."""
    limit = timezone.now() - stale_after()
    if (run.heartbeat_at or run.started_at or run.created_at) > limit:
        return False
    updated = FlowRun.objects.filter(
        Q(heartbeat_at__lt=limit) | Q(heartbeat_at__isnull=True),
        pk=run.pk,
        status=FlowRun.Status.RUNNING,
    ).update(
        status=FlowRun.Status.ERRORED,
        finished_at=timezone.now(),
        reason_code="interrupted",
        reason_message=REASONS["interrupted"],
        reason_params={},
    )
    if updated:
        log.warning("Run %s of %s:%s found interrupted", run.pk, run.integration_id, run.flow_key)
    return (
        True
        if updated
        else not FlowRun.objects.filter(pk=run.pk, status=FlowRun.Status.RUNNING).exists()
    )


# --- preflight -------------------------------------------------------------------------------


def _preflight(
    integration: Integration, spec: IntegrationType | None, flow_key: str
) -> tuple[str, dict] | None:
    """Why the flow must not run now, or None."""
    if spec is None:
        return "unknown_type", {"type": integration.type}
    if not spec.has_flow(flow_key):
        return "unknown_flow", {"flow": flow_key}
    if not integration.enabled:
        return "integration_disabled", {}
    from integrations.selectors.quota import integration_quota_use

    use = integration_quota_use(integration)
    if use is not None:
        if use.blocked:
            return "quota_blocked", {"account": use.account_key}
        if use.essential_only and not spec.flow(flow_key).essential:
            return "quota_reserved", {"account": use.account_key}
    return None


def _record_skip(
    integration: Integration, flow_key: str, trigger: str, code: str, params: dict, target=""
) -> FlowRun:
    run = FlowRun(
        integration=integration,
        flow_key=flow_key,
        trigger=trigger,
        status=FlowRun.Status.SKIPPED,
        target=target,
        finished_at=timezone.now(),
    )
    _reason(run, code, **params)
    run.save()
    return run


# --- whole-flow runs -------------------------------------------------------------------------


def run_flow(
    integration_id: int, flow_key: str, trigger: str, *, run_id: int | None = None
) -> RunOutcome:
    """Run one flow now, in this process: what `integrations.run_flow` and the `run_flow`
    command do."""
    integration = Integration.objects.filter(pk=integration_id).first()
    if integration is None:
        log.warning("Integration %s no longer exists; flow %s not run", integration_id, flow_key)
        return RunOutcome(None)
    spec = find_type(integration.type)
    refusal = _preflight(integration, spec, flow_key)
    if run_id is not None:
        run = _claim_pending(run_id)
        if run is None:
            return RunOutcome(None)
        if refusal is not None:
            _finish_skipped(run, *refusal)
            return RunOutcome(run)
    else:
        if refusal is not None:
            return RunOutcome(_record_skip(integration, flow_key, trigger, *refusal))
        run = _claim_new(integration, flow_key, trigger)
        if run.status == FlowRun.Status.SKIPPED:
            return RunOutcome(run)
    run.integration = integration
    return _execute(run, spec, lambda flow: flow.run())


def _finish_skipped(run: FlowRun, code: str, params: dict) -> None:
    _reason(run, code, **params)
    run.status, run.finished_at = FlowRun.Status.SKIPPED, timezone.now()
    run.save()


def _execute(run: FlowRun, spec: IntegrationType, body) -> RunOutcome:
    flow_class = spec.flow(run.flow_key)
    ctx = FlowContext(run, run.integration, spec)
    heartbeat = _Heartbeat(run.pk)
    retry_in = None
    with metered(run.flow_key, essential=flow_class.essential) as meter:
        # A run resumed after a transient refusal carries on counting from its earlier attempts.
        meter.add(run.api_calls)
        ctx.meter = meter
        heartbeat.start()
        try:
            result = body(flow_class(ctx))
        except Exception as error:
            retry_in = _close_on_error(run, spec, error)
        except BaseException:
            # The process is going away (shutdown, interrupt): say so before it does.
            run.status, run.finished_at = FlowRun.Status.ERRORED, timezone.now()
            _reason(run, "interrupted")
            raise
        else:
            _close_on_success(run, result)
        finally:
            heartbeat.stop()
            ctx.close()
            _save_closed(run, ctx)
    _after_run(run)
    return RunOutcome(run, retry_in)


def _close_on_success(run: FlowRun, result) -> None:
    run.finished_at = timezone.now()
    if isinstance(result, Resolved):
        run.status = FlowRun.Status.SUCCEEDED
    elif run.failed and (run.seen > run.failed or run.created or run.updated):
        run.status = FlowRun.Status.PARTIAL
    elif run.failed:
        run.status = FlowRun.Status.FAILED
    else:
        run.status = FlowRun.Status.SUCCEEDED


def _close_on_error(run: FlowRun, spec: IntegrationType, error: BaseException) -> float | None:
    """Record how the run ended; the countdown before its task retries it, or None."""
    run.finished_at = timezone.now()
    if isinstance(error, SoftTimeLimitExceeded):
        run.status = FlowRun.Status.ERRORED
        _reason(run, "time_limit")
        return None
    if isinstance(error, FlowFailed):
        run.status = FlowRun.Status.FAILED
        run.reason_code, run.reason_message, run.reason_params = (
            error.code,
            error.message,
            error.params,
        )
        return None
    if isinstance(error, RecordError):  # a single-record run's record failed
        run.status = FlowRun.Status.FAILED
        run.reason_code, run.reason_message, run.reason_params = (
            error.code,
            error.message,
            error.params,
        )
        return None
    classified = spec.classify_error(error) if isinstance(error, Exception) else None
    if isinstance(classified, Failure):
        run.status = FlowRun.Status.FAILED
        run.reason_code, run.reason_message, run.reason_params = (
            classified.code,
            classified.message,
            dict(classified.params),
        )
        if classified.detail:
            run.traceback = classified.detail
        return None
    if isinstance(classified, Transient):
        problem = str(error)[:300]
        if run.retries < settings.FLOW_RUN_MAX_RETRIES:
            delay = retry_delay(run.retries, classified.retry_after)
            run.retries += 1
            run.status = FlowRun.Status.PENDING
            run.finished_at = None
            run.retry_at = timezone.now() + timedelta(seconds=delay)
            _reason(run, "retrying", problem=problem, retry=run.retries, delay=round(delay))
            return delay
        run.status = FlowRun.Status.FAILED
        _reason(run, "gave_up", problem=problem, retries=run.retries)
        return None
    run.status = FlowRun.Status.ERRORED
    _reason(run, "unexpected", error=f"{type(error).__name__}: {str(error)[:300]}")
    run.traceback = "".join(traceback.format_exception(error))[-20_000:]
    log.exception("Flow %s of integration %s errored", run.flow_key, run.integration_id)
    return None


def _save_closed(run: FlowRun, ctx: FlowContext) -> None:
    ctx.save_progress(force=True)
    if run.status == FlowRun.Status.PENDING and run.target:
        # A single-record run is not retried by its own task: its error or event stays
        # waiting for recovery or the next run, and this run ends failed.
        run.status, run.finished_at = FlowRun.Status.FAILED, timezone.now()
    FlowRun.objects.filter(pk=run.pk).update(
        status=run.status,
        finished_at=run.finished_at,
        retry_at=run.retry_at,
        retries=run.retries,
        reason_code=run.reason_code,
        reason_message=run.reason_message,
        reason_params=run.reason_params,
        traceback=run.traceback,
        api_calls=run.api_calls,
    )


def _after_run(run: FlowRun) -> None:
    """Quota warnings, once the calls of the run are counted."""
    if not run.api_calls:
        return
    from integrations.selectors.quota import integration_quota_use
    from integrations.services.quota import quota_warn

    use = integration_quota_use(run.integration)
    if use is not None:
        quota_warn(run.integration, use)


# --- single-record runs ----------------------------------------------------------------------


def retry_error(error_id: int, *, user=None) -> RunOutcome:
    """Retry the one record of an open error through its flow; at most one retry of an error
    at a time (claimed with a conditional UPDATE), so two operators import it once."""
    now = timezone.now()
    claimed = IntegrationError.objects.filter(
        Q(retry_started_at__isnull=True) | Q(retry_started_at__lt=now - retry_claim_stale_after()),
        pk=error_id,
        status=IntegrationError.Status.OPEN,
    ).update(retry_started_at=now)
    if not claimed:
        IntegrationError.objects.filter(pk=error_id).exclude(
            status=IntegrationError.Status.OPEN
        ).update(retry_requested_at=None)
        return RunOutcome(None)
    error = IntegrationError.objects.select_related("integration").get(pk=error_id)
    integration = error.integration
    spec = find_type(integration.type)
    target = f"error:{error.pk}"
    refusal = _preflight(integration, spec, error.flow_key)
    if refusal is None and not spec.flow(error.flow_key).can_retry():
        refusal = ("not_retryable", {})
    if refusal is not None:
        _error_retry_done(error, *_refusal_message(refusal))
        return RunOutcome(
            _record_skip(integration, error.flow_key, FlowRun.Trigger.RETRY, *refusal, target)
        )
    run = FlowRun(
        integration=integration,
        flow_key=error.flow_key,
        trigger=FlowRun.Trigger.RETRY,
        target=target,
    )
    _start_fields(run)
    run.save()
    outcome = _execute(run, spec, lambda flow: _retry_body(flow, error, user))
    if run.status == FlowRun.Status.SUCCEEDED:
        return outcome
    if run.reason_code == "retrying":
        # Transient: the request stays recorded; recovery enqueues it again after the delay.
        IntegrationError.objects.filter(pk=error.pk).update(retry_started_at=None)
    else:
        _error_retry_done(error, run.reason_message, run.reason_params)
    return outcome


def _retry_body(flow: Flow, error: IntegrationError, user) -> Resolved:
    from integrations.services.errors import error_record, error_resolve

    flow.ctx.count(seen=1)
    try:
        resolved = flow.retry(error)
    except NotRetryable:
        raise FlowFailed("not_retryable", REASONS["not_retryable"]) from None
    except Exception as raised:
        failure = raised
        if not isinstance(raised, RecordError):
            classified = flow.ctx.spec.classify_error(raised)
            if not isinstance(classified, Failure):
                raise
            failure = RecordError(
                classified.code, classified.message, classified.params, detail=classified.detail
            )
        error_record(
            integration=error.integration,
            flow_key=error.flow_key,
            record_type=error.record_type,
            record_id=error.record_id,
            code=failure.code,
            message=failure.message,
            params=failure.params,
            detail=failure.detail,
            payload=failure.payload,
            run=flow.ctx.run,
        )
        flow.ctx.count(failed=1)
        if failure is raised:
            raise
        raise failure from raised
    error_resolve(
        integration=error.integration,
        flow_key=error.flow_key,
        record_type=error.record_type,
        record_id=error.record_id,
        message=resolved.message,
        params=resolved.params,
        user=user,
    )
    flow.ctx.count(updated=1)
    return resolved


def _refusal_message(refusal: tuple[str, dict]) -> tuple[str, dict]:
    code, params = refusal
    return REASONS[code], params


def _error_retry_done(error: IntegrationError, message: str, params: dict) -> None:
    """The retry ran (or could not): clear the request, tell the operator what happened."""
    IntegrationError.objects.filter(pk=error.pk).update(
        retry_requested_at=None,
        retry_started_at=None,
        result_message=message,
        result_params=dict(params or {}),
    )


def process_event(event_id: int) -> RunOutcome:
    """*Retraiter*: process one received event now, through the flow that handles its type."""
    event = IntegrationEvent.objects.select_related("integration").filter(pk=event_id).first()
    if event is None or event.done:
        return RunOutcome(None)
    integration = event.integration
    spec = find_type(integration.type)
    flow_class = next((f for f in (spec.flows if spec else ()) if event.type in f.events), None)
    if flow_class is None:
        return RunOutcome(None)
    target = f"event:{event.pk}"
    refusal = _preflight(integration, spec, flow_class.key)
    if refusal is not None:
        return RunOutcome(
            _record_skip(integration, flow_class.key, FlowRun.Trigger.MANUAL, *refusal, target)
        )
    from integrations.services.events import event_claim, event_release

    if not event_claim(event):
        return RunOutcome(None)
    run = FlowRun(
        integration=integration,
        flow_key=flow_class.key,
        trigger=FlowRun.Trigger.MANUAL,
        target=target,
    )
    _start_fields(run)
    run.save()

    def body(flow: Flow) -> None:
        flow.ctx.count(seen=1)
        try:
            flow.process_event(event)
        finally:
            if not event.done and not event.failed:
                event_release(event)

    return _execute(run, spec, body)


# --- signs of life ---------------------------------------------------------------------------


def _worker_name() -> str:
    return f"{socket.gethostname()}:{threading.get_native_id()}"


class _Heartbeat:
    """Writes `heartbeat_at` on the run every FLOW_RUN_HEARTBEAT_SECONDS from a side thread
    (its own database connection), so a long call or a long database write never makes a live
    run look dead."""

    def __init__(self, run_id: int) -> None:
        self.run_id = run_id
        self.interval = settings.FLOW_RUN_HEARTBEAT_SECONDS
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self.interval <= 0 or connection.in_atomic_block:
            # In an open transaction (tests) the run row is not visible to another connection.
            return
        self._thread = threading.Thread(target=self._beat, name="flow-heartbeat", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        try:
            while not self._stop.wait(self.interval):
                try:
                    FlowRun.objects.filter(pk=self.run_id, status=FlowRun.Status.RUNNING).update(
                        heartbeat_at=timezone.now()
                    )
                except Exception:  # a missed beat is retried at the next one
                    log.warning("Could not record the heartbeat of run %s", self.run_id)
                    close_old_connections()
        finally:
            connection.close()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
