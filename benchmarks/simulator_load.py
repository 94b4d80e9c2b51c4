"""The simulator under load: what it serves a second, what a stock page costs as the catalogue
grows, and how long it takes to serve a full stock read of a big catalogue.

Every load test of Connect (the simulated month, the webhook bursts) runs against the
simulator: if the simulator is slow, those tests measure the simulator. It runs in a process of
its own, as in `make run`, and is driven over HTTP with plain `requests` so that the figures are
the simulator's, not the client's.
"""

from __future__ import annotations

import math
import statistics
import threading
import time
from dataclasses import dataclass

import requests

from benchmarks.checks import check
from benchmarks.results import Table
from benchmarks.scenario import Mode, Outcome
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.targets import Target
from hiboutik.types import PAGE_SIZE

NAME = "simulator"
TITLE = "Hiboutik simulator under load"
WAREHOUSE = 1  # the "empty" seed's only warehouse
TINY_ROUTE = "/taxes"  # five rows, no paging: the cost of a call itself
STOCK_ROUTE = f"/stock_available/warehouse_id/{WAREHOUSE}"


@dataclass(frozen=True)
class Sizes:
    catalogues: tuple[int, int]  # products, for the cost of one stock page
    page_samples: int
    full_read_rows: int
    full_read_budget_s: float  # a read still going after this is stopped and extrapolated
    rate_seconds: float
    latency_ms: int


SIZES = {
    Mode.FULL: Sizes((2_000, 20_000), 20, 100_000, 30.0, 3.0, 50),
    Mode.QUICK: Sizes((2_000, 20_000), 10, 100_000, 10.0, 2.0, 50),
    Mode.SMOKE: Sizes((500, 2_000), 3, 5_000, 10.0, 0.5, 20),
}
TARGETS = (
    Target(
        "stock_page_growth",
        "One stock page at the large catalogue / at the small one (10× the products)",
        "<=",
        1.5,
        "×",
        timed=True,
        reason="a page must cost what its 250 rows cost, not what the catalogue does",
    ),
    Target(
        "full_stock_read_s",
        "Full stock read of the big catalogue, no latency, one call at a time",
        "<",
        2,
        "s",
        timed=True,
        reason="a reconciliation load test must measure Connect, not the simulator",
    ),
    Target(
        "latency_overlap",
        "Calls delayed by the latency, 4 at a time: calls served / (4 / latency)",
        ">=",
        0.8,
        "×",
        timed=True,
        reason="calls waiting their latency must wait side by side, not in a queue",
    ),
    Target(
        "tiny_p95_during_reads_ms",
        "A five-row call while 3 clients read stock pages of the large catalogue: p95",
        "<=",
        20,
        "ms",
        timed=True,
        reason="a read must not wait for another call's work behind one lock",
    ),
)


def describe(sizes: Sizes) -> str:
    small, large = sizes.catalogues
    return f"""\
**What.** The simulator started as its own process (`python -m hiboutik.simulator
--products N`), driven with plain HTTP calls: calls a second on a five-row route (`GET
/taxes`) from 1 and from 4 client threads; the same 4 threads with {sizes.latency_ms} ms of
latency on every call; one stock page (`GET /stock_available/warehouse_id/1?p=2`, 250 rows) at
{small:,} and at {large:,} products ({sizes.page_samples} timed requests each, median); a
five-row call while 3 other clients read stock pages of {large:,} products; and a full stock
read of {sizes.full_read_rows:,} rows ({math.ceil(sizes.full_read_rows / PAGE_SIZE)} pages, no
latency, one call at a time), stopped after {sizes.full_read_budget_s:g} s and extrapolated
when it is still going.

**Why.** The simulator plays Hiboutik in every load test of Connect; its own costs must stay
far below what it simulates, or those tests measure the simulator."""


def _session(sim: SimulatorProcess) -> requests.Session:
    session = requests.Session()
    session.auth = (sim.user, sim.api_key)
    return session


