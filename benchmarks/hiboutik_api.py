"""Hiboutik API calls: the client reading whole lists from the simulator, with and without
faults, and what re-reading everything every five minutes would cost a month.

Hiboutik allows 10,000 calls a month per shop (architecture.md §2), so the figure that matters
is calls; both the client's ledger and the simulator's own meter count them, and the two must
agree. Runs on localhost with no injected latency: wall time is the client's and the
simulator's own work, a real account adds its network round trip to every call.
"""

from __future__ import annotations

import math
import random
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import requests

from benchmarks.checks import check
from benchmarks.results import Table, spoken
from benchmarks.scenario import Mode, Outcome
from benchmarks.targets import Target
from hiboutik.client import HiboutikClient
from hiboutik.errors import HiboutikError
from hiboutik.ledger import DEFAULT_MONTHLY_QUOTA, InMemoryCallLedger
from hiboutik.simulator import Simulator
from hiboutik.simulator.faults import Faults
from hiboutik.types import PAGE_SIZE

NAME = "hiboutik"
TITLE = "Hiboutik client against the simulator: API calls"

RUNS_PER_MONTH = 30 * 24 * 60 // 5  # a flow every 5 minutes, 30-day month
RECONCILIATIONS_PER_MONTH = 30  # the nightly stock reconciliation
# Fixed dice: two recordings on the same code see the same faults, so a change in the number
# of calls comes from the code, not from luck.
FAULT_SEED = 2024


@dataclass(frozen=True)
class Sizes:
    products: tuple[int, ...]
    # Each fault scenario repeats the read until it has asked for at least this many pages,
    # so a 10 % fault rate is not judged on one or two pages.
    min_fault_pages: int


SIZES = {
    Mode.FULL: Sizes(products=(100, 1_000, 5_000), min_fault_pages=100),
    Mode.QUICK: Sizes(products=(100, 1_000), min_fault_pages=30),
    Mode.SMOKE: Sizes(products=(100,), min_fault_pages=1),
}
TARGETS = (
    Target(
        "extra_read_calls",
        "Calls beyond ceil(n/250) in the full reads without faults",
        "==",
        0,
        invariant=True,
        reason="every call counts against the 10,000 a month: no call past the last page, "
        "no page read twice",
    ),
    Target(
        "ledger_disagreements",
        "Reads where the client's ledger and the simulator's meter disagree",
        "==",
        0,
        invariant=True,
        reason="the ledger is what keeps Connect under the quota: it must count every attempt",
    ),
    Target(
        "failed_fault_reads",
        "Full reads that failed under 10 % 503 and 2 % resets",
        "==",
        0,
        reason="the client's retries must carry a read through transient faults",
    ),
)

FAULT_SCENARIOS = (
    (
        "10 % 503 (Retry-After: 0), 2 % resets",
        Faults(error_rate=0.10, status=503, retry_after=0, reset_rate=0.02),
    ),
    (
        "10 % 503 (Retry-After: 1), 2 % resets",
        Faults(error_rate=0.10, status=503, retry_after=1, reset_rate=0.02),
    ),
)


@dataclass(frozen=True)
class Reading:
    rows: int
    rounds: int
    failed_rounds: int
    ledger_calls: int
    simulator_calls: int
    seconds: float
    by_route: dict[str, int]
    # HTTP answers by status; attempts without one (reset connections) are the remainder.
    statuses: dict[int, int]

    @property
    def unanswered(self) -> int:
        return self.ledger_calls - sum(self.statuses.values())

    def as_dict(self) -> dict[str, Any]:
        return {
            "rows": self.rows,
            "rounds": self.rounds,
            "failed_rounds": self.failed_rounds,
            "ledger_calls": self.ledger_calls,
            "simulator_calls": self.simulator_calls,
            "seconds": round(self.seconds, 4),
            "by_route": self.by_route,
            "statuses": {str(status): n for status, n in sorted(self.statuses.items())},
            "unanswered": self.unanswered,
        }


def pages_for(rows: int) -> int:
    return max(1, math.ceil(rows / PAGE_SIZE))


