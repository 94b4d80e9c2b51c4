"""The reference shop's month, played on a simulated clock against the simulator, with Connect
running as deployed: gunicorn receiving the till's webhooks, a Celery worker on Redis running the
flows, the driver standing in for beat (it enqueues each flow when its recommended schedule
falls due on the simulated clock, as beat would on the real one), the shop's back office done
through Connect's own services.

What it checks at the end (:class:`MonthResult`): every sale is an order exactly once (refunds
as errors), every exchange is processed, Hiboutik's stock equals Connect's available stock for
every product, the call ledger equals the simulator's counter; and what it measured: the calls
by flow, the delay from a stock change in Connect to Hiboutik showing it.

Used by the simulated-month scenario, the same month under faults, and the test suite's reduced
month.
"""

from __future__ import annotations

import io
import math
import random
import sys
import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import requests
from django.db import transaction
from django.test.utils import override_settings

from benchmarks import clocked
from benchmarks.checks import BenchmarkError, NotRun, check
from benchmarks.live import (
    WebServer,
    Worker,
    commits_without_waiting_for_the_disk,
    purge_queue,
    queued,
    redis_client,
    sending_to_redis,
)
from benchmarks.month_plan import (
    PARIS,
    Event,
    Exchange,
    MonthPlan,
    NewCustomer,
    NewProduct,
    ProductEdit,
    Reception,
    Refund,
    Shape,
    TillSale,
    WebOrder,
    plan_month,
)
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.vacuum import autovacuum
from hiboutik.simulator.webhooks import LOST
from integrations import runner
from integrations.models import (
    ExternalBinding,
    FlowRun,
    FlowSchedule,
    Integration,
    IntegrationError,
    IntegrationEvent,
)
from integrations.registry import get_type
from integrations.schedules import crontab_fields
from integrations.selectors.quota import QuotaUse, calls_by_day, calls_by_flow, quota_use
from integrations.services.integrations import integration_create
from integrations.services.schedules import schedules_apply_recommended
from integrations.services.webhooks import webhook_register
from integrations.tasks import recover
from inventory.models import Product, StockItem, Warehouse
from inventory.services import product_create, product_update, stock_move
from inventory.services.products import price_excl_tax_from_incl, product_image_add
from inventory.services.stock_batch import stock_move_many
from sales.models import Customer, Order, PaymentMethod, ShippingMethod, Store
from sales.services import LineSpec, order_create
from sales.services.customers import customer_create
from sales.services.shipping import order_ship

# Every flow the month runs; a commit without one of them cannot play the month.
MONTH_FLOWS = (
    "catalogue.match",
    "products.export",
    "products.update",
    "products.images",
    "customers.export",
    "stock.export",
    "stock.reconcile",
    "orders.import",
    "events.process",
)
TICK = timedelta(minutes=5)  # the shortest recommended schedule
MONTH_START = datetime(2027, 6, 1, tzinfo=PARIS)  # a 30-day month: the quota month is the month
HIBOUTIK_STORE = HIBOUTIK_WAREHOUSE = 1
# The store's payment types, and the credit note an exchange gives (a replacement paid by it).
PAYMENTS = ("ESP", "CB", "CHE", "AVOIR")
SEED_FAULTS = 7
IDLE_TIMEOUT = 300.0
# Celery counts a retried run's countdown on the real clock, where the month's minutes last
# milliseconds: the flows' retry delays are cut to seconds, in every process of the month.
RETRY_SETTINGS = {
    "FLOW_RETRY_BASE_SECONDS": 1,
    "CELERY_MAX_RETRY_DELAY": 4,
}  # seconds a tick may wait for the worker before the month gives up