def _get(session: requests.Session, sim: SimulatorProcess, path: str, **params: object) -> list:
    response = session.get(sim.base_url + path, params=params, timeout=60)
    check(response.status_code == 200, f"GET {path}: {response.status_code}")
    return response.json()


def _calls_per_second(sim: SimulatorProcess, threads: int, seconds: float) -> float:
    """Calls a second on the tiny route from ``threads`` clients calling as fast as they can."""
    done = [0] * threads
    failures: list[str] = []
    start = threading.Barrier(threads + 1)
    stop_at: list[float] = []

    def client(index: int) -> None:
        with _session(sim) as session:
            start.wait()
            while time.perf_counter() < stop_at[0]:
                response = session.get(sim.base_url + TINY_ROUTE, timeout=60)
                if response.status_code != 200:
                    failures.append(str(response.status_code))
                    return
                done[index] += 1

    workers = [threading.Thread(target=client, args=(n,)) for n in range(threads)]
    for worker in workers:
        worker.start()
    began = time.perf_counter()
    stop_at.append(began + seconds)
    start.wait()
    for worker in workers:
        worker.join()
    elapsed = time.perf_counter() - began
    check(not failures, f"{TINY_ROUTE} answered {failures[:3]} under load")
    return sum(done) / elapsed


def _page_ms(sim: SimulatorProcess, samples: int) -> float:
    with _session(sim) as session:
        _get(session, sim, STOCK_ROUTE, p=2)  # connection and caches, not measured
        times = []
        for _ in range(samples):
            started = time.perf_counter()
            rows = _get(session, sim, STOCK_ROUTE, p=2)
            times.append(time.perf_counter() - started)
            check(len(rows) == PAGE_SIZE, f"stock page 2 has {len(rows)} rows")
    return statistics.median(times) * 1000


def _tiny_during_reads(sim: SimulatorProcess, seconds: float) -> tuple[float, float]:
    """p50 and p95 (ms) of a tiny call while three clients read stock pages non-stop."""
    stop = threading.Event()

    def reader(offset: int) -> None:
        with _session(sim) as session:
            page = 1 + offset
            while not stop.is_set():
                _get(session, sim, STOCK_ROUTE, p=page)
                page = page % 40 + 1

    readers = [threading.Thread(target=reader, args=(n,)) for n in range(3)]
    for thread in readers:
        thread.start()
    times = []
    try:
        with _session(sim) as session:
            ends = time.perf_counter() + max(seconds, 1.0)
            while time.perf_counter() < ends or len(times) < 20:
                started = time.perf_counter()
                _get(session, sim, TINY_ROUTE)
                times.append((time.perf_counter() - started) * 1000)
    finally:
        stop.set()
        for thread in readers:
            thread.join()
    return statistics.median(times), statistics.quantiles(times, n=20)[-1]


def _full_read(sim: SimulatorProcess, rows: int, budget: float) -> tuple[float, int, bool]:
    """Seconds for every page (extrapolated when stopped by the budget), pages read, finished."""
    pages = math.ceil(rows / PAGE_SIZE)
    seen = 0
    started = time.perf_counter()
    with _session(sim) as session:
        for page in range(1, pages + 1):
            seen += len(_get(session, sim, STOCK_ROUTE, p=page))
            elapsed = time.perf_counter() - started
            if elapsed > budget and page < pages:
                return elapsed * pages / page, page, False
    check(seen == rows, f"the full stock read returned {seen} of {rows} rows")
    return time.perf_counter() - started, pages, True


def _why_full_read(
    per_page_ms: float, small_page_ms: float, sizes: Sizes, finished: bool, pages_read: int
) -> str:
    pages = math.ceil(sizes.full_read_rows / PAGE_SIZE)
    stopped = "" if finished else f" (stopped after {pages_read} pages, extrapolated)"
    if per_page_ms > 2 * small_page_ms:
        return (
            f"a page of the big catalogue takes {per_page_ms:.1f} ms against {small_page_ms:.1f} "
            f"ms at {sizes.catalogues[0]:,} products: a page costs in proportion to the "
            f"catalogue, so the read grows with its square{stopped}"
        )
    return (
        f"a page takes {per_page_ms:.1f} ms, as at {sizes.catalogues[0]:,} products: the read "
        f"is {pages} calls one after another, each paying its own serving, encoding and "
        f"decoding{stopped}"
    )


