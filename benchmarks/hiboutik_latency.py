"""A full Hiboutik read at a real account's latency, within the client's concurrency cap.

Against the real Hiboutik each call waits its network round trip (50 ms is a fair figure from a
French data centre). A read of P pages with at most C calls in flight cannot take less than
P × latency / C: that is its floor, and every read is reported as a ratio to it. The simulator
runs in its own process (see :mod:`benchmarks.simulator_process`), so the client pays what it
pays against a server.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from itertools import count as numbers

import requests

from benchmarks.checks import check
from benchmarks.results import Table, spoken
from benchmarks.scenario import Mode, Outcome
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.targets import Target
from hiboutik.client import HiboutikClient
from hiboutik.ledger import InMemoryCallLedger
from hiboutik.types import PAGE_SIZE

NAME = "hiboutik-latency"
TITLE = "Hiboutik reads at a real account's latency, within the concurrency cap"


@dataclass(frozen=True)
class Sizes:
    pages: int
    latency_ms: int
    caps: tuple[int, ...]  # ascending: the simulator's in-flight peak is checked after each
    # Times each judged read (the cap of 4, with latency) runs: its median is judged.
    repeats: int


SIZES = {
    Mode.FULL: Sizes(pages=100, latency_ms=50, caps=(1, 4), repeats=3),
    Mode.QUICK: Sizes(pages=100, latency_ms=50, caps=(4,), repeats=3),
    Mode.SMOKE: Sizes(pages=6, latency_ms=20, caps=(1, 4), repeats=1),
}
PATHS = {"products": "/products/", "stock": "/stock_available/warehouse_id/1"}
CAP = 4  # Connect's default (hiboutik.concurrency.DEFAULT_CONCURRENCY): the one judged
_keys = numbers(1)

TARGETS = (
    *(
        Target(
            f"{listing}_floor_ratio",
            f"Full {listing} read at a cap of {CAP}: time / floor",
            "<=",
            1.5,
            "×",
            timed=True,
            reason="a cap of 4 must make a read about 4 times faster than one call at a time",
        )
        for listing in ("products", "stock")
    ),
    Target(
        "extra_calls",
        "Calls beyond one per page, every read",
        "==",
        0,
        invariant=True,
        reason="concurrency must not cost quota: no page read twice, none past the end",
    ),
    Target(
        "over_cap",
        "Calls in flight beyond the client's cap (the simulator's peak)",
        "==",
        0,
        invariant=True,
        reason="Hiboutik refuses more than 30 calls at once for the whole account, shared "
        "with its other apps",
    ),
)


def describe(sizes: Sizes) -> str:
    caps = spoken(sizes.caps)
    return f"""\
**What.** `HiboutikClient` reads every product, then the stock of one warehouse, from a
simulator started as its own process (`python -m hiboutik.simulator --latency-ms
{sizes.latency_ms}`) holding {sizes.pages * PAGE_SIZE:,} products: {sizes.pages} pages of 250
each, every call delayed {sizes.latency_ms} ms, with a concurrency cap of {caps}. The same reads
without latency say what the simulator and the client cost on their own. Each read is judged
against its floor, pages × latency / cap: the time the latency alone imposes. The judged
reads, at a cap of {CAP} with latency, run {sizes.repeats} times each and their median is judged:
one read lasts about 2 s, and a pause of the machine of a tenth of a second moves its ratio by
0.08.

