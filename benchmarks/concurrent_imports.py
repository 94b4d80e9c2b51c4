"""Order imports by several workers at once on PostgreSQL: throughput, row-lock waits, and
what must never happen (a deadlock, a sale imported twice, a stock update lost).

Each worker is a process of its own with its own database connection, as Celery's prefork
workers are, importing closed sales with ``order_import_complete`` (what the sale flow calls)
whose lines share a few products: every import locks the stock rows of its products, so the
workers queue on the same rows. Some sales are given to two workers, as a webhook resent while
the first import runs. A sampler watches ``pg_stat_activity`` for backends waiting on a lock.
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, connections
from django.utils import timezone

from benchmarks.checks import check
from benchmarks.data import Shop, make_products, make_shop
from benchmarks.environment import cpu_count
from benchmarks.measure import query_shape
from benchmarks.results import Table, spoken
from benchmarks.scenario import Mode, Outcome
from benchmarks.targets import Target
from inventory.models import Product, StockItem
from sales.models import Order
from sales.services import LineSpec, PaymentSpec, order_import_complete

NAME = "concurrent-imports"
TITLE = "Concurrent order imports on PostgreSQL"
SAMPLE_EVERY = 0.01  # seconds between two looks at pg_stat_activity
STOCK = 1_000_000
SEED = 2024


@dataclass(frozen=True)
class Sizes:
    workers: tuple[int, ...]  # starts with 1: the single worker's time per sale is the floor's
    sales: int  # per run, whatever the number of workers
    catalogues: tuple[int, ...]  # products the sales draw from: few (every sale shares), many
    lines: tuple[int, int]  # lines per sale, from … to
    resent_every: int  # every n-th sale is also given to another worker


SIZES = {
    Mode.FULL: Sizes(
        workers=(1, 2, 4, 8), sales=120, catalogues=(12, 1_000), lines=(1, 8), resent_every=10
    ),
    Mode.QUICK: Sizes(
        workers=(1, 4), sales=60, catalogues=(12, 1_000), lines=(1, 8), resent_every=10
    ),
    Mode.SMOKE: Sizes(workers=(1, 2), sales=8, catalogues=(4,), lines=(1, 3), resent_every=4),
}
JUDGED_WORKERS = 4

TARGETS = (
    Target(
        "deadlocks",
        "Deadlocks, every run",
        "==",
        0,
        invariant=True,
        reason="every service locks rows in one order (architecture.md), so imports queue "
        "and never deadlock",
    ),
    Target(
        "failed_imports",
        "Imports that raised, every run",
        "==",
        0,
        invariant=True,
        reason="a sale that waits for a lock must still be imported",
    ),
    Target(
        "duplicate_or_missing_orders",
        "Sales imported twice or not at all, every run",
        "==",
        0,
        invariant=True,
        reason="a webhook resent while the first import runs must return the same order",
    ),
    Target(
        "stock_mismatches",
        "Products whose stock differs from the units sold, every run",
        "==",
        0,
        invariant=True,
        reason="a stock update lost between two workers is stock sold twice",
    ),
    Target(
        "speedup_spread",
        f"Sales a second, {JUDGED_WORKERS} workers / 1 worker, sales spread over the large "
        "catalogue",
        ">=",
        1.2,
        "×",
        timed=True,
        reason="sales of different products must import side by side on 2 CPUs",
    ),
    Target(
        "speedup_shared",
        f"Sales a second, {JUDGED_WORKERS} workers / 1 worker, every sale sharing the small "
        "catalogue",
        ">=",
        0.8,
        "×",
        timed=True,
        reason="imports of the same products queue on their stock rows; queueing must not cost "
        "much more than importing one at a time",
    ),
)


def describe(sizes: Sizes) -> str:
    workers = spoken(sizes.workers)
    return f"""\
