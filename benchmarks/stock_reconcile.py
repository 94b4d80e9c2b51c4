"""B2: the nightly stock reconciliation reading a large warehouse at 50 ms a call, within the
concurrency cap: calls, wall time, queries per row, memory."""

from __future__ import annotations

import math
import resource
import time
from dataclasses import dataclass

from benchmarks.checks import NotRun, check
from benchmarks.results import Table
from benchmarks.scenario import Mode, Outcome
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.stock_export import STOCK, bound_catalogue, recorded_statements, split_queries
from benchmarks.targets import Target
from hiboutik.concurrency import DEFAULT_CONCURRENCY
from integrations import runner
from integrations.models import FlowRun
from integrations.registry import get_type

NAME = "stock-reconcile"
TITLE = "B2 · The nightly stock reconciliation of a large warehouse"
FLOW = "stock.reconcile"
LATENCY_MS = 50
PAGE = 250  # stock rows a call


@dataclass(frozen=True)
class Sizes:
    rows: int


SIZES = {
    Mode.FULL: Sizes(rows=100_000),
    Mode.QUICK: Sizes(rows=10_000),
    Mode.SMOKE: Sizes(rows=1_000),
}

TARGETS = (
    Target(
        "extra_reads",
        "Stock reads beyond one per 250 rows",
        "==",
        0,
        invariant=True,
        reason="the warehouse is read once, 250 rows a call, and nothing else when nothing drifted",
    ),
    Target(
        "wall_seconds_100k",
        "Wall time, 100,000 rows",
        "<=",
        7,
        "s",
        timed=True,
        reason="400 reads of 50 ms, 4 in flight, take 5 s: Connect's own work must stay small",
    ),
    Target(
        "queries_per_row",
        "Flow's queries per row",
        "<=",
        0.01,
        reason="beliefs are read and written in batches, never a query per product",
    ),
    Target(
        "memory_growth_mb",
        "Memory growth of the process running it",
        "<=",
        150,
        "MB",
        reason="a worker reads the warehouse page by page, not all of it at once",
    ),
)


def describe(sizes: Sizes) -> str:
    pages = math.ceil(sizes.rows / PAGE)
    return f"""\
**What.** {sizes.rows:,} products bound on both sides (made in bulk, as in B1), Connect's
available stock equal to Hiboutik's, then one `stock.reconcile` run through the runner against
the simulator at {LATENCY_MS} ms a call, {DEFAULT_CONCURRENCY} calls in flight at most: it reads
the warehouse whole, {pages} pages of {PAGE} rows, and has nothing to correct. Its reads are
counted by the simulator; memory is the peak resident size of the benchmark's process (where the
run happens, as in a worker) before and after.

**Why.** The nightly check is the only flow that reads everything; it must stay at one call per
250 rows, within seconds, and not hold the warehouse in memory."""


def run(sizes: Sizes) -> Outcome:
    if not get_type("hiboutik").has_flow(FLOW):
        raise NotRun(f"flow {FLOW} missing on this commit")
    with SimulatorProcess(latency_ms=LATENCY_MS, products=sizes.rows) as simulator:
        integration, _warehouse, _products = bound_catalogue(sizes.rows, simulator, stock=STOCK)
        stats = simulator.stats()
        before_routes = dict(stats["by_route"])
        calls_before = stats["calls_this_month"]
        peak_before = _peak_mb()
        with recorded_statements() as captured:
            began = time.perf_counter()
            outcome = runner.run_flow(integration.pk, FLOW, "schedule")
            seconds = time.perf_counter() - began
        growth = _peak_mb() - peak_before
        stats = simulator.stats()
    run = outcome.run
    check(
        run is not None and run.status == FlowRun.Status.SUCCEEDED,
        f"the reconciliation ended {run.status if run else 'not run'}: "
        f"{run.reason_params if run else ''}",
    )
    calls = stats["calls_this_month"] - calls_before
    routes = {
        route: count - before_routes.get(route, 0)
        for route, count in stats["by_route"].items()
        if count - before_routes.get(route, 0)
    }
    reads = sum(count for route, count in routes.items() if "stock_available" in route)
    pages = math.ceil(sizes.rows / PAGE)
    queries = split_queries(captured)
    floor = LATENCY_MS / 1000 * math.ceil(pages / DEFAULT_CONCURRENCY)
    table = Table(
        f"One reconciliation of {sizes.rows:,} rows",
        ["Rows", "Stock reads", "Pages", "Other calls", "Flow's queries", "Queries a row",
         "Wall time (s)", "Floor (s)", "Memory growth (MB)"],
        notes=["Calls by route: " + ", ".join(f"`{r}` {c}" for r, c in sorted(routes.items()))],
        varying=["Wall time (s)", "Floor (s)", "Memory growth (MB)"],
    )  # fmt: skip
    table.add(
        sizes.rows,
        reads,
        pages,
        calls - reads,
        queries["flow"],
        queries["flow"] / sizes.rows,
        seconds,
        floor,
        growth,
    )
    outcome_ = Outcome(tables=[table])
    outcome_.figures.update(
        extra_reads=reads - pages,
        other_calls=calls - reads,
        queries_per_row=queries["flow"] / sizes.rows,
        memory_growth_mb=growth,
        wall_seconds=seconds,
        wall_seconds_100k=seconds if sizes.rows == 100_000 else None,
    )
    outcome_.explanations["wall_seconds_100k"] = (
        f"its {calls} calls of {LATENCY_MS} ms had "
        f"{calls * LATENCY_MS / 1000 / seconds:.1f} in flight on average, the cap allowing "
        f"{DEFAULT_CONCURRENCY} (floor {floor:.1f} s)"
    )
    outcome_.explanations["extra_reads"] = f"calls by route: {routes}"
    outcome_.explanations["queries_per_row"] = (
        f"the flow made {queries['flow']} queries for {sizes.rows:,} rows (a fixed part that "
        f"weighs more on a small warehouse)"
    )
    return outcome_


def _peak_mb() -> float:
    """The process's peak resident size so far (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