**Why.** Latency, not Connect, is what a real account's reads wait for: at this latency a
reconciliation of 100,000 stock rows (400 pages) waits {400 * sizes.latency_ms / 1000:g} s one
call at a time and {400 * sizes.latency_ms / 1000 / CAP:g} s at a cap of {CAP}. The cap only
helps if the client keeps that many calls in flight; it must never exceed it, nor spend a call
more than one per page."""


@dataclass(frozen=True)
class Read:
    listing: str
    cap: int
    latency_ms: int
    rows: int
    calls: int
    seconds: float

    def floor(self, pages: int) -> float:
        return pages * self.latency_ms / 1000 / self.cap


def _read(
    sim: SimulatorProcess,
    listing: str,
    walk: Callable[[HiboutikClient], Iterable[object]],
    *,
    cap: int,
    latency_ms: int,
) -> Read:
    ledger = InMemoryCallLedger()
    # A key of its own: the account gate is per key and process, shared by same-key clients.
    key = f"benchmark-latency-{next(_keys)}"
    client = HiboutikClient(
        base_url=sim.base_url,
        user=sim.user,
        api_key=sim.api_key,
        ledger=ledger,
        ledger_key=key,
        max_concurrency=cap,
    )
    started = time.perf_counter()
    with client:
        rows = sum(1 for _ in walk(client))
    seconds = time.perf_counter() - started
    return Read(listing, cap, latency_ms, rows, ledger.count(key), seconds)


def run(sizes: Sizes) -> Outcome:
    products = sizes.pages * PAGE_SIZE
    reads: list[Read] = []
    peaks: dict[int, int] = {}
    with SimulatorProcess(products=products) as sim:
        warehouse_id = 1  # the "empty" seed's only warehouse
        walks = {
            "products": lambda client: client.iter_products(),
            "stock": lambda client: client.iter_stock(warehouse_id),
        }
        sim.set_latency(0)
        serving = {listing: _plain_read(sim, path, sizes.pages) for listing, path in PATHS.items()}
        for cap in sizes.caps:
            for latency in (0, sizes.latency_ms):
                sim.set_latency(latency)
                judged = cap == CAP and latency == sizes.latency_ms
                for listing, walk in walks.items():
                    for _time in range(sizes.repeats if judged else 1):
                        read = _read(sim, listing, walk, cap=cap, latency_ms=latency)
                        check(
                            read.rows == products, f"{listing} read {read.rows} of {products} rows"
                        )
                        reads.append(read)
            peaks[cap] = sim.stats()["max_in_flight"]
    return _outcome(sizes, reads, peaks, serving)


def _plain_read(sim: SimulatorProcess, path: str, pages: int) -> float:
    """Seconds to fetch and decode every page one after another with plain HTTP: what the
    simulator's serving costs, without the client's mapping."""
    with requests.Session() as session:
        session.auth = (sim.user, sim.api_key)
        started = time.perf_counter()
        for page in range(1, pages + 1):
            response = session.get(sim.base_url + path, params={"p": page}, timeout=60)
            check(response.status_code == 200, f"GET {path}?p={page}: {response.status_code}")
            response.json()
    return time.perf_counter() - started


def _outcome(
    sizes: Sizes, reads: list[Read], peaks: dict[int, int], serving: dict[str, float]
) -> Outcome:
    table = Table(
        f"Full reads of {sizes.pages} pages",
        [
            "Read",
            "Cap",
            "Latency (ms)",
            "Calls",
            "Wall time (s)",
            "Floor (s)",
            "Time / floor",
            "Simulator's peak in flight",
        ],
        notes=[
            "Floor = pages × latency / cap; none without latency. The peak is the most calls "
            "the simulator served at once up to the end of that cap's reads.",
            f"The reads at a cap of {CAP} with latency ran {sizes.repeats} times each, one row "
            "per run: the target judges their median.",
        ],
        # How many calls overlap depends on the timing of the threads.
        varying=["Wall time (s)", "Time / floor", "Simulator's peak in flight"],
    )
    outcome = Outcome(tables=[table])
    for read in reads:
        floor = read.floor(sizes.pages)
        table.add(
            read.listing,
            read.cap,
            read.latency_ms,
            read.calls,
            read.seconds,
            floor or None,
            read.seconds / floor if floor else None,
            peaks[read.cap],
        )
    outcome.figures["extra_calls"] = sum(read.calls - sizes.pages for read in reads)
    outcome.figures["over_cap"] = max(0, *(peaks[cap] - cap for cap in peaks))
    judged: dict[str, list[Read]] = {}
    for read in reads:
        if read.cap == CAP and read.latency_ms == sizes.latency_ms:
            judged.setdefault(read.listing, []).append(read)
    bare = {r.listing: r for r in reads if r.cap == CAP and r.latency_ms == 0}
    for listing, repeated in judged.items():
        read = sorted(repeated, key=lambda one: one.seconds)[len(repeated) // 2]
        figure = f"{listing}_floor_ratio"
        outcome.figures[figure] = read.seconds / read.floor(sizes.pages)
        outcome.explanations[figure] = _why_slow(
            read, bare.get(listing), peaks[CAP], sizes, serving[listing]
        )
    return outcome


def _why_slow(read: Read, bare: Read | None, peak: int, sizes: Sizes, serving: float) -> str:
    floor = read.floor(sizes.pages)
    if peak < read.cap:
        return (
            f"the simulator never had more than {peak} call(s) in flight although the cap "
            f"allows {read.cap}: the client asks for the pages one after another, so the read "
            f"costs pages × latency ({sizes.pages} × {sizes.latency_ms} ms) plus the serving time"
        )
    if bare is not None and bare.seconds > floor:
        return (
            f"calls ran {peak} at a time as the cap allows, but the same read without any "
            f"latency already takes {bare.seconds:.2f} s, more than the {floor:.2f} s floor: "
            f"serving, decoding and mapping {read.rows:,} rows costs more than the latency "
            f"(the simulator serves the same pages one after another in {serving:.2f} s to a "
            "plain HTTP client)"
        )
    return (
        f"calls ran {peak} at a time as the cap allows; the time above the floor is the "
        "serving and decoding of the pages between the calls"
    )