def _image(number: int) -> bytes:
    """A small PNG of its own colour: each new product's photo."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (number * 37 % 256, number * 91 % 256, number * 53 % 256)).save(
        buffer, "PNG"
    )
    return buffer.getvalue()


def missing_flows() -> list[str]:
    spec = get_type("hiboutik")
    return [key for key in MONTH_FLOWS if not spec.has_flow(key)]


@dataclass(frozen=True)
class Faults:
    """The month under faults: what the simulator does wrong, and how often."""

    call_error_rate: float = 0.0  # 503 with Retry-After
    reset_rate: float = 0.0
    slow_rate: float = 0.0  # answers past the client's read timeout
    retry_after: int = 1  # seconds, with the 503s
    receiver_down_share: float = 0.0  # of the whole time, gunicorn stopped
    worker_kills: int = 0  # SIGKILL of the worker while a flow runs
    simulator_switches: tuple[str, ...] = ()  # e.g. "--page-param=ignored"

    def outages(self, plan: MonthPlan) -> list[tuple[datetime, datetime]]:
        """When the webhook receiver is down: the share of the whole time, in one window per
        ten days (at least one), each starting in the store's busiest hours."""
        if not self.receiver_down_share:
            return []
        rng = random.Random(SEED_FAULTS)
        windows = max(1, plan.days // 10)
        length = timedelta(days=plan.days) * self.receiver_down_share / windows
        outages = []
        for day in sorted(rng.sample(range(plan.days), windows)):
            start = plan.start + timedelta(days=day, hours=10, minutes=rng.randrange(6 * 60))
            outages.append((start, start + length))
        return outages

    def kills(self, plan: MonthPlan) -> list[datetime]:
        """The ticks at which the worker is killed while it runs a flow: the first reception
        (a long stock push), then busy afternoons."""
        if not self.worker_kills:
            return []
        moments = [
            event.at.replace(second=0) + TICK - timedelta(minutes=event.at.minute % 5)
            for event in plan.events
            if isinstance(event, Reception)
        ][:1]
        day = 0
        while len(moments) < self.worker_kills:
            moments.append(plan.start + timedelta(days=day % plan.days, hours=15 + day))
            day += 1
        return sorted(moments)

    @property
    def any(self) -> bool:
        return bool(
            self.call_error_rate
            or self.reset_rate
            or self.slow_rate
            or self.receiver_down_share
            or self.worker_kills
        )


# --- the shop ----------------------------------------------------------------------------------


@dataclass
class Shop:
    warehouse: Warehouse
    store: Store
    shipping: ShippingMethod
    products: list[Product]  # by plan index
    known_customers: list[Customer]
    hiboutik_customers: list[int]  # the known customers' Hiboutik ids
    integration: Integration
    new_products: dict[int, Product] = field(default_factory=dict)


def _money(number: int) -> Decimal:
    """The bulk products' price on the simulator (hiboutik.simulator.seed.add_bulk_products)."""
    return Decimal(f"{5 + number % 95}.{number % 100:02d}")


def make_shop(shape: Shape, simulator: SimulatorProcess, web_base_url: str) -> Shop:
    """Connect's side of the shop at go-live: the simulator's products with the same SKUs and
    prices, 10 units each (as the simulator holds), known customers in both systems, and the
    Hiboutik integration configured for the store."""
    warehouse = Warehouse.objects.create(code="MAG", name="Magasin")
    store = Store.objects.create(code="BOUTIQUE", name="Boutique", default_warehouse=warehouse)
    web = Store.objects.create(code="WEB", name="Site web", default_warehouse=warehouse)
    shipping = ShippingMethod.objects.create(code="PICKUP", name="Retrait en magasin")
    methods = {
        code: PaymentMethod.objects.get_or_create(code=code, defaults={"name": code})[0]
        for code in PAYMENTS
    }
    # The catalogue in one transaction and its stock in one batch: the same rows as one
    # product and one move at a time, without a commit for each of thousands.
    with transaction.atomic():
        products = [
            product_create(
                sku=f"BULK-{number:06d}",
                name=f"Article {number:06d}",
                price_incl_tax=_money(number),
                cost=Decimal(2 + number % 40),
            )
            for number in range(1, shape.products + 1)
        ]
    stock_move_many(moves=[(product, warehouse, 10) for product in products], reason="initial")
    known, hiboutik_ids = [], []
    for number in range(1, shape.known_customers + 1):
        email = f"client{number:03d}@example.test"
        known.append(customer_create(email=email, first_name="Client", last_name=f"N{number}"))
        answer = simulator_post(
            simulator,
            "customers",
            {
                "customers_first_name": "Client",
                "customers_last_name": f"N{number}",
                "customers_email": email,
                "customers_country": "FR",
            },
        )
        hiboutik_ids.append(int(answer["customers_id"]))
    integration = integration_create(
        type="hiboutik",
        name="Boutique Hiboutik",
        config={
            "general": {
                "account": "bench",
                "user": simulator.user,
                "api_url": simulator.base_url,
            },
            "order_import": {
                "connect_store_id": store.pk,
                "hiboutik_store_id": HIBOUTIK_STORE,
                "shipping_method_id": shipping.pk,
                "payment_methods": {code: method.pk for code, method in methods.items()},
            },
            "guest": {"email": "comptoir@example.test", "country": "FR"},
            "products": {"default_tax_rate": "20"},
            "stock": {
                "connect_warehouse_ids": [warehouse.pk],
                "hiboutik_warehouse_id": HIBOUTIK_WAREHOUSE,
            },
            "exchanges": {"enabled": True, "back_to_stock": True, "refund": True},
        },
        secrets={"api_key": simulator.api_key},
    )
    webhook_register(integration, base_url=web_base_url)
    del web  # the web shop's orders name it: see play_web_order
    return Shop(warehouse, store, shipping, products, known, hiboutik_ids, integration)


# One kept-alive connection for the driver's thousands of requests to the till and the clock,
# instead of a new one each.
_simulator_http = requests.Session()


def simulator_post(simulator: SimulatorProcess, path: str, body: dict[str, Any]) -> Any:
    response = _simulator_http.post(f"{simulator.root_url}/_sim/{path}", json=body, timeout=60)
    if response.status_code not in (200, 201):
        raise BenchmarkError(
            f"simulator /_sim/{path}: {response.status_code} {response.text[:300]}"
        )
    return response.json()


def go_live(shop: Shop) -> None:
    """What an admin does once: match the catalogue, run every flow once (their first runs
    bind what already exists on both sides), then put every flow on its recommended schedule."""
    integration = shop.integration
    for key in MONTH_FLOWS:
        outcome = runner.run_flow(integration.pk, key, FlowRun.Trigger.MANUAL)
        run = outcome.run
        check(
            run is not None and run.status in (FlowRun.Status.SUCCEEDED, FlowRun.Status.PARTIAL),
            f"go-live: {key} ended {run.status if run else 'not run'}: "
            f"{run.reason_message % run.reason_params if run and run.reason_message else ''}",
        )
    schedules_apply_recommended(integration)


# --- time --------------------------------------------------------------------------------------


def due(schedule: FlowSchedule, moment: datetime) -> bool:
    """Whether beat would start the flow at ``moment`` (a tick of the month)."""
    local = moment.astimezone(PARIS)
    if schedule.every_minutes:
        minutes = int((moment - MONTH_START).total_seconds() // 60)
        return minutes % schedule.every_minutes == 0
    fields = crontab_fields(schedule.crontab)
    if any(fields[name] != "*" for name in ("day_of_month", "month_of_year", "day_of_week")):
        raise BenchmarkError(f"the month plays daily crontab lines only, not {schedule.crontab!r}")
    return str(local.minute) == fields["minute"] and str(local.hour) == fields["hour"]


class MonthClock:
    """The simulated time, told to the simulator and to every Connect process at once."""

    def __init__(self, path: Path, simulator: SimulatorProcess) -> None:
        self.file = clocked.FileClock(path)
        self.simulator = simulator
        self.now = MONTH_START

    def set(self, moment: datetime) -> None:
        self.now = moment
        self.file.set(moment)
        simulator_post(self.simulator, "clock", {"now": moment.isoformat(), "frozen": True})


# --- measuring ---------------------------------------------------------------------------------


@dataclass
class StockDelays:
    """For each Connect stock change, when Hiboutik first showed the same quantity."""

    pending: dict[int, datetime] = field(default_factory=dict)  # product id → oldest change
    delays: list[float] = field(default_factory=list)  # minutes

    def changed(self, product_id: int, at: datetime) -> None:
        self.pending.setdefault(product_id, at)

    def close(self, end: datetime) -> None:
        """Changes Hiboutik never showed count as long as the whole rest of the month: the
        percentile cannot hide them."""
        self.delays.extend((end - at).total_seconds() / 60 for at in self.pending.values())

    def p95(self) -> float | None:
        if not self.delays:
            return None
        ordered = sorted(self.delays)
        return ordered[min(len(ordered) - 1, math.ceil(0.95 * len(ordered)) - 1)]


@dataclass
class Accounts:
    """The month's calls, as the simulator and Connect's ledger counted them at its end."""

    calls: int
    ledger_calls: int
    by_flow: dict[str, int]
    by_day: dict[str, int]
    runs: Counter[str]


@dataclass
class MonthResult:
    days: int
    calls: int  # the simulator's counter for the month
    ledger_calls: int
    by_flow: dict[str, int]
    lower_bounds: dict[str, tuple[int, str]]
    sales: int
    sales_not_one_order: int
    refunds: int
    refunds_not_errors: int
    exchanges: int
    exchanges_not_processed: int
    products: int
    stock_differences: int
    stock_examples: list[str]
    delays: StockDelays
    never_shown: int  # stock changes Hiboutik still did not show at the end
    runs: Counter[str]
    seconds: float
    lost_webhooks: int
    calls_by_day: dict[str, int] = field(default_factory=dict)  # the ledger's, by ISO day
    failed_webhooks: int = 0  # deliveries the receiver did not answer 200 (lost ones apart)
    worker_kills: int = 0
    # Calls the ledger counted that never reached the simulator, in the ticks a worker was
    # killed: the most of one kill, and all of them.
    stranded_most_by_one_kill: int = 0
    stranded_by_kills: int = 0
    receiver_down_minutes: float = 0.0

    @property
    def projected_calls(self) -> float:
        return self.calls * 30 / self.days


# --- the month ---------------------------------------------------------------------------------


# The calls by day of the last month played without faults, by its shape but its length: the
# month under faults compares its days with the same days.
_baselines: dict[Shape, dict[str, int]] = {}


class Month:
    """``Month(shape).play()``: set up, go live, play every day, check; returns the result."""

    @staticmethod
    def baseline_calls(shape: Shape) -> int | None:
        """The calls of ``shape.days`` first days of the same month without faults, when it
        was played before in this process and lasted as long or longer."""
        by_day = _baselines.get(replace(shape, days=0))
        if by_day is None:
            return None
        first = MONTH_START.date()
        days = [(first + timedelta(days=n)).isoformat() for n in range(shape.days)]
        return sum(by_day.get(day, 0) for day in days)

    def __init__(self, shape: Shape, faults: Faults = Faults()) -> None:
        self.shape = shape
        self.faults = faults
        self.plan: MonthPlan = plan_month(shape, MONTH_START)
        self.delays = StockDelays()
        self.sales: list[int] = []  # Hiboutik ids of the sales that must become orders
        self.refunds: list[int] = []
        self.exchanges = 0
        self.sold_lines: list[tuple[int, int]] = []  # (sale id, line item id) not yet exchanged
        self.web_orders: list[tuple[datetime, Order]] = []
        self.lost = 0
        self.spent: Counter[str] = Counter()  # wall time by part of the loop
        self.accounts: Accounts | None = None

    def play(self) -> MonthResult:
        missing = missing_flows()
        if missing:
            raise NotRun(f"flow {', '.join(missing)} missing on this commit")
        began = time.perf_counter()
        with ExitStack() as stack:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-month-")))
            simulator = stack.enter_context(
                SimulatorProcess(
                    products=self.shape.products,
                    extra_arguments=self.faults.simulator_switches,
                )
            )
            self.simulator = simulator
            self.clock = MonthClock(folder / "clock", simulator)
            self.clock.set(MONTH_START - timedelta(days=1))  # go-live: the day before
            clocked.install(self.clock.file)
            stack.callback(clocked.uninstall)
            purge_queue()
            stack.callback(purge_queue)
            # The month's figures are calls, invariants and simulated delays, none the disk's
            # speed: its thousands of runs do not wait for a disk flush at each commit.
            stack.enter_context(commits_without_waiting_for_the_disk())
            stack.enter_context(override_settings(**RETRY_SETTINGS))
            retry_env = {name: str(value) for name, value in RETRY_SETTINGS.items()}
            self.web = WebServer(
                workers=1, threads=4, clock_file=self.clock.file.path, environment=retry_env
            )
            stack.enter_context(self.web)
            self.shop = make_shop(self.shape, simulator, self.web.base_url)
            go_live(self.shop)
            bound = self._bindings([product.pk for product in self.shop.products])
            check(
                len(bound) == len(self.shop.products),
                f"go-live bound {len(bound)} of {len(self.shop.products)} products",
            )
            self.hiboutik_ids = [int(bound[product.pk]) for product in self.shop.products]
            autovacuum()  # the set-up's thousands of rows, known to the planner
            self.worker = Worker(
                concurrency=2, clock_file=self.clock.file.path, environment=retry_env
            )
            stack.enter_context(self.worker)
            stack.enter_context(sending_to_redis())
            self._start_faults()
            self._days()
            result = self._result(time.perf_counter() - began)
        if not self.faults.any and not self.faults.simulator_switches:
            _baselines[replace(self.shape, days=0)] = result.calls_by_day
        return result

    # --- faults ------------------------------------------------------------------------------

    def _start_faults(self) -> None:
        self.outages = self.faults.outages(self.plan)
        self.kill_ticks = self.faults.kills(self.plan)
        self.killed_runs: set[int] = set()
        self.kills_done = 0
        self.stranded: list[int] = []  # per kill
        self._gap_before_kill: dict[datetime, int] = {}
        if self.faults.call_error_rate or self.faults.reset_rate or self.faults.slow_rate:
            simulator_post(
                self.simulator,
                "faults",
                {
                    "error_rate": self.faults.call_error_rate,
                    "status": 503,
                    "retry_after": self.faults.retry_after,
                    "reset_rate": self.faults.reset_rate,
                    "slow_rate": self.faults.slow_rate,
                    # Just past the client's 30-second read timeout.
                    "slow_ms": 31_000,
                },
            )

    def _receiver(self, moment: datetime) -> None:
        """gunicorn stopped inside an outage, running outside."""
        down = any(start <= moment < end for start, end in self.outages)
        running = self.web.process is not None
        if down and running:
            self.web.stop()
        elif not down and not running:
            self.web.start()

    def _kill_worker_mid_flow(self) -> None:
        """SIGKILL the worker while it runs a flow, then start a new one, as a machine that
        lost a worker would. Its unacknowledged message would come back after Redis'
        visibility timeout (longer than a month's tick); the next trigger takes the run over
        once it is stale, as `recover` does."""
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            running = FlowRun.objects.filter(
                integration=self.shop.integration, status=FlowRun.Status.RUNNING
            ).exclude(pk__in=self.killed_runs)
            if running.exists():
                time.sleep(0.05)
                break
            time.sleep(0.005)
        self.worker.kill()
        self.killed_runs.update(
            FlowRun.objects.filter(
                integration=self.shop.integration, status=FlowRun.Status.RUNNING
            ).values_list("pk", flat=True)
        )
        redis_client().delete("unacked", "unacked_index")
        self.worker.start()
        self.kills_done += 1

    # --- the loop ----------------------------------------------------------------------------

    def _days(self) -> None:
        schedules = list(
            FlowSchedule.objects.filter(integration=self.shop.integration, enabled=True)
        )
        events = iter(self.plan.events)
        pending: Event | None = next(events, None)
        shipments: list[tuple[datetime, Order]] = []
        moment = MONTH_START
        day_began = time.perf_counter()
        settled = False
        while not settled:
            tick = moment + TICK
            if tick.astimezone(PARIS).hour == 0 and tick.astimezone(PARIS).minute == 0:
                print(
                    f"   day {tick.astimezone(PARIS):%d/%m} played in "
                    f"{time.perf_counter() - day_began:.0f} s ("
                    + ", ".join(f"{k} {v:.0f} s" for k, v in self.spent.items())
                    + ")",
                    file=sys.stderr,
                    flush=True,
                )
                day_began = time.perf_counter()
            began = time.perf_counter()
            while pending is not None and pending.at < tick:
                self.clock.set(pending.at)
                self._receiver(pending.at)
                self._play(pending)
                pending = next(events, None)
            self.spent["events"] += time.perf_counter() - began
            while shipments and shipments[0][0] < tick:
                at, order = shipments.pop(0)
                self.clock.set(at)
                order_ship(order=order)
            shipments.extend(self.web_orders)
            shipments.sort(key=lambda item: item[0])
            self.web_orders.clear()
            if tick >= self.plan.end and self.accounts is None:
                # The month's calls, before the clock enters the next day (the next month,
                # after 30 days): what follows is the close, not the month.
                self._wait_idle()
                self.accounts = self._accounts()
            if tick.minute == 0:
                # Autovacuum's rule, every simulated hour: it wakes on the real clock, where
                # the month's hours last seconds (see benchmarks.vacuum).
                began = time.perf_counter()
                autovacuum()
                self.spent["vacuum"] += time.perf_counter() - began
            began = time.perf_counter()
            self.clock.set(tick)
            for schedule in schedules:
                if not due(schedule, tick):
                    continue
                if tick >= self.plan.end and schedule.flow_key == "stock.reconcile":
                    settled = True
                runner.request_run(
                    self.shop.integration, schedule.flow_key, trigger=FlowRun.Trigger.SCHEDULE
                )
            # Beat's own housekeeping every 5 minutes: what a lost message or a dead worker
            # left undone is found in the database and enqueued again.
            recover.apply_async()
            self.spent["enqueue"] += time.perf_counter() - began
            if tick in self.kill_ticks:
                self._kill_worker_mid_flow()
            began = time.perf_counter()
            self._wait_idle()
            self.spent["flows"] += time.perf_counter() - began
            self._count_stranded_calls(tick)
            began = time.perf_counter()
            self._stock_caught_up(tick)
            self.spent["stock checks"] += time.perf_counter() - began
            moment = tick
            if moment >= self.plan.end + timedelta(days=1):
                raise BenchmarkError("no nightly stock check ran in the day after the month")

    def _count_stranded_calls(self, tick: datetime) -> None:
        """A call is counted in the ledger once it holds its slot, right before it is sent: a
        worker killed in between leaves it counted, never sent. The gap between the ledger and
        the simulator is read with the worker idle (nothing in flight) at the end of the tick
        before a kill and at the end of the kill's tick; what it grew by is that kill's."""
        if tick + TICK in self.kill_ticks:
            self._gap_before_kill[tick + TICK] = self._counted_minus_received()
        if tick in self.kill_ticks:
            before = self._gap_before_kill.pop(tick, 0)
            self.stranded.append(self._counted_minus_received() - before)

    def _counted_minus_received(self) -> int:
        return self._ledger().calls - self.simulator.stats()["calls_this_month"]

    def _ledger(self) -> QuotaUse:
        """The month's use in Connect's call ledger."""
        return quota_use("bench@" + self.simulator.base_url, 10_000, MONTH_START.strftime("%Y-%m"))

    def _accounts(self) -> Accounts:
        month = MONTH_START.strftime("%Y-%m")
        stats = self.simulator.stats()
        check(stats["month"] == month, f"the simulator's month is {stats['month']}, not {month}")
        ledger = self._ledger()
        by_flow: Counter[str] = Counter()
        for row in calls_by_flow(ledger.account_key, month):
            by_flow[row["flow_key"] or "other"] += row["calls"]
        return Accounts(
            calls=stats["calls_this_month"],
            ledger_calls=ledger.calls,
            by_flow=dict(by_flow),
            by_day={
                row["day"].isoformat(): row["calls"]
                for row in calls_by_day(ledger.account_key, month)
            },
            runs=Counter(
                FlowRun.objects.filter(
                    integration=self.shop.integration,
                    created_at__gte=MONTH_START,
                    created_at__lt=self.plan.end,
                ).values_list("flow_key", flat=True)
            ),
        )

    def _wait_idle(self) -> None:
        """Until the worker has nothing queued or running (two looks in a row: a message moves
        from the queue to the worker's reserved set between two Redis reads)."""
        deadline = time.monotonic() + IDLE_TIMEOUT
        calm = 0
        while calm < 2:
            busy = (
                queued()
                # Pending runs whose message was lost wait for `recover`, not for the worker.
                or FlowRun.objects.filter(
                    integration=self.shop.integration, status=FlowRun.Status.RUNNING
                )
                .exclude(pk__in=self.killed_runs)
                .exists()
            )
            calm = 0 if busy else calm + 1
            if time.monotonic() > deadline:
                raise BenchmarkError(
                    f"the worker did not finish within {IDLE_TIMEOUT:.0f} s at "
                    f"{self.clock.now.isoformat()}: {self.worker.log()[-800:]}"
                )
            time.sleep(0.005 if busy else 0.002)

    def _stock_caught_up(self, tick: datetime) -> None:
        if not self.delays.pending:
            return
        bound = self._bindings(list(self.delays.pending))
        if not bound:
            return
        hiboutik = self._hiboutik_stock(list(bound.values()))
        available = self._connect_available(list(bound))
        for product_id, external in bound.items():
            if hiboutik.get(external) == available.get(product_id):
                changed_at = self.delays.pending.pop(product_id)
                self.delays.delays.append((tick - changed_at).total_seconds() / 60)

    # --- Connect's and Hiboutik's views --------------------------------------------------------

    def _bindings(self, product_ids: list[int]) -> dict[int, str]:
        return dict(
            ExternalBinding.objects.filter(
                object_type="product", object_id__in=product_ids
            ).values_list("object_id", "external_id")
        )

    def _hiboutik_stock(self, external_ids: list[str] | None = None) -> dict[str, int]:
        query = {"warehouse_id": HIBOUTIK_WAREHOUSE}
        if external_ids is not None:
            query["product_ids"] = ",".join(external_ids)
        response = _simulator_http.get(
            f"{self.simulator.root_url}/_sim/stock", params=query, timeout=60
        )
        check(response.status_code == 200, f"/_sim/stock answered {response.status_code}")
        return {key: int(units) for key, units in response.json()["stock"].items()}

    def _connect_available(self, product_ids: list[int]) -> dict[int, int]:
        rows = StockItem.objects.filter(
            warehouse=self.shop.warehouse, product_id__in=product_ids
        ).values_list("product_id", "physical", "reserved")
        return {product_id: physical - reserved for product_id, physical, reserved in rows}

    # --- the shop's events ---------------------------------------------------------------------

    def _play(self, event: Event) -> None:
        if isinstance(event, TillSale):
            self._till_sale(event)
        elif isinstance(event, Exchange):
            self._exchange(event)
        elif isinstance(event, Refund):
            self._refund(event)
        elif isinstance(event, WebOrder):
            self._web_order(event)
        elif isinstance(event, Reception):
            self._reception(event)
        elif isinstance(event, ProductEdit):
            product = self.shop.products[event.product]
            product.refresh_from_db()
            new_price = max(Decimal("1.00"), product.price_incl_tax + Decimal(event.cents) / 100)
            product_update(
                product=product, price=price_excl_tax_from_incl(new_price, product.tax_rate)
            )
        elif isinstance(event, NewProduct):
            self._new_product(event)
        elif isinstance(event, NewCustomer):
            customer_create(
                email=f"web{event.number:05d}@example.test",
                first_name="Web",
                last_name=f"Client {event.number}",
                country="FR",
            )

    def _sale_lines(self, lines: tuple[tuple[int, int], ...]) -> list[dict[str, int]]:
        return [
            {"product_id": self.hiboutik_ids[index], "quantity": quantity}
            for index, quantity in lines
        ]

    def _on_shelf(self, lines: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
        """The lines the cashier can sell: what the shelf (Hiboutik's stock) holds."""
        shelf = self._hiboutik_stock([str(self.hiboutik_ids[index]) for index, _q in lines])
        return tuple(
            (index, quantity)
            for index, quantity in lines
            if shelf.get(str(self.hiboutik_ids[index]), 0) >= quantity
        )

    def _till_sale(self, event: TillSale) -> None:
        lines = self._on_shelf(event.lines)
        if not lines:
            return
        event = replace(event, lines=lines)
        body: dict[str, Any] = {"store_id": HIBOUTIK_STORE, "lines": self._sale_lines(event.lines)}
        if event.customer == "known":
            body["customer_id"] = self.shop.hiboutik_customers[event.known_customer]
        elif event.customer == "new":
            number = len(self.sales) + 1
            created = simulator_post(
                self.simulator,
                "customers",
                {
                    "customers_first_name": "Passage",
                    "customers_last_name": f"Client {number}",
                    "customers_email": f"till{number:05d}@example.test",
                    "customers_country": "FR",
                },
            )
            body["customer_id"] = created["customers_id"]
        if event.split:
            # Split (DIV): 1 € in cash, the rest by card, adding up to the catalogue prices.
            total = self._total(event.lines)
            body["payment"] = "DIV"
            body["payments"] = [
                {"payment_type": "ESP", "amount": "1.00"},
                {"payment_type": "CB", "amount": str(total - Decimal("1.00"))},
            ]
        else:
            body["payment"] = "CB"
        if event.webhook_lost:
            simulator_post(self.simulator, "faults", {"lose_webhooks": 1})
            self.lost += 1
        sale = simulator_post(self.simulator, "sales", body)
        self.sales.append(int(sale["sale_id"]))
        self.sold_lines.extend(
            (int(sale["sale_id"]), int(line["line_item_id"])) for line in sale["line_items"]
        )

    def _total(self, lines: tuple[tuple[int, int], ...]) -> Decimal:
        return sum(
            (self.shop.products[index].price_incl_tax * quantity for index, quantity in lines),
            Decimal("0"),
        )

    def _exchange(self, event: Exchange) -> None:
        if not self.sold_lines:
            return
        index = min(len(self.sold_lines) - 1, int(event.pick * len(self.sold_lines)))
        sale_id, line_item_id = self.sold_lines.pop(index)
        body: dict[str, Any] = {
            "sale_id": sale_id,
            "line_item_id": line_item_id,
            "stock_id": HIBOUTIK_WAREHOUSE if event.back_to_stock else 0,
        }
        if event.replacement >= 0:
            body["lines"] = self._sale_lines(((event.replacement, 1),))
        answer = simulator_post(self.simulator, "exchanges", body)
        self.exchanges += 1
        replacement = answer.get("replacement") if "sale" in answer else None
        if replacement:
            self.sales.append(int(replacement["sale_id"]))
        if "sale" not in answer:  # return-lines mode: the return sale itself
            self.sales.append(int(answer["sale_id"]))

    def _refund(self, event: Refund) -> None:
        sale = simulator_post(
            self.simulator,
            "refunds",
            {
                "store_id": HIBOUTIK_STORE,
                "payment": "ESP",
                "lines": self._sale_lines(((event.product, 1),)),
            },
        )
        self.refunds.append(int(sale["sale_id"]))

    def _web_order(self, event: WebOrder) -> None:
        lines = [
            LineSpec(product=self.shop.products[index], quantity=quantity)
            for index, quantity in event.lines
        ]
        available = self._connect_available([line.product.pk for line in lines])
        lines = [line for line in lines if available.get(line.product.pk, 0) >= line.quantity]
        if not lines:
            return
        order = order_create(
            store=Store.objects.get(code="WEB"),
            lines=lines,
            shipping_method=self.shop.shipping,
            notify_customer=False,
        )
        for line in lines:
            self.delays.changed(line.product.pk, event.at)
        self.web_orders.append((event.ship_at, order))

    def _reception(self, event: Reception) -> None:
        for index in event.products:
            product = self.shop.products[index]
            stock_move(
                product=product,
                warehouse=self.shop.warehouse,
                quantity=event.quantity,
                reason="receipt",
            )
            self.delays.changed(product.pk, event.at)

    def _new_product(self, event: NewProduct) -> None:
        product = product_create(
            sku=f"NEW-{event.number:05d}",
            name=f"Nouveauté {event.number}",
            price_incl_tax=Decimal("19.90"),
            cost=Decimal("8"),
        )
        product_image_add(
            product=product, content=_image(event.number), filename=f"new-{event.number}.png"
        )
        stock_move(
            product=product, warehouse=self.shop.warehouse, quantity=event.stock, reason="receipt"
        )
        self.shop.new_products[event.number] = product
        self.delays.changed(product.pk, event.at)

    # --- the end -------------------------------------------------------------------------------

    def _result(self, seconds: float) -> MonthResult:
        integration = self.shop.integration
        orders = Counter(
            Order.objects.filter(integration=integration).values_list(
                "external_reference", flat=True
            )
        )
        sales_not_one = sum(orders[str(sale_id)] != 1 for sale_id in self.sales)
        errors = set(
            IntegrationError.objects.filter(integration=integration).values_list(
                "record_id", flat=True
            )
        )
        refunds_not_errors = sum(
            str(sale_id) not in errors or orders[str(sale_id)] != 0 for sale_id in self.refunds
        )
        exchange_events = IntegrationEvent.objects.filter(integration=integration, type="exchange")
        exchanges_not_processed = max(
            self.exchanges - exchange_events.filter(done=True).count(),
            exchange_events.filter(done=False).count(),
        )
        still_pending = len(self.delays.pending)
        self.delays.close(self.plan.end)
        products = list(Product.objects.all())
        bound = self._bindings([product.pk for product in products])
        hiboutik = self._hiboutik_stock()
        available = self._connect_available(list(bound))
        differing = [
            product
            for product in products
            if product.pk not in bound
            or hiboutik.get(bound[product.pk]) != available.get(product.pk)
        ]
        differences = [
            self._difference(product, bound, hiboutik, available) for product in differing
        ]
        accounts = self.accounts
        check(accounts is not None, "the month's calls were not counted at its end")
        stats = self.simulator.stats()
        return MonthResult(
            days=self.shape.days,
            calls=accounts.calls,
            ledger_calls=accounts.ledger_calls,
            by_flow=accounts.by_flow,
            lower_bounds=self._lower_bounds(),
            sales=len(self.sales),
            sales_not_one_order=sales_not_one,
            refunds=len(self.refunds),
            refunds_not_errors=refunds_not_errors,
            exchanges=self.exchanges,
            exchanges_not_processed=exchanges_not_processed,
            products=len(products),
            stock_differences=len(differences),
            stock_examples=differences[:5],
            delays=self.delays,
            never_shown=still_pending,
            runs=accounts.runs,
            seconds=seconds,
            lost_webhooks=self.lost,
            calls_by_day=accounts.by_day,
            failed_webhooks=sum(
                delivery["status"] != 200 and delivery["error"] != LOST
                for delivery in stats["webhook_deliveries"]
            ),
            worker_kills=self.kills_done,
            stranded_most_by_one_kill=max(self.stranded, default=0),
            stranded_by_kills=sum(self.stranded),
            receiver_down_minutes=sum(
                (end - start).total_seconds() / 60 for start, end in self.outages
            ),
        )

    def _difference(
        self,
        product: Product,
        bound: dict[int, str],
        hiboutik: dict[str, int],
        available: dict[int, int],
    ) -> str:
        """One product whose stock differs, with what explains it: the belief and the moves."""
        from integrations.models import ExternalStock
        from inventory.models import StockMovement

        belief = (
            ExternalStock.objects.filter(integration=self.shop.integration, product=product)
            .values_list("believed", "dirty")
            .first()
        )
        moves = ", ".join(
            f"{reason} {quantity:+d}"
            for reason, quantity in StockMovement.objects.filter(product=product)
            .order_by("pk")
            .values_list("reason", "quantity")
        )
        return (
            f"{product.sku}: Hiboutik {hiboutik.get(bound.get(product.pk, ''), 'no product')}, "
            f"Connect {available.get(product.pk)} (believed, marked: {belief}; moves: {moves})"
        )

    def _lower_bounds(self) -> dict[str, tuple[int, str]]:
        """Each flow's fewest calls for what the month asked of it, and the formula."""
        plan = self.plan
        edits = {
            (event.product, event.at.replace(minute=0, second=0)): 1
            for event in plan.events
            if isinstance(event, ProductEdit)
        }
        windows: dict[datetime, set] = {}
        for event in plan.events:
            moment = event.at.replace(minute=event.at.minute - event.at.minute % 10, second=0)
            if isinstance(event, WebOrder):
                windows.setdefault(moment, set()).update(i for i, _q in event.lines)
            elif isinstance(event, Reception):
                windows.setdefault(moment, set()).update(event.products)
            elif isinstance(event, NewProduct):
                windows.setdefault(moment, set()).add(("new", event.number))
        new_products = plan.count(NewProduct)
        till_customers = sum(
            isinstance(event, TillSale) and event.customer == "new" for event in plan.events
        )
        return {
            "stock.export": (
                sum(2 + len(products) for products in windows.values()),
                "per 10-minute window with Connect stock changes: create + validate + one line "
                "per product changed",
            ),
            "orders.import": (
                self.lost + till_customers,
                "one GET per sale whose webhook was lost, one per customer created at the till",
            ),
            "products.update": (len(edits), "one PUT per product whose price changed, per hour"),
            "products.export": (new_products, "one create per new product"),
            "products.images": (new_products, "one upload per new image"),
            "customers.export": (
                plan.count(NewCustomer),
                "one create per new web customer",
            ),
            "stock.reconcile": (
                plan.days * math.ceil(len(self.shop.products) / 250),
                "one read of 250 stock rows per page, nightly",
            ),
            "events.process": (0, "exchanges arrive by webhook"),
        }
