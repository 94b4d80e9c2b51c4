"""B4: a burst of sale webhooks against gunicorn, each sale delivered several times.

The till waits for Connect's answer before the cashier sees it (hiboutik-api.md §11), and a busy
Saturday or a cashier resending from the sale's callback icon delivers the same sale again: the
receiver must answer fast and store each sale once, whatever arrives at the same moment.
"""

from __future__ import annotations

import queue
import random
import statistics
import threading
import time
from dataclasses import dataclass

import requests

from benchmarks.checks import check
from benchmarks.live import WebServer, purge_queue, require_worker_services
from benchmarks.results import Table
from benchmarks.scenario import Mode, Outcome
from benchmarks.targets import Target
from hiboutik.simulator.pos import ring_up_sale
from hiboutik.simulator.simulator import Simulator
from hiboutik.simulator.webhook_form import encode
from hiboutik.simulator.webhooks import sale_payload
from integrations.models import Integration, IntegrationEvent
from integrations.services.integrations import integration_create, webhook_url

NAME = "webhook-burst"
TITLE = "B4 · A burst of sale webhooks against gunicorn"
SEED = 4
WARM_UP = 16  # sales posted once before the measured burst (each gunicorn thread's first query)


@dataclass(frozen=True)
class Sizes:
    sales: int
    deliveries: int  # times each sale is posted
    clients: int  # posting at once
    gunicorn_workers: int
    gunicorn_threads: int


SIZES = {
    Mode.FULL: Sizes(sales=200, deliveries=3, clients=8, gunicorn_workers=2, gunicorn_threads=4),
    Mode.QUICK: Sizes(sales=200, deliveries=3, clients=8, gunicorn_workers=2, gunicorn_threads=4),
    Mode.SMOKE: Sizes(sales=20, deliveries=3, clients=4, gunicorn_workers=1, gunicorn_threads=2),
}

TARGETS = (
    Target(
        "p99_ms",
        "Answer time, 99th percentile",
        "<",
        100,
        "ms",
        timed=True,
        reason="the cashier waits for the answer; Hiboutik gives up on a slow receiver",
    ),
    Target(
        "sales_not_stored_once",
        "Sales stored other than exactly once",
        "==",
        0,
        invariant=True,
        reason="a sale delivered three times at once is one event, never two, never none",
    ),
    Target(
        "failed_posts",
        "Deliveries not answered 200",
        "==",
        0,
        invariant=True,
        reason="a refused delivery is a sale the till reports as not received",
    ),
)


def describe(sizes: Sizes) -> str:
    return f"""\
**What.** {sizes.sales} closed sales of 1 to 5 lines, rung up on an in-memory simulator and
encoded as Hiboutik encodes its `sale` webhook (PHP-style form), are each posted
{sizes.deliveries} times, in a shuffled order (seeded), by {sizes.clients} clients at once to
Connect's webhook endpoint served by gunicorn ({sizes.gunicorn_workers} worker processes of
{sizes.gunicorn_threads} threads) on the run's PostgreSQL database, the events' flows enqueued on
Redis as in production (the queue is emptied afterwards: this scenario measures the receiver,
not the import). {WARM_UP} other sales are posted first, unmeasured. Then every sale must be
exactly one stored event that counts {sizes.deliveries} deliveries.

**Why.** The till waits for the answer before the cashier can go on, and Hiboutik may deliver a
sale again (the callback icon, a retry after a timeout): the receiver must stay fast under a
burst and store each sale once, which the events' unique constraint guarantees rather than a
lookup."""


def sale_bodies(count: int) -> list[tuple[str, bytes]]:
    """(sale id, webhook body) of ``count`` sales of the demo shop, 1 to 5 lines each."""
    simulator = Simulator(seed="demo")
    state = simulator.state
    rng = random.Random(SEED)
    products = [row["product_id"] for row in state.rows("products") if not row["size_barcodes"]]
    bodies = []
    for _ in range(count):
        chosen = rng.sample(products, min(len(products), rng.randint(1, 5)))
        sale = ring_up_sale(
            state,
            {
                "store_id": 1,
                "payment": "CB",
                "lines": [{"product_id": pid, "quantity": rng.randint(1, 3)} for pid in chosen],
            },
        )
        payload = sale_payload(state, sale, simulator.config.account)
        bodies.append((str(sale["sale_id"]), encode(payload)))
    return bodies


