"""B3: importing sales that arrived by webhook — sales of 1, 3 and 20 lines rung up at the
simulator's till, delivered to gunicorn, then imported by one process: orders a second, queries
per order, and whether they grow with the lines; then a second run with nothing new."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import requests

from benchmarks.checks import NotRun, check
from benchmarks.live import WebServer, purge_queue, require_worker_services
from benchmarks.results import Table
from benchmarks.scenario import Mode, Outcome
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.stock_export import bound_catalogue, recorded_statements, split_queries
from benchmarks.targets import Target
from integrations import runner
from integrations.models import ExternalBinding, FlowRun, Integration, IntegrationEvent
from integrations.registry import get_type
from integrations.selectors.bindings import binding_scope
from integrations.services.integrations import integration_update
from integrations.services.webhooks import webhook_register
from inventory.models import Product
from sales.models import Order, PaymentMethod, ShippingMethod, Store

NAME = "order-import"
TITLE = "B3 · Importing the sales the webhooks delivered"
FLOW = "orders.import"
SEED = 3
SHAPES = (1, 3, 20)  # lines per sale
STOCK = 1_000_000


@dataclass(frozen=True)
class Sizes:
    sales: int  # in all, split evenly between the shapes
    products: int


SIZES = {
    Mode.FULL: Sizes(sales=1_000, products=200),
    Mode.QUICK: Sizes(sales=150, products=100),
    Mode.SMOKE: Sizes(sales=30, products=40),
}

TARGETS = (
    Target(
        "sale_calls",
        "Hiboutik calls per sale whose webhook arrived (the reconciliation's list apart)",
        "==",
        0,
        invariant=True,
        reason="a webhook carries the whole sale: importing it costs no call",
    ),
    Target(
        "sales_not_one_order",
        "Sales that are not exactly one order",
        "==",
        0,
        invariant=True,
        reason="no lost sale, no duplicate order",
    ),
    Target(
        "queries_per_extra_line",
        "Flow's queries added per order line (20-line sales against 1-line sales, per order)",
        "<=",
        0.1,
        reason="lines are inserted in bulk: an order costs the same queries whatever its lines",
    ),
    Target(
        "second_run_calls",
        "Hiboutik calls of a second run",
        "==",
        0,
        invariant=True,
        reason="a run with nothing to do makes zero API calls",
    ),
    Target(
        "second_run_changes",
        "Orders, events or errors a second run changed",
        "==",
        0,
        invariant=True,
        reason="a second run imports nothing twice",
    ),
    Target(
        "orders_per_second",
        "Orders imported a second, one process",
        ">=",
        2,
        timed=True,
        reason="a backlog of 1,000 sales (a day's webhooks waiting after an outage) imports "
        "within ten minutes",
    ),
)


def describe(sizes: Sizes) -> str:
    per = sizes.sales // len(SHAPES)
    return f"""\