def run(sizes: Sizes) -> Outcome:
    small, large = sizes.catalogues
    with SimulatorProcess(products=small) as sim:
        rate_1 = _calls_per_second(sim, 1, sizes.rate_seconds)
        rate_4 = _calls_per_second(sim, 4, sizes.rate_seconds)
        small_page = _page_ms(sim, sizes.page_samples)
        sim.set_latency(sizes.latency_ms)
        rate_latency = _calls_per_second(sim, 4, sizes.rate_seconds)
    with SimulatorProcess(products=large) as sim:
        large_page = _page_ms(sim, sizes.page_samples)
        tiny_p50, tiny_p95 = _tiny_during_reads(sim, sizes.rate_seconds)
    with SimulatorProcess(products=sizes.full_read_rows) as sim:
        read_s, pages_read, finished = _full_read(
            sim, sizes.full_read_rows, sizes.full_read_budget_s
        )
    pages = math.ceil(sizes.full_read_rows / PAGE_SIZE)
    ideal = 4 / (sizes.latency_ms / 1000)

    rates = Table(
        "Calls a second",
        ["Case", "Client threads", "Latency (ms)", "Calls a second"],
        varying=["Calls a second"],
    )
    rates.add(f"`GET {TINY_ROUTE}`", 1, 0, rate_1)
    rates.add(f"`GET {TINY_ROUTE}`", 4, 0, rate_4)
    rates.add(f"`GET {TINY_ROUTE}`", 4, sizes.latency_ms, rate_latency)
    costs = Table(
        "Stock reads",
        ["Case", "Products", "Pages read", "Time"],
        varying=["Pages read", "Time"],  # a read stopped by its time budget reads fewer
        notes=[
            "A stopped read's time is extrapolated from the pages it read: "
            "elapsed × pages / pages read."
        ],
    )
    costs.add("one stock page (median ms)", small, 1, round(small_page, 2))
    costs.add("one stock page (median ms)", large, 1, round(large_page, 2))
    costs.add(
        "five-row call while 3 clients read stock pages (ms, p50 / p95)",
        large,
        None,
        f"{tiny_p50:.1f} / {tiny_p95:.1f}",
    )
    costs.add(
        "full stock read (s)" + ("" if finished else f", stopped after {pages_read} pages"),
        sizes.full_read_rows,
        pages if finished else pages_read,
        round(read_s, 2),
    )
    growth = large_page / small_page
    return Outcome(
        tables=[rates, costs],
        figures={
            "tiny_calls_per_s_1": rate_1,
            "tiny_calls_per_s_4": rate_4,
            "stock_page_growth": growth,
            "full_stock_read_s": read_s,
            "latency_overlap": rate_latency / ideal,
            "tiny_p95_during_reads_ms": tiny_p95,
        },
        explanations={
            "stock_page_growth": (
                f"a stock page takes {small_page:.1f} ms at {small:,} products and "
                f"{large_page:.1f} ms at {large:,}: serving one page still costs in proportion "
                "to the catalogue"
            ),
            "full_stock_read_s": _why_full_read(
                read_s / pages * 1000,
                small_page,
                sizes,
                finished,
                pages_read,
            ),
            "latency_overlap": (
                f"{rate_latency:.0f} calls a second where {ideal:.0f} would be served if calls "
                "waited their latency side by side"
            ),
            "tiny_p95_during_reads_ms": (
                f"a five-row call took {tiny_p50:.1f} ms (median) and {tiny_p95:.1f} ms (p95) "
                f"while 3 clients read stock pages of {large:,} products, each of which takes "
                f"{large_page:.1f} ms alone: the simulator serves every call in one Python "
                "process, so a short call waits its turn for the interpreter while pages are built"
            ),
        },
    )