def make_integration() -> Integration:
    return integration_create(
        type="hiboutik",
        name="B4 webhooks",
        config={
            "general": {
                "account": "bench",
                "user": "bench@connect.test",
                # Nothing calls it: the receiver never calls Hiboutik back.
                "api_url": "http://127.0.0.1:9/api",
            }
        },
        secrets={"api_key": "BENCHKEY"},
    )


@dataclass
class Delivery:
    sale_id: str
    status: int | None
    seconds: float


def post_all(url: str, work: list[tuple[str, bytes]], clients: int) -> tuple[list[Delivery], float]:
    todo: queue.Queue[tuple[str, bytes]] = queue.Queue()
    for item in work:
        todo.put(item)
    done: list[Delivery] = []
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)

    def client() -> None:
        session = requests.Session()
        mine = []
        start.wait()
        while True:
            try:
                sale_id, body = todo.get_nowait()
            except queue.Empty:
                break
            began = time.perf_counter()
            try:
                response = session.post(
                    url,
                    data=body,
                    headers={"Content-Type": "application/x-www-form-urlencoded"},
                    timeout=30,
                )
                status = response.status_code
            except requests.RequestException:
                status = None
            mine.append(Delivery(sale_id, status, time.perf_counter() - began))
        session.close()
        with lock:
            done.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    return done, time.perf_counter() - began


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(fraction * len(ordered)) - 1))]


def run(sizes: Sizes) -> Outcome:
    require_worker_services()
    integration = make_integration()
    bodies = sale_bodies(sizes.sales + WARM_UP)
    warm, measured = bodies[:WARM_UP], bodies[WARM_UP:]
    work = [item for item in measured for _ in range(sizes.deliveries)]
    random.Random(SEED).shuffle(work)
    purge_queue()
    try:
        with WebServer(workers=sizes.gunicorn_workers, threads=sizes.gunicorn_threads) as web:
            url = webhook_url(integration, web.base_url)
            check(url is not None, "the integration has no webhook URL")
            warmed, _ = post_all(url, warm, sizes.clients)
            check(all(d.status == 200 for d in warmed), "a warm-up delivery was refused")
            deliveries, seconds = post_all(url, work, sizes.clients)
    finally:
        purge_queue()
    check(len(deliveries) == len(work), "not every delivery was posted")
    times_ms = [d.seconds * 1000 for d in deliveries]
    sale_ids = [sale_id for sale_id, _ in measured]
    events = IntegrationEvent.objects.filter(
        integration=integration, type="sale", external_id__in=sale_ids
    )
    per_sale = {sale_id: 0 for sale_id in sale_ids}
    deliveries_counted = 0
    for external_id, counted in events.values_list("external_id", "deliveries"):
        per_sale[external_id] += 1
        deliveries_counted += counted
    failed = [d for d in deliveries if d.status != 200]
    outcome = Outcome()
    table = Table(
        f"{sizes.sales} sales × {sizes.deliveries} deliveries, {sizes.clients} clients at once",
        ["Deliveries", "Events stored", "Deliveries counted", "Refused", "p50 (ms)", "p95 (ms)",
         "p99 (ms)", "Slowest (ms)", "Deliveries a second"],
        varying=["p50 (ms)", "p95 (ms)", "p99 (ms)", "Slowest (ms)", "Deliveries a second"],
    )  # fmt: skip
    table.add(
        len(deliveries),
        sum(per_sale.values()),
        deliveries_counted,
        len(failed),
        statistics.median(times_ms),
        percentile(times_ms, 0.95),
        percentile(times_ms, 0.99),
        max(times_ms),
        len(deliveries) / seconds,
    )
    outcome.tables.append(table)
    outcome.figures.update(
        p50_ms=statistics.median(times_ms),
        p99_ms=percentile(times_ms, 0.99),
        sales_not_stored_once=sum(count != 1 for count in per_sale.values()),
        failed_posts=len(failed),
        deliveries_counted=deliveries_counted,
    )
    outcome.explanations["p99_ms"] = (
        f"{sizes.clients} clients shared {sizes.gunicorn_workers * sizes.gunicorn_threads} "
        f"gunicorn threads on the machine's CPUs with PostgreSQL and Redis; the median answer "
        f"took {statistics.median(times_ms):.0f} ms"
    )
    outcome.explanations["failed_posts"] = ", ".join(sorted({str(d.status) for d in failed}))
    check(
        deliveries_counted == len(work) or failed,
        f"{deliveries_counted} deliveries counted on the events for {len(work)} posted",
    )
    return outcome
