"""B8: many integrations (stores) on their recommended schedules, idle: what they cost, how late
beat starts them, and how many one worker process serves.

A merchant with many stores has one integration per store, each running its flows on their
schedules all month; most runs find nothing to do. Those runs must cost no API call and little
database and worker time, or the merchant needs a worker per handful of stores.
"""

from __future__ import annotations

import re
import statistics
import tempfile
import time
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_celery_beat.models import PeriodicTask, PeriodicTasks

from benchmarks.checks import NotRun, check
from benchmarks.live import Beat, Worker, purge_queue, queued, require_worker_services
from benchmarks.results import Table
from benchmarks.scenario import Mode, Outcome
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.targets import Target
from integrations import runner
from integrations.flows import Flow
from integrations.models import FlowRun, FlowSchedule, Integration
from integrations.registry import get_type
from integrations.services.flow_controls import flow_schedule_set
from integrations.services.integrations import integration_create

NAME = "many-integrations"
TITLE = "B8 · Many integrations on their recommended schedules, idle"
PERIOD = timedelta(minutes=5)  # the shortest recommended schedule: what a worker must keep up with
# The Hiboutik flows a store's integration runs on a schedule.
SCHEDULED_FLOWS = (
    "products.export",
    "products.update",
    "products.images",
    "customers.export",
    "stock.export",
    "stock.reconcile",
    "orders.import",
    "events.process",
)
# Seconds for beat to notice changed schedules: its database scheduler looks every 5 s.
BEAT_NOTICES = 7
SUCCEEDED_IN = re.compile(r"Task integrations\.run_flow\[[^\]]+\] succeeded in ([0-9.]+)s")


@dataclass(frozen=True)
class Sizes:
    integrations: int
    measured_integrations: int  # whose idle runs are measured in the benchmark's process
    window_seconds: int  # every interval schedule falls due within this window once


SIZES = {
    Mode.FULL: Sizes(integrations=100, measured_integrations=10, window_seconds=60),
    Mode.QUICK: Sizes(integrations=20, measured_integrations=3, window_seconds=15),
    Mode.SMOKE: Sizes(integrations=4, measured_integrations=2, window_seconds=5),
}

TARGETS = (
    Target(
        "idle_calls",
        "Hiboutik calls of every idle run",
        "==",
        0,
        invariant=True,
        reason="a run with nothing to do makes zero API calls (architecture.md §2)",
    ),
    Target(
        "idle_queries_max",
        "Queries of an idle run, the most of any flow",
        "<=",
        10,
        reason="a run that finds nothing to do reads its marks and records itself, no more",
    ),
    Target(
        "lag_p95_s",
        "Schedule lag, due → run started, 95th percentile",
        "<=",
        30,
        "s",
        timed=True,
        reason="a 5-minute flow that starts half a minute late is still on time",
    ),
    Target(
        "integrations_per_worker",
        "Integrations one worker process serves within the 5-minute period",
        ">=",
        100,
        timed=True,
        reason="a merchant with 100 stores should not need more than one worker process for "
        "idle runs",
    ),
)


def describe(sizes: Sizes) -> str:
    return f"""\
**What.** {sizes.integrations} Hiboutik integrations (stores) of one account, against the
simulator, each with every flow on its recommended schedule (the flows that write what the
whole account shares enabled on the first integration only, as Connect allows), and nothing to
do: no sale, no change in Connect. Three measurements:

1. **Idle runs**: each flow of {sizes.measured_integrations} integrations run twice through the
   runner (the first may do a flow's one-time work), then once more measured: Hiboutik calls
   (the simulator's counter and the run's own count), database queries, time.
2. **Beat and one worker**: the recommended schedules' rows are set so that every interval
   schedule of every integration falls due once within {sizes.window_seconds} s; a real `celery
   beat` (django-celery-beat's database scheduler, as deployed) and one Celery worker process on
   Redis run them. **Schedule lag** is the time from a run's due time to its start in the worker
   (beat's tick, the queue, the worker's previous runs); **worker time** is what the worker
   reports per task.
3. **Integrations per worker**: the 5-minute period divided by the worker time one integration
   needs per period (its 5-minute flows every period, its hourly ones every twelfth, and so on,
   from the worker time per task measured in 2).

**Why.** A merchant with many stores runs one integration per store; the figure tells when to add
workers (`docker compose up --scale worker=N`)."""


def _missing_flows() -> list[str]:
    spec = get_type("hiboutik")
    return [key for key in SCHEDULED_FLOWS if not spec.has_flow(key)]