def read(
    sim: Simulator, listing: Callable[[HiboutikClient], Iterable[object]], *, rounds: int = 1
) -> Reading:
    """Walk ``listing`` to its end ``rounds`` times with a fresh client and ledger; a round that
    fails (retries exhausted) is counted, and its calls still are."""
    ledger = InMemoryCallLedger()
    key = f"benchmark-{sim.port}"
    before = sim.stats()
    statuses: Counter[int] = Counter()
    session = requests.Session()
    session.hooks["response"].append(lambda response, **_: statuses.update([response.status_code]))
    client = HiboutikClient(
        base_url=sim.base_url,
        user=sim.config.user,
        api_key=sim.config.api_key,
        ledger=ledger,
        ledger_key=key,
        rng=random.Random(FAULT_SEED),
        session=session,
    )
    rows = failed = 0
    started = time.perf_counter()
    try:
        for _ in range(rounds):
            try:
                rows += sum(1 for _ in listing(client))
            except HiboutikError:
                failed += 1
    finally:
        client.close()
    seconds = time.perf_counter() - started
    after = sim.stats()
    by_route = {
        route: count - before["by_route"].get(route, 0)
        for route, count in after["by_route"].items()
        if count != before["by_route"].get(route, 0)
    }
    return Reading(
        rows=rows,
        rounds=rounds,
        failed_rounds=failed,
        ledger_calls=ledger.count(key),
        simulator_calls=after["calls_this_month"] - before["calls_this_month"],
        seconds=seconds,
        by_route=by_route,
        statuses=dict(statuses),
    )


def _products(client: HiboutikClient) -> Iterable[object]:
    return client.iter_products()


def _stock(warehouse_id: int) -> Callable[[HiboutikClient], Iterable[object]]:
    return lambda client: client.iter_stock(warehouse_id)


def _measure(sizes: Sizes) -> dict[str, Any]:
    """Measure every size; returns the readings by size, for the tables of :func:`run`."""
    measured: dict[str, Any] = {}
    for count in sizes.products:
        # The simulator's own quota is out of the way: the fault rounds alone may exceed a
        # month's worth of a small shop, and the quota is not what is measured here.
        with Simulator(seed="empty", quota=10_000_000) as sim:
            sim.add_products(count)
            warehouse_id = next(iter(sim.state.tables["warehouses"]))
            products = read(sim, _products)
            check(products.rows == count, f"product read returned {products.rows} of {count}")
            stock = read(sim, _stock(warehouse_id))
            check(stock.rows == count, f"stock read returned {stock.rows} of {count} rows")
            faulted = {}
            rounds = math.ceil(sizes.min_fault_pages / pages_for(count))
            for label, faults in FAULT_SCENARIOS:
                # Both scenarios of a size see the same faults (only the wait differs); each
                # size sees its own.
                sim.rng.seed(FAULT_SEED + count)
                sim.faults = faults
                faulted[label] = read(sim, _products, rounds=rounds)
                sim.faults = Faults()
        measured[str(count)] = {
            "products": products,
            "stock": stock,
            "faults": faulted,
        }
    return measured


def _clean_table(title: str, measured: dict[str, Any], part: str) -> Table:
    table = Table(
        title,
        [
            "Products",
            "Expected calls (ceil(n/250))",
            "Calls (ledger)",
            "Calls (simulator)",
            "Wall time (ms)",
            "ms per call",
        ],
        varying=["Wall time (ms)", "ms per call"],
    )
    for count, readings in measured.items():
        reading: Reading = readings[part]
        table.add(
            int(count),
            pages_for(int(count)),
            reading.ledger_calls,
            reading.simulator_calls,
            reading.seconds * 1000,
            reading.seconds * 1000 / max(reading.ledger_calls, 1),
        )
    return table


def _fault_table(measured: dict[str, Any]) -> Table:
    failing = FAULT_SCENARIOS[0][1].error_rate + FAULT_SCENARIOS[0][1].reset_rate
    expected_extra = failing / (1 - failing) * 100
    table = Table(
        "Full product read under faults",
        [
            "Faults",
            "Products",
            "Reads",
            "Calls without faults",
            "Calls made (ledger)",
            "Extra calls (retries)",
            "Extra %",
            "503 answers",
            "Resets",
            "Failed reads",
            "Wall time (s)",
        ],
        # The dice are seeded, but pages read concurrently draw them in any order.
        varying=[
            "Calls made (ledger)",
            "Extra calls (retries)",
            "Extra %",
            "503 answers",
            "Resets",
            "Wall time (s)",
        ],
        notes=[
            f"Each attempt fails with probability {failing:.0%}, so about "
            f"{expected_extra:.1f} % extra calls are expected (p / (1 − p)). Retries of a 503 "
            "wait what `Retry-After` says; a reset connection waits a jittered backoff "
            "(0–0.5 s for the first retry). The fault dice are seeded: the same code gives "
            "the same faults."
        ],
    )
    for count, readings in measured.items():
        for label, reading in readings["faults"].items():
            baseline = pages_for(int(count)) * reading.rounds
            extra = reading.ledger_calls - baseline
            table.add(
                label,
                int(count),
                reading.rounds,
                baseline,
                reading.ledger_calls,
                extra,
                extra / baseline * 100,
                reading.statuses.get(503, 0),
                reading.unanswered,
                reading.failed_rounds,
                reading.seconds,
            )
    return table


