"""B5: overlapping triggers of one flow, and concurrent retries of one error, on PostgreSQL.

Beat, *Exécuter maintenant*, a webhook and recovery can all start the same flow at the same
moment, and two operators (or a double click, or recovery) can retry the same failed sale at
once. The runner must let one run through and record the others as skipped at once, and import
a retried sale once.

The flow measured is the benchmark's own, registered in this process only (and in the worker
processes it forks): a whole run that holds its slot for a while, and a retry that imports the
failed sale through ``order_import_complete`` as the order import does. What is measured is the
runner's claiming, which is the same for every flow.
"""

from __future__ import annotations

import multiprocessing
import time
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection, connections
from django.utils import timezone
from django.utils.translation import gettext_noop

from benchmarks.checks import check
from benchmarks.data import make_products, make_shop
from benchmarks.results import Table
from benchmarks.scenario import Mode, Outcome
from benchmarks.targets import Target
from integrations import runner
from integrations.flows import Flow, Resolved
from integrations.models import FlowRun, Integration, IntegrationError
from integrations.registry import IntegrationType, register, unregister
from integrations.services.errors import error_record
from inventory.models import StockItem
from sales.models import Order, PaymentMethod, ShippingMethod, Store
from sales.services import LineSpec, PaymentSpec, order_import_complete

NAME = "flow-races"
TITLE = "B5 · Overlapping runs of one flow and concurrent retries of one error"
TYPE_KEY = "benchmark-races"
STOCK = 100


@dataclass(frozen=True)
class Sizes:
    triggers: int  # the same flow started at once
    hold_seconds: float  # how long the run that got through keeps its slot
    retries: int  # the same error retried at once
    rounds: int  # each part repeated, a new run / error each time


SIZES = {
    Mode.FULL: Sizes(triggers=5, hold_seconds=3.0, retries=10, rounds=3),
    Mode.QUICK: Sizes(triggers=5, hold_seconds=3.0, retries=10, rounds=1),
    Mode.SMOKE: Sizes(triggers=3, hold_seconds=2.0, retries=4, rounds=1),
}

TARGETS = (
    Target(
        "bursts_not_one_run",
        "Bursts of triggers where other than exactly one run went through",
        "==",
        0,
        invariant=True,
        reason="two runs of one flow at once would push the same changes twice",
    ),
    Target(
        "unrecorded_triggers",
        "Triggers neither run nor recorded as skipped",
        "==",
        0,
        invariant=True,
        reason="the Historique tab shows every trigger and what came of it",
    ),
    Target(
        "slowest_skip_s",
        "Time for a trigger to be recorded as skipped, slowest",
        "<",
        1.0,
        "s",
        timed=True,
        reason="a skipped trigger must not hold a worker while the run goes on",
    ),
    Target(
        "errors_not_one_order",
        "Sales retried at once that are not exactly one order",
        "==",
        0,
        invariant=True,
        reason="no duplicate order, ever, including on retry",
    ),
    Target(
        "errors_not_one_retry_run",
        "Errors retried at once whose retry ran other than exactly once",
        "==",
        0,
        invariant=True,
        reason="the error is claimed by one retry; the others stop without importing",
    ),
    Target(
        "stock_moved_twice",
        "Products whose stock moved more than once for the retried sale",
        "==",
        0,
        invariant=True,
        reason="no double stock move",
    ),
)


def describe(sizes: Sizes) -> str:
    return f"""\
**What.** Two races, on PostgreSQL, each between worker processes forked from the benchmark (own
database connection each, as Celery's prefork pool), released together by a barrier, repeated
{sizes.rounds} time(s):

- **Overlapping triggers**: {sizes.triggers} processes run the same flow of the same integration
  at once through `integrations.runner.run_flow` (what the `run_flow` task does). The run that
  gets through keeps its slot for {sizes.hold_seconds:g} s; the others must be recorded as
  *skipped* (already running) at once.
- **Concurrent retries**: a sale whose import failed (an open error carrying the sale as its
  payload) is retried by {sizes.retries} processes at once through `runner.retry_error` (what
  *Réessayer* and `retry_errors` run). The retry imports the sale with `order_import_complete`.

The flow is the benchmark's own (registered in its processes only): what is measured is the
runner's claiming — the partial unique index on active runs, the conditional UPDATE on the
error — which every flow goes through.

**Why.** Beat, *Exécuter maintenant*, webhooks and recovery start the same flow at the same
moment; two operators retry the same sale. One run, one import, the others recorded."""