**What.** {sizes.sales} closed sales of {sizes.lines[0]} to {sizes.lines[1]} lines, drawn in a
random order (seeded) from a catalogue of {spoken(sizes.catalogues)} products (the smaller, the
more every sale shares its products with the others), imported with
`order_import_complete` by {workers} worker processes at once (each its own connection, as
Celery's prefork workers), started together. One sale in {sizes.resent_every} is also given to a
second worker, as a webhook Hiboutik resent while the first import runs. Each run reports sales
a second, the time of an import, and how much of the workers' time was spent waiting for a row
lock: `pg_stat_activity` is sampled every {SAMPLE_EVERY * 1000:g} ms for backends whose
`wait_event_type` is `Lock`. Deadlocks are counted twice, from the errors the workers got and
from `pg_stat_database.deadlocks`.

The **floor** of a run is sales × (one worker's time per sale) / min(workers, CPUs): perfect
scaling on this machine's CPUs, which the database server shares. Its ratio says how far lock
waits and the shared CPUs keep a run from it.

**Why.** A busy shop's sales arrive together; a worker that imports one must not make another
fail, deadlock, import a sale twice or lose a stock update, and adding workers must not make
imports slower."""


@dataclass(frozen=True)
class Sale:
    reference: str
    quantities: tuple[tuple[int, int], ...]  # (product index, quantity)


def _sales(sizes: Sizes, catalogue: int, workers: int) -> list[Sale]:
    rng = random.Random(SEED + catalogue + workers)
    sales = []
    for number in range(sizes.sales):
        chosen = rng.sample(range(catalogue), rng.randint(*sizes.lines))
        quantities = tuple((index, rng.randint(1, 2)) for index in chosen)
        sales.append(Sale(f"concurrent-{catalogue}-{workers}-{number}", quantities))
    return sales


def _assign(sales: list[Sale], workers: int, resent_every: int) -> list[list[Sale]]:
    queues: list[list[Sale]] = [[] for _ in range(workers)]
    for number, sale in enumerate(sales):
        queues[number % workers].append(sale)
        if workers > 1 and number % resent_every == 0:
            queues[(number + 1) % workers].append(sale)
    return queues


def _import(shop: Shop, products: list[Product], sale: Sale) -> None:
    lines = [LineSpec(sku=products[index].sku, quantity=qty) for index, qty in sale.quantities]
    total = sum(
        (products[index].price_incl_tax * qty for index, qty in sale.quantities), Decimal("0")
    )
    order_import_complete(
        store=shop.store,
        lines=lines,
        payments=[PaymentSpec(method=shop.payment, amount=total)],
        shipping_method=shop.shipping,
        integration=shop.integration,
        external_reference=sale.reference,
        placed_at=timezone.now(),
    )


def _worker(shop: Shop, products: list[Product], sales: list[Sale], start: Any, out: Any) -> None:
    """A forked worker: its own connection (Django opens one on first use), then its sales."""
    durations, errors = [], []
    try:
        start.wait(timeout=60)
        for sale in sales:
            began = time.perf_counter()
            try:
                _import(shop, products, sale)
            except Exception as error:  # reported and judged: the benchmark goes on
                errors.append(f"{type(error).__name__}: {error}".splitlines()[0])
            durations.append(time.perf_counter() - began)
    except Exception:
        errors.append(traceback.format_exc(limit=3))
    finally:
        connections.close_all()
    out.put((durations, errors))


@dataclass
class LockSamples:
    samples: int = 0
    waiting_samples: int = 0  # looks that saw at least one backend waiting on a lock
    waiting_total: int = 0  # backends waiting, summed over the looks
    most_waiting: int = 0
    events: Counter[str] = field(default_factory=Counter)
    statements: Counter[str] = field(default_factory=Counter)  # what the waiting ones ran


def _sample_locks(stop: threading.Event, into: LockSamples) -> None:
    try:
        with connection.cursor() as cursor:
            while not stop.is_set():
                cursor.execute(
                    "SELECT wait_event, query FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() "
                    "AND wait_event_type = 'Lock'"
                )
                waiting = cursor.fetchall()
                into.samples += 1
                into.waiting_total += len(waiting)
                into.waiting_samples += bool(waiting)
                into.most_waiting = max(into.most_waiting, len(waiting))
                into.events.update(event for event, _query in waiting)
                into.statements.update(query_shape(query) for _event, query in waiting)
                stop.wait(SAMPLE_EVERY)
    finally:
        connection.close()


def _deadlocks_so_far() -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
        return cursor.fetchone()[0]


@dataclass
class RunResult:
    catalogue: int
    workers: int
    sales: int
    given: int  # sales handed out, resent ones counted twice
    seconds: float
    durations: list[float]
    errors: list[str]
    deadlocks: int
    locks: LockSamples
    orders: int
    stock_mismatches: int

    @property
    def per_second(self) -> float:
        return self.sales / self.seconds

    @property
    def lock_wait_share(self) -> float:
        """Share of the workers' time spent waiting for a lock, from the samples."""
        if not self.locks.samples:
            return 0.0
        return self.locks.waiting_total / (self.locks.samples * self.workers)


def _stock_of(products: list[Product], shop: Shop) -> dict[int, int]:
    return dict(
        StockItem.objects.filter(warehouse=shop.warehouse, product__in=products).values_list(
            "product_id", "physical"
        )
    )


def _one_run(shop: Shop, products: list[Product], sizes: Sizes, workers: int) -> RunResult:
    sales = _sales(sizes, len(products), workers)
    queues = _assign(sales, workers, sizes.resent_every)
    before = _stock_of(products, shop)
    deadlocks_before = _deadlocks_so_far()
    # Forked workers must not share the parent's connection: each opens its own.
    connections.close_all()
    context = multiprocessing.get_context("fork")
    start = context.Barrier(workers + 1)
    out = context.Queue()
    processes = [
        context.Process(target=_worker, args=(shop, products, queue, start, out), daemon=True)
        for queue in queues
    ]
    for process in processes:
        process.start()
    locks, stop = LockSamples(), threading.Event()
    sampler = threading.Thread(target=_sample_locks, args=(stop, locks))
    sampler.start()
    start.wait(timeout=60)
    began = time.perf_counter()
    results = [out.get(timeout=600) for _ in processes]
    seconds = time.perf_counter() - began
    stop.set()
    sampler.join()
    for process in processes:
        process.join(timeout=30)
    # Statistics reach pg_stat_database when a backend goes idle or exits: give them a moment.
    time.sleep(0.5)
    errors = [error for _durations, errs in results for error in errs]
    sold: Counter[int] = Counter()
    for sale in sales:
        for index, quantity in sale.quantities:
            sold[products[index].pk] += quantity
    after = _stock_of(products, shop)
    return RunResult(
        catalogue=len(products),
        workers=workers,
        sales=len(sales),
        given=sum(len(queue) for queue in queues),
        seconds=seconds,
        durations=[d for durations, _errors in results for d in durations],
        errors=errors,
        deadlocks=max(
            _deadlocks_so_far() - deadlocks_before,
            sum("deadlock" in error.lower() for error in errors),
        ),
        locks=locks,
        orders=Order.objects.filter(
            integration=shop.integration,
            external_reference__in=[sale.reference for sale in sales],
        ).count(),
        stock_mismatches=sum(
            after.get(product.pk, 0) != before.get(product.pk, 0) - sold[product.pk]
            for product in products
        ),
    )


def run(sizes: Sizes) -> Outcome:
    check(connection.vendor == "postgresql", "concurrent imports need PostgreSQL")
    check(sizes.workers[0] == 1, "the first run must be one worker: it sets the floor")
    shop = make_shop()
    outcome = Outcome()
    every: list[RunResult] = []
    for catalogue in sizes.catalogues:
        products = make_products(
            catalogue, prefix=f"SHARED{catalogue}", warehouse=shop.warehouse, stock=STOCK
        )
        results = [_one_run(shop, products, sizes, workers) for workers in sizes.workers]
        _add_catalogue(outcome, sizes, results)
        every.extend(results)
    _add_totals(outcome, every)
    return outcome


COLUMNS = [
    "Workers",
    "Sales given (resent included)",
    "Orders",
    # From here to "Most waiting at once", figures that change from one run to the next.
    "Sales a second",
    "Wall time (s)",
    "Floor (s)",
    "Time / floor",
    "Import time p50 / p95 (ms)",
    "Time waiting for locks",
    "Most waiting at once",
    "Deadlocks",
    "Errors",
]


def _add_catalogue(outcome: Outcome, sizes: Sizes, results: list[RunResult]) -> None:
    single = results[0]
    per_sale = single.seconds / single.sales
    cpus = cpu_count()
    table = Table(
        f"{sizes.sales} sales drawn from {single.catalogue:,} products",
        COLUMNS,
        notes=[
            f"Floor = sales × {per_sale * 1000:.1f} ms (one worker's time per sale) / "
            f"min(workers, {cpus} CPUs). *Time waiting for locks*: backends seen waiting on "
            "a lock, over all the looks at `pg_stat_activity`, as a share of the workers' time."
        ],
        varying=COLUMNS[3:10],
    )
    for result in results:
        floor = result.sales * per_sale / min(result.workers, cpus)
        durations = sorted(result.durations)
        p95 = statistics.quantiles(durations, n=20)[-1] if len(durations) > 1 else durations[0]
        table.add(
            result.workers,
            result.given,
            result.orders,
            result.per_second,
            result.seconds,
            floor,
            result.seconds / floor,
            f"{statistics.median(durations) * 1000:.0f} / {p95 * 1000:.0f}",
            f"{result.lock_wait_share:.0%}",
            result.locks.most_waiting,
            result.deadlocks,
            len(result.errors),
        )
    outcome.tables.append(table)
    judged = next((r for r in results if r.workers == JUDGED_WORKERS), None)
    if judged is None:
        return
    figure = "speedup_shared" if single.catalogue == min(sizes.catalogues) else "speedup_spread"
    outcome.figures[figure] = judged.per_second / single.per_second
    outcome.figures[f"floor_ratio_{single.catalogue}"] = judged.seconds / (
        judged.sales * per_sale / min(judged.workers, cpus)
    )
    outcome.explanations[figure] = (
        f"{JUDGED_WORKERS} workers took {judged.seconds:.1f} s where one took "
        f"{single.seconds:.1f} s; they spent {judged.lock_wait_share:.0%} of their time waiting "
        f"for row locks (at most {judged.locks.most_waiting} at once), "
        f"{_waited_in(judged.locks)}, and each import took "
        f"{statistics.median(judged.durations) * 1000:.0f} ms (median) against "
        f"{statistics.median(single.durations) * 1000:.0f} ms alone"
    )


def _waited_in(locks: LockSamples) -> str:
    total = sum(locks.statements.values())
    if not total:
        return "no statement seen waiting"
    return "waiting in " + ", ".join(
        f"`{shape}` {count / total:.0%}" for shape, count in locks.statements.most_common(3)
    )


def _add_totals(outcome: Outcome, results: list[RunResult]) -> None:
    events = Counter[str]()
    for result in results:
        events.update(result.locks.events)
    statements = LockSamples()
    for result in results:
        statements.statements.update(result.locks.statements)
    if events:
        outcome.findings.append(
            "Lock waits seen, by `wait_event`: "
            + ", ".join(f"{event} {count}" for event, count in events.most_common())
            + f" (samples); by statement, {_waited_in(statements)}."
        )
    errors = [error for result in results for error in result.errors]
    outcome.figures.update(
        deadlocks=sum(result.deadlocks for result in results),
        failed_imports=len(errors),
        duplicate_or_missing_orders=sum(abs(r.orders - r.sales) for r in results),
        stock_mismatches=sum(result.stock_mismatches for result in results),
    )
    for figure in ("deadlocks", "failed_imports"):
        outcome.explanations[figure] = "; ".join(sorted(set(errors))[:3])