def _projection_table(measured: dict[str, Any]) -> Table:
    table = Table(
        "Projection: a 5-minute flow that re-read everything (not measured: computed from the "
        "calls above)",
        [
            "Products",
            "Calls per run (products + stock)",
            "Runs per month",
            "Calls per month",
            "Share of the 10,000 quota",
            "Nightly stock reconciliation instead (calls per month)",
        ],
        notes=[
            f"{RUNS_PER_MONTH:,} runs = one every 5 minutes for 30 days. With change tracking "
            "(dirty flags, hashes of what was pushed) a run with nothing to do makes 0 calls; "
            "the only full read left is the nightly stock reconciliation, "
            f"{RECONCILIATIONS_PER_MONTH} stock reads a month."
        ],
    )
    for count, readings in measured.items():
        per_run = readings["products"].ledger_calls + readings["stock"].ledger_calls
        monthly = per_run * RUNS_PER_MONTH
        table.add(
            int(count),
            per_run,
            RUNS_PER_MONTH,
            monthly,
            f"{monthly / DEFAULT_MONTHLY_QUOTA:,.0%}",
            readings["stock"].ledger_calls * RECONCILIATIONS_PER_MONTH,
        )
    return table


def findings(measured: dict[str, Any]) -> list[str]:
    notes = []
    for label, _faults in FAULT_SCENARIOS:
        readings = [by_size["faults"][label] for by_size in measured.values()]
        pages = sum(
            pages_for(int(count)) * by_size["faults"][label].rounds
            for count, by_size in measured.items()
        )
        calls = sum(reading.ledger_calls for reading in readings)
        failed = sum(reading.failed_rounds for reading in readings)
        seconds = sum(reading.seconds for reading in readings)
        notes.append(
            f"{label}: {calls - pages} retries for {pages} pages "
            f"({(calls - pages) / pages:.1%} extra calls), {failed} read(s) failed, "
            f"{seconds:.1f} s in all."
        )
    smallest = min(measured, key=int)
    per_run = measured[smallest]["products"].ledger_calls + measured[smallest]["stock"].ledger_calls
    notes.append(
        f"Re-reading products and stock every 5 minutes would spend "
        f"{per_run * RUNS_PER_MONTH:,} calls a month even for {int(smallest):,} products "
        f"({per_run * RUNS_PER_MONTH / DEFAULT_MONTHLY_QUOTA:.0%} of the quota): change "
        "tracking is not optional."
    )
    return notes


def describe(sizes: Sizes) -> str:
    counts = spoken(sizes.products)
    return f"""\
**What.** `HiboutikClient` reads every product (`GET /products/?p=N`, 250 a page) from
`hiboutik.simulator.Simulator` holding {counts} products, then the stock of one warehouse
(`GET /stock_available/warehouse_id/{{id}}`). Calls are counted twice, by the client's
`InMemoryCallLedger` (every HTTP attempt, retries included) and by the simulator's own meter;
the two must agree. The product read is then repeated under injected faults (10 % of calls
answered 503 with `Retry-After: 0` or `1`, 2 % of connections reset) until at least
{sizes.min_fault_pages} pages were asked for, with seeded fault dice. Last, a projection: what a
flow that re-read products and stock every 5 minutes would spend in a month, computed from the
measured calls.

**Why.** A full read must cost ceil(n/250) calls and no more, retries must be counted like any
call (they spend the same quota), and the projection shows why every flow tracks what changed
on Connect's side instead of re-reading Hiboutik. Wall time here is measured on localhost
without latency: the client's and the simulator's own work (the next scenario adds latency)."""


def run(sizes: Sizes) -> Outcome:
    measured = _measure(sizes)
    clean = [readings[part] for readings in measured.values() for part in ("products", "stock")]
    every = clean + [r for readings in measured.values() for r in readings["faults"].values()]
    return Outcome(
        tables=[
            _clean_table("Full product read", measured, "products"),
            _clean_table("Stock read for one warehouse", measured, "stock"),
            _fault_table(measured),
            _projection_table(measured),
        ],
        findings=findings(measured),
        figures={
            "extra_read_calls": sum(
                readings[part].ledger_calls - pages_for(int(count))
                for count, readings in measured.items()
                for part in ("products", "stock")
            ),
            "ledger_disagreements": sum(r.ledger_calls != r.simulator_calls for r in every),
            "failed_fault_reads": sum(
                r.failed_rounds
                for readings in measured.values()
                for r in readings["faults"].values()
            ),
        },
        explanations={
            "extra_read_calls": "; ".join(
                f"{part} read of {count}: {readings[part].ledger_calls} calls for "
                f"{pages_for(int(count))} pages, by route {readings[part].by_route}"
                for count, readings in measured.items()
                for part in ("products", "stock")
                if readings[part].ledger_calls != pages_for(int(count))
            ),
            "failed_fault_reads": "the client gave up after its retries (see the fault table)",
        },
    )