class HoldingFlow(Flow):
    key = "hold"
    label = "Hold the slot"

    def run(self) -> None:
        self.ctx.count(seen=1)
        time.sleep(float(self.integration.config.get("hold_seconds", 1)))

    def retry(self, error: IntegrationError) -> Resolved:
        sale = error.payload
        store = Store.objects.get(pk=sale["store"])
        order = order_import_complete(
            store=store,
            lines=[LineSpec(sku=sku, quantity=qty) for sku, qty in sale["lines"]],
            payments=[
                PaymentSpec(
                    method=PaymentMethod.objects.get(pk=sale["payment"]),
                    amount=Decimal(sale["total"]),
                )
            ],
            shipping_method=ShippingMethod.objects.get(pk=sale["shipping"]),
            integration=self.integration,
            external_reference=error.record_id,
            placed_at=timezone.now(),
        )
        return Resolved(gettext_noop("Order %(number)s imported."), {"number": order.number})


def _type() -> IntegrationType:
    return IntegrationType(
        key=TYPE_KEY,
        label="Benchmark races",
        parse_config=dict,
        client_factory=lambda integration: None,
        flows=[HoldingFlow],
    )


def _in_processes(count: int, target: Any, args: tuple) -> list[Any]:
    """``target(*args)`` in ``count`` forked processes released together; their results."""
    connections.close_all()
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(count)
    out = context.Queue()
    processes = [
        context.Process(target=_child, args=(target, args, barrier, out), daemon=True)
        for _ in range(count)
    ]
    for process in processes:
        process.start()
    results = [out.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(timeout=30)
    return results


def _child(target: Any, args: tuple, barrier: Any, out: Any) -> None:
    try:
        connection.ensure_connection()  # connected before the start, not timed
        barrier.wait(timeout=60)
        began = time.perf_counter()
        result = target(*args)
        out.put((result, time.perf_counter() - began, ""))
    except Exception as error:  # reported: the benchmark checks every process answered
        out.put((None, 0.0, f"{type(error).__name__}: {error}"))
    finally:
        connections.close_all()


def _trigger(integration_id: int) -> str | None:
    outcome = runner.run_flow(integration_id, HoldingFlow.key, FlowRun.Trigger.MANUAL)
    return outcome.run.status if outcome.run else None


def _retry(error_id: int) -> str | None:
    outcome = runner.retry_error(error_id)
    return outcome.run.status if outcome.run else None


@dataclass
class Burst:
    statuses: list[str | None]
    seconds: list[float]
    errors: list[str]


def _burst(count: int, target: Any, argument: int) -> Burst:
    results = _in_processes(count, target, (argument,))
    return Burst(
        statuses=[status for status, _seconds, _error in results],
        seconds=[seconds for _status, seconds, _error in results],
        errors=[error for _status, _seconds, error in results if error],
    )


def run(sizes: Sizes) -> Outcome:
    check(connection.vendor == "postgresql", "the races are measured on PostgreSQL")
    register(_type())
    try:
        return _run(sizes)
    finally:
        unregister(TYPE_KEY)


def _run(sizes: Sizes) -> Outcome:
    shop = make_shop("RACES")
    integration = Integration.objects.create(
        type=TYPE_KEY, name="B5 races", config={"hold_seconds": sizes.hold_seconds}
    )
    products = make_products(3, prefix="RACE", warehouse=shop.warehouse, stock=STOCK)
    outcome = Outcome()
    triggers = Table(
        f"{sizes.triggers} triggers of one flow at once",
        ["Round", "Ran", "Skipped", "Other", "Run time (s)", "Slowest skip (s)"],
        varying=["Run time (s)", "Slowest skip (s)"],
    )
    retries = Table(
        f"{sizes.retries} retries of one error at once",
        ["Round", "Retries that ran", "Retries that stopped", "Orders", "Stock moved",
         "Error after"],
    )  # fmt: skip
    ran_counts, unrecorded, slowest, errors = [], 0, 0.0, []
    orders_counts, retry_counts, moved_twice = [], [], 0
    for number in range(1, sizes.rounds + 1):
        before = FlowRun.objects.filter(integration=integration, target="").count()
        burst = _burst(sizes.triggers, _trigger, integration.pk)
        errors.extend(burst.errors)
        ran = burst.statuses.count(FlowRun.Status.SUCCEEDED)
        timed = list(zip(burst.statuses, burst.seconds, strict=True))
        skipped = [seconds for status, seconds in timed if status == FlowRun.Status.SKIPPED]
        running = [seconds for status, seconds in timed if status != FlowRun.Status.SKIPPED]
        recorded = FlowRun.objects.filter(integration=integration, target="").count() - before
        unrecorded += sizes.triggers - recorded
        ran_counts.append(ran)
        slowest = max([slowest, *skipped])
        triggers.add(
            number,
            ran,
            len(skipped),
            sizes.triggers - ran - len(skipped),
            max(running, default=0.0),
            max(skipped, default=0.0),
        )

        reference = f"RACE-SALE-{number}"
        quantities = [(product.sku, 1 + index) for index, product in enumerate(products)]
        error, _ = error_record(
            integration=integration,
            flow_key=HoldingFlow.key,
            record_type="sale",
            record_id=reference,
            code="out_of_stock",
            message=gettext_noop("Out of stock."),
            payload={
                "store": shop.store.pk,
                "payment": shop.payment.pk,
                "shipping": shop.shipping.pk,
                "lines": quantities,
                "total": str(
                    sum(
                        (
                            p.price_incl_tax * q
                            for p, (_s, q) in zip(products, quantities, strict=True)
                        ),
                        Decimal(0),
                    )
                ),
            },
        )
        stock_before = _stock(shop.warehouse, products)
        burst = _burst(sizes.retries, _retry, error.pk)
        errors.extend(burst.errors)
        runs = FlowRun.objects.filter(integration=integration, target=f"error:{error.pk}")
        orders = Order.objects.filter(integration=integration, external_reference=reference)
        stock_after = _stock(shop.warehouse, products)
        moved = {pk: stock_before[pk] - stock_after[pk] for pk in stock_before}
        expected = {p.pk: q for p, (_s, q) in zip(products, quantities, strict=True)}
        moved_twice += sum(moved[pk] > expected[pk] for pk in expected)
        check(
            all(moved[pk] == expected[pk] for pk in expected) or orders.count() != 1,
            f"the retried sale moved {moved} units where {expected} were sold",
        )
        error.refresh_from_db()
        orders_counts.append(orders.count())
        retry_counts.append(runs.count())
        retries.add(
            number,
            runs.count(),
            sum(status is None for status in burst.statuses),
            orders.count(),
            ", ".join(str(moved[p.pk]) for p in products),
            error.get_status_display(),
        )
    check(not errors, f"a process failed: {'; '.join(sorted(set(errors))[:3])}")
    outcome.tables.extend([triggers, retries])
    outcome.figures.update(
        bursts_not_one_run=sum(count != 1 for count in ran_counts),
        unrecorded_triggers=unrecorded,
        slowest_skip_s=slowest,
        errors_not_one_order=sum(count != 1 for count in orders_counts),
        errors_not_one_retry_run=sum(count != 1 for count in retry_counts),
        stock_moved_twice=moved_twice,
    )
    outcome.explanations["slowest_skip_s"] = (
        f"each skipped trigger waited on the database for the slot held by the running one "
        f"({sizes.triggers} processes on {len(ran_counts)} round(s))"
    )
    return outcome


def _stock(warehouse, products) -> dict[int, int]:
    return dict(
        StockItem.objects.filter(warehouse=warehouse, product__in=products).values_list(
            "product_id", "physical"
        )
    )