def run(sizes: Sizes) -> Outcome:
    require_worker_services()
    missing = _missing_flows()
    if missing:
        raise NotRun(f"flow {', '.join(missing)} missing on this commit")
    with SimulatorProcess() as simulator:
        integrations = _make_integrations(sizes, simulator)
        scheduled = _scheduled_flows(integrations[0])
        outcome = Outcome()
        idle = _idle_runs(integrations[: sizes.measured_integrations], scheduled, simulator)
        outcome.tables.append(idle.table)
        served = _beat_and_worker(sizes, integrations, simulator)
        outcome.tables.append(served.table)
    per_flow_seconds = served.worker_seconds_by_flow
    per_period = sum(
        (PERIOD.total_seconds() / (flow.every_minutes * 60)) * per_flow_seconds[flow.key]
        for flow in scheduled
        if flow.every_minutes and flow.key in per_flow_seconds
    )
    integrations_per_worker = PERIOD.total_seconds() / per_period if per_period else None
    outcome.figures.update(
        idle_calls=idle.calls + served.calls,
        idle_queries_max=max(idle.queries.values()),
        lag_p50_s=served.lag_p50,
        lag_p95_s=served.lag_p95,
        worker_seconds_per_integration_period=per_period,
        integrations_per_worker=integrations_per_worker,
    )
    outcome.explanations["lag_p95_s"] = served.why_late
    outcome.explanations["idle_queries_max"] = "queries by flow: " + ", ".join(
        f"{key} {count}" for key, count in idle.queries.items()
    )
    outcome.explanations["integrations_per_worker"] = (
        f"one integration needs {per_period * 1000:.0f} ms of worker time per 5-minute period "
        f"({', '.join(f'{k} {v * 1000:.0f} ms a run' for k, v in per_flow_seconds.items())})"
    )
    if integrations_per_worker is not None:
        outcome.findings.append(
            f"One worker process serves about {integrations_per_worker:,.0f} idle integrations "
            f"within the 5-minute period; a merchant with more stores, or busy ones, adds "
            f"workers with `docker compose up --scale worker=N`."
        )
    return outcome


@dataclass(frozen=True)
class ScheduledFlow:
    key: str
    every_minutes: int | None  # None: a crontab line (nightly): not due in the window


def _scheduled_flows(integration: Integration) -> list[ScheduledFlow]:
    return [
        ScheduledFlow(row.flow_key, row.every_minutes)
        for row in FlowSchedule.objects.filter(integration=integration, enabled=True).order_by(
            "flow_key"
        )
    ]


def _make_integrations(sizes: Sizes, simulator: SimulatorProcess) -> list[Integration]:
    spec = get_type("hiboutik")
    integrations = []
    for number in range(1, sizes.integrations + 1):
        integration = integration_create(
            type="hiboutik",
            name=f"Store {number:03d}",
            config={
                "general": {
                    "account": "bench",
                    "user": simulator.user,
                    "api_url": simulator.base_url,
                },
                "order_import": {"hiboutik_store_id": 1},
                "stock": {"hiboutik_warehouse_id": 1},
            },
            secrets={"api_key": simulator.api_key},
        )
        for flow in spec.flows:
            flow: type[Flow]
            if flow.recommended_schedule is None or (flow.account_wide and number > 1):
                continue
            flow_schedule_set(
                integration, flow.key, enabled=True, schedule=flow.recommended_schedule
            )
        integrations.append(integration)
    return integrations


@dataclass
class IdleRuns:
    table: Table
    calls: int
    queries: dict[str, int]


def _idle_runs(
    integrations: list[Integration], scheduled: list[ScheduledFlow], simulator: SimulatorProcess
) -> IdleRuns:
    # Each integration runs the flows it has enabled: those writing what the whole account
    # shares only on the first.
    enabled = {
        integration.pk: {flow.key for flow in _scheduled_flows(integration)}
        for integration in integrations
    }
    for _ in range(2):  # a flow's first run may do its one-time work
        for integration in integrations:
            for flow in scheduled:
                if flow.key in enabled[integration.pk]:
                    runner.run_flow(integration.pk, flow.key, FlowRun.Trigger.SCHEDULE)
    table = Table(
        f"Idle runs of {len(integrations)} integrations, per flow",
        ["Flow", "Schedule", "Runs", "Statuses", "Hiboutik calls", "Queries a run",
         "Time a run (ms)"],
        varying=["Time a run (ms)"],
    )  # fmt: skip
    calls_before = simulator.stats()["calls_this_month"]
    queries: dict[str, int] = {}
    for flow in scheduled:
        counts, seconds, statuses, run_calls = [], [], set(), 0
        for integration in integrations:
            if flow.key not in enabled[integration.pk]:
                continue
            with CaptureQueriesContext(connection) as captured:
                began = time.perf_counter()
                outcome = runner.run_flow(integration.pk, flow.key, FlowRun.Trigger.SCHEDULE)
                seconds.append(time.perf_counter() - began)
            counts.append(len(captured.captured_queries))
            statuses.add(outcome.run.status if outcome.run else "none")
            run_calls += outcome.run.api_calls if outcome.run else 0
        queries[flow.key] = max(counts)
        table.add(
            flow.key,
            f"every {flow.every_minutes} min" if flow.every_minutes else "nightly",
            len(counts),
            ", ".join(sorted(statuses)),
            run_calls,
            max(counts) if min(counts) == max(counts) else f"{min(counts)}–{max(counts)}",
            statistics.median(seconds) * 1000,
        )
    calls = simulator.stats()["calls_this_month"] - calls_before
    return IdleRuns(table=table, calls=calls, queries=queries)