**What.** {per} sales of each of {", ".join(map(str, SHAPES))} lines ({per * len(SHAPES)} in
all), drawn from {sizes.products} products bound on both sides, rung up at the simulator's till,
which posts each `sale` webhook to Connect's gunicorn (stored as events; their import messages
are dropped). Then `orders.import` runs in one process through the runner (what the worker's
task runs), once per shape: every event becomes an invoiced, shipped order. Queries are the
flow's own (the run's record and the call ledger apart, as in B1), per order; how they grow
from 1-line to 20-line sales says whether lines cost queries. The import's hourly
reconciliation (a read of the store's closed sales, to catch lost webhooks) is shown apart from
the calls the sales cost, which must be none. Then a second run, which must find nothing to do.

**Why.** The sales are what the merchant came for: they must import quickly, at no call, and
at a cost that does not grow with the basket."""


def run(sizes: Sizes) -> Outcome:
    require_worker_services()
    if not get_type("hiboutik").has_flow(FLOW):
        raise NotRun(f"flow {FLOW} missing on this commit")
    outcome = Outcome()
    purge_queue()
    try:
        with SimulatorProcess(products=sizes.products) as simulator, WebServer() as web:
            integration = _shop(sizes, simulator, web)
            table = Table(
                "Import by one process, per shape of sale",
                ["Lines a sale", "Sales", "Orders", "Calls", "Reconciliation's reads",
                 "Flow's queries",
                 "Queries an order", "Orders a second", "Second run: calls", "Second run: changes"],
                varying=["Orders a second"],
            )  # fmt: skip
            rng = random.Random(SEED)
            per_order: dict[int, float] = {}
            rates, sale_calls, calls_second, changes, wrong = [], 0, 0, 0, 0
            for lines in SHAPES:
                sale_ids = [
                    _ring_up(simulator, rng, sizes.products, lines)
                    for _ in range(sizes.sales // len(SHAPES))
                ]
                result = _import(integration, simulator, sale_ids)
                per_order[lines] = result["queries"] / max(1, result["orders"])
                rates.append(result["orders"] / result["seconds"])
                sale_calls += result["calls"] - result["listing_calls"]
                calls_second += result["second_calls"]
                changes += result["second_changes"]
                wrong += result["wrong"]
                table.add(
                    lines,
                    len(sale_ids),
                    result["orders"],
                    result["calls"],
                    result["listing_calls"],
                    result["queries"],
                    per_order[lines],
                    result["orders"] / result["seconds"],
                    result["second_calls"],
                    result["second_changes"],
                )
    finally:
        purge_queue()
    outcome.tables.append(table)
    growth = (per_order[SHAPES[-1]] - per_order[SHAPES[0]]) / (SHAPES[-1] - SHAPES[0])
    outcome.figures.update(
        sale_calls=sale_calls / max(1, sizes.sales),
        sales_not_one_order=wrong,
        queries_per_extra_line=growth,
        second_run_calls=calls_second,
        second_run_changes=changes,
        orders_per_second=min(rates),
    )
    outcome.explanations["queries_per_extra_line"] = "queries an order: " + ", ".join(
        f"{lines} line(s) {count:.1f}" for lines, count in per_order.items()
    )
    return outcome


def _shop(sizes: Sizes, simulator: SimulatorProcess, web: WebServer) -> Integration:
    """The catalogue bound on both sides (B1's), plenty of stock in Connect, a store whose
    orders come from the simulator's store 1, the webhook registered."""
    shipping = ShippingMethod.objects.create(code="PICKUP", name="Retrait")
    card = PaymentMethod.objects.get_or_create(code="CB", defaults={"name": "Carte"})[0]
    integration, warehouse, _products = bound_catalogue(
        sizes.products, simulator, stock_config=False, stock=STOCK
    )
    store = Store.objects.create(code="B3", name="Boutique", default_warehouse=warehouse)
    config = dict(integration.config)
    config["order_import"] = {
        **config.get("order_import", {}),
        "connect_store_id": store.pk,
        "hiboutik_store_id": 1,
        "shipping_method_id": shipping.pk,
        "payment_methods": {"CB": card.pk},
    }
    integration = integration_update(integration, config=config)
    webhook_register(integration, base_url=web.base_url)
    check(
        ExternalBinding.objects.filter(scope=binding_scope(integration, "product")).count()
        == Product.objects.count(),
        "every product must be bound",
    )
    return integration


def _ring_up(simulator: SimulatorProcess, rng: random.Random, products: int, lines: int) -> int:
    chosen = rng.sample(range(1, products + 1), lines)
    response = requests.post(
        f"{simulator.root_url}/_sim/sales",
        json={
            "store_id": 1,
            "payment": "CB",
            "lines": [{"product_id": pid, "quantity": 1} for pid in chosen],
        },
        timeout=60,
    )
    check(response.status_code == 201, f"the till answered {response.status_code}")
    return int(response.json()["sale_id"])


def _import(integration: Integration, simulator: SimulatorProcess, sale_ids: list[int]) -> dict:
    references = [str(sale_id) for sale_id in sale_ids]
    check(
        IntegrationEvent.objects.filter(
            integration=integration, type="sale", external_id__in=references
        ).count()
        == len(sale_ids),
        "every sale's webhook must be stored before the import",
    )
    stats = simulator.stats()
    calls_before, routes_before = stats["calls_this_month"], dict(stats["by_route"])
    with recorded_statements() as captured:
        began = time.perf_counter()
        outcome = runner.run_flow(integration.pk, FLOW, FlowRun.Trigger.SCHEDULE)
        seconds = time.perf_counter() - began
    check(
        outcome.run is not None and outcome.run.status == FlowRun.Status.SUCCEEDED,
        f"the import ended {outcome.run.status if outcome.run else 'not run'}",
    )
    stats = simulator.stats()
    calls = stats["calls_this_month"] - calls_before
    listing = sum(
        count - routes_before.get(route, 0)
        for route, count in stats["by_route"].items()
        if "closed_sales" in route
    )
    orders = Order.objects.filter(integration=integration, external_reference__in=references)
    counted = orders.count()
    per_sale = {}
    for reference in orders.values_list("external_reference", flat=True):
        per_sale[reference] = per_sale.get(reference, 0) + 1
    wrong = sum(per_sale.get(reference, 0) != 1 for reference in references)
    before = _state(integration)
    second = runner.run_flow(integration.pk, FLOW, FlowRun.Trigger.SCHEDULE).run
    second_calls = simulator.stats()["calls_this_month"] - calls_before - calls
    after = _state(integration)
    check(second is not None, "the second run did not run")
    return {
        "orders": counted,
        "seconds": seconds,
        "calls": calls,
        "listing_calls": listing,
        "queries": split_queries(captured)["flow"],
        "wrong": wrong,
        "second_calls": second_calls,
        "second_changes": sum(abs(a - b) for a, b in zip(after, before, strict=True)),
    }


def _state(integration: Integration) -> tuple[int, ...]:
    from integrations.models import IntegrationError

    return (
        Order.objects.filter(integration=integration).count(),
        IntegrationEvent.objects.filter(integration=integration, done=True).count(),
        IntegrationError.objects.filter(integration=integration).count(),
    )