@dataclass
class Served:
    table: Table
    calls: int
    lag_p50: float | None
    lag_p95: float | None
    why_late: str
    worker_seconds_by_flow: dict[str, float]


def _beat_and_worker(
    sizes: Sizes, integrations: list[Integration], simulator: SimulatorProcess
) -> Served:
    """A real beat and one worker process; every interval schedule falls due once within the
    window, spread evenly across it."""
    names = {f"{integration.name}:": integration for integration in integrations}
    tasks = [
        task
        for task in PeriodicTask.objects.filter(enabled=True, task="integrations.run_flow")
        .exclude(interval=None)
        .select_related("interval")
        .order_by("name")
        if any(task.name.startswith(prefix) for prefix in names)
    ]
    check(bool(tasks), "no interval schedule to run")
    # Nothing falls due while beat and the worker start; then the schedules are moved so that
    # each falls due once within the window, which beat picks up within its 5-second tick.
    PeriodicTask.objects.filter(pk__in=[task.pk for task in tasks]).update(
        last_run_at=timezone.now()
    )
    PeriodicTasks.update_changed()
    calls_before = simulator.stats()["calls_this_month"]
    first_run = FlowRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    purge_queue()
    due: dict[str, object] = {}
    with (
        tempfile.TemporaryDirectory(prefix="bench-beat-") as folder,
        Worker(concurrency=1) as worker,
        Beat(Path(folder)),
    ):
        start = timezone.now() + timedelta(seconds=BEAT_NOTICES)
        for index, task in enumerate(tasks):
            due_at = start + timedelta(seconds=sizes.window_seconds * index / len(tasks))
            every = timedelta(minutes=task.interval.every)
            PeriodicTask.objects.filter(pk=task.pk).update(last_run_at=due_at - every)
            due[task.name] = due_at
        PeriodicTasks.update_changed()
        deadline = time.monotonic() + BEAT_NOTICES + sizes.window_seconds + 120
        while time.monotonic() < deadline:
            time.sleep(1)
            done = FlowRun.objects.filter(
                pk__gt=first_run, trigger=FlowRun.Trigger.SCHEDULE
            ).count()
            if done >= len(tasks) and not queued():
                break
        log = worker.log()
    purge_queue()
    runs = list(
        FlowRun.objects.filter(pk__gt=first_run, trigger=FlowRun.Trigger.SCHEDULE).select_related(
            "integration"
        )
    )
    lags = []
    for run in runs:
        due_at = due.get(f"{run.integration.name}:{run.flow_key}")
        if due_at is not None and run.started_at is not None:
            lags.append((run.started_at - due_at).total_seconds())
    task_seconds = [float(value) for value in SUCCEEDED_IN.findall(log)]
    check(len(runs) >= len(tasks), f"{len(runs)} runs for {len(tasks)} schedules due")
    by_flow: dict[str, list[float]] = {}
    for run in runs:
        if run.started_at and run.finished_at:
            by_flow.setdefault(run.flow_key, []).append(
                (run.finished_at - run.started_at).total_seconds()
            )
    # The task's own time (Celery's "succeeded in"), shared out by the runs' durations.
    overhead = (
        (sum(task_seconds) - sum(sum(v) for v in by_flow.values())) / len(task_seconds)
        if task_seconds
        else 0.0
    )
    worker_seconds = {
        key: statistics.mean(values) + max(0.0, overhead) for key, values in by_flow.items()
    }
    statuses = sorted({run.status for run in runs})
    table = Table(
        f"{len(tasks)} schedules of {len(integrations)} integrations due within "
        f"{sizes.window_seconds} s, one worker process",
        ["Runs", "Statuses", "Hiboutik calls", "Lag p50 (s)", "Lag p95 (s)", "Lag max (s)",
         "Worker time a task (ms)", "Tasks Celery timed"],
        varying=["Lag p50 (s)", "Lag p95 (s)", "Lag max (s)", "Worker time a task (ms)"],
    )  # fmt: skip
    calls = simulator.stats()["calls_this_month"] - calls_before
    lags.sort()
    p50 = statistics.median(lags) if lags else None
    p95 = lags[min(len(lags) - 1, round(0.95 * len(lags)) - 1)] if lags else None
    table.add(
        len(runs),
        ", ".join(statuses),
        calls,
        p50,
        p95,
        max(lags) if lags else None,
        statistics.mean(task_seconds) * 1000 if task_seconds else None,
        len(task_seconds),
    )
    return Served(
        table=table,
        calls=calls,
        lag_p50=p50,
        lag_p95=p95,
        why_late=(
            f"the worker took {statistics.mean(task_seconds) * 1000:.0f} ms a task on average, "
            f"{len(tasks)} tasks falling due within {sizes.window_seconds} s"
            if task_seconds
            else "the worker reported no task time"
        ),
        worker_seconds_by_flow=worker_seconds,
    )
