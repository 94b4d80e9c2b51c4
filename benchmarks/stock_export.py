"""B1: the stock export flow on a large bound catalogue, a few products changed, against the
simulator at 50 ms a call: calls, queries, wall time; then an idle run."""

from __future__ import annotations

import math
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from benchmarks.checks import NotRun, check
from benchmarks.results import Table
from benchmarks.scenario import Mode, Outcome
from benchmarks.simulator_process import SimulatorProcess
from benchmarks.targets import Target
from hiboutik.concurrency import DEFAULT_CONCURRENCY
from integrations import runner
from integrations.models import ExternalBinding, ExternalStock, FlowRun, Integration
from integrations.registry import get_type
from integrations.selectors.bindings import binding_scope
from integrations.services.integrations import integration_create
from inventory.models import Product, StockItem, Warehouse
from inventory.services.stock_edit import stock_set_many

NAME = "stock-export"
TITLE = "B1 · Stock export of a large catalogue, a few products changed"
FLOW = "stock.export"
LATENCY_MS = 50
STOCK = 10  # what the simulator's bulk products hold, and Connect before the change
CHANGE = 3


@dataclass(frozen=True)
class Sizes:
    catalogues: tuple[int, ...]
    dirty_share: float


SIZES = {
    Mode.FULL: Sizes(catalogues=(10_000, 100_000), dirty_share=0.01),
    Mode.QUICK: Sizes(catalogues=(10_000,), dirty_share=0.01),
    Mode.SMOKE: Sizes(catalogues=(500,), dirty_share=0.01),
}

TARGETS = (
    Target(
        "extra_calls",
        "Calls beyond the API's lower bound (create + one line per changed product + validate)",
        "==",
        0,
        invariant=True,
        reason="one stock order per run, one line per changed product",
    ),
    Target(
        "queries_over_budget",
        "Flow's queries beyond 5 + 3 × ⌈changed / 1,000⌉, largest catalogue",
        "<=",
        0,
        reason="the run reads the marked rows a thousand at a time, never row by row",
    ),
    Target(
        "wall_over_floor",
        "Wall time / (1.25 × the calls' latency at the concurrency cap + 2 s), largest catalogue",
        "<=",
        1.0,
        "×",
        timed=True,
        reason="the lines go out in parallel up to the cap; Connect's own work is small",
    ),
    Target(
        "stock_not_pushed",
        "Changed products whose Hiboutik stock is not Connect's afterwards",
        "==",
        0,
        invariant=True,
        reason="a push that does not land is a till selling stock it does not have",
    ),
    Target(
        "idle_calls",
        "Calls of an idle run",
        "==",
        0,
        invariant=True,
        reason="a run with nothing to do makes zero API calls",
    ),
    Target(
        "idle_queries",
        "Flow's queries of an idle run",
        "<=",
        5,
        reason="an idle run reads its marks and finds none",
    ),
    Target("idle_seconds", "Time of an idle run", "<", 1.0, "s", timed=True),
)


def describe(sizes: Sizes) -> str:
    catalogues = " and ".join(f"{count:,}" for count in sizes.catalogues)
    return f"""\
**What.** {catalogues} products bound to the simulator's (made in bulk, Connect believing
Hiboutik holds what it holds), {sizes.dirty_share:.0%} of them changed through the mass stock
edit (`stock_set_many`, which marks them), then one `stock.export` run through the runner against
the simulator at {LATENCY_MS} ms a call, the account's concurrency cap at
{DEFAULT_CONCURRENCY} calls in flight; then a second run with nothing to do.

The API's lower bound for n changed products is **n + 2 calls**: one inventory input, one
detail line per product (the API takes one product per call), one validation. The calls'
latency at the cap is {LATENCY_MS} ms × (2 + ⌈n / {DEFAULT_CONCURRENCY}⌉): the input and its
validation one after the other, the lines {DEFAULT_CONCURRENCY} at a time.

**Why.** The stock flow runs every 5 minutes all month: it must cost what changed, not what
exists."""


def _missing() -> None:
    if not get_type("hiboutik").has_flow(FLOW):
        raise NotRun(f"flow {FLOW} missing on this commit")


def run(sizes: Sizes) -> Outcome:
    _missing()
    outcome = Outcome()
    table = Table(
        "One run with changed products, then an idle run",
        ["Products", "Changed", "Calls", "Lower bound", "Flow's queries", "Query budget",
         "Ledger's queries", "Run record's queries", "Wall time (s)", "Floor (s)",
         "Idle calls", "Idle flow's queries", "Idle run record's queries", "Idle time (ms)"],
        notes=[
            "*Flow's queries*: what the flow itself asks of the database, which the budget "
            "judges. Beside it, the same for every flow and not counted in the budget: the call "
            "ledger's (it counts each API call in the account's month and day, in a "
            "transaction of its own) and the runner's record of the run (claiming it, its "
            "progress, its end). Counted: every statement the connection sends, savepoints "
            "included (a transaction's implicit BEGIN and its COMMIT are not statements)."
        ],
        varying=["Wall time (s)", "Floor (s)", "Idle time (ms)"],
    )  # fmt: skip
    figures: dict[str, float] = {}
    for catalogue in sizes.catalogues:
        figures = _one(catalogue, sizes, table)
        _empty()
    outcome.tables.append(table)
    outcome.figures.update(figures)
    in_flight = figures["calls"] * LATENCY_MS / 1000 / figures["wall_seconds"]
    outcome.explanations["wall_over_floor"] = (
        f"the run took {figures['wall_seconds']:.1f} s for a floor of "
        f"{figures['floor_seconds']:.1f} s: its {figures['calls']:.0f} calls of {LATENCY_MS} ms "
        f"had {in_flight:.1f} in flight on average, where the cap allows {DEFAULT_CONCURRENCY}"
    )
    outcome.explanations["queries_over_budget"] = f"the run made {figures['queries']} queries"
    return outcome


def _one(catalogue: int, sizes: Sizes, table: Table) -> dict[str, float]:
    with SimulatorProcess(latency_ms=LATENCY_MS, products=catalogue) as simulator:
        integration, warehouse, products = bound_catalogue(catalogue, simulator)
        step = max(1, round(1 / sizes.dirty_share))
        changed = products[::step]
        result = stock_set_many(
            warehouse=warehouse,
            quantities={product.pk: STOCK + CHANGE for product in changed},
            reason="count",
        )
        check(not result.errors, f"the stock change was refused: {result.errors}")
        calls_before = simulator.stats()["calls_this_month"]
        with recorded_statements() as captured:
            began = time.perf_counter()
            outcome = runner.run_flow(integration.pk, FLOW, FlowRun.Trigger.SCHEDULE)
            seconds = time.perf_counter() - began
        run = outcome.run
        check(
            run is not None and run.status == FlowRun.Status.SUCCEEDED,
            f"the stock run ended {run.status if run else 'not run'}: {run and run.reason_params}",
        )
        calls = simulator.stats()["calls_this_month"] - calls_before
        check(calls == run.api_calls, f"{calls} calls served, the run counted {run.api_calls}")
        shelf = _hiboutik_stock(simulator, [p.pk for p in changed])
        not_pushed = sum(shelf.get(str(p.pk)) != STOCK + CHANGE for p in changed)
        with recorded_statements() as idle_queries:
            began = time.perf_counter()
            idle = runner.run_flow(integration.pk, FLOW, FlowRun.Trigger.SCHEDULE).run
            idle_seconds = time.perf_counter() - began
        idle_calls = simulator.stats()["calls_this_month"] - calls_before - calls
    n = len(changed)
    bound = n + 2
    budget = 5 + 3 * math.ceil(n / 1000)
    floor = LATENCY_MS / 1000 * (2 + math.ceil(n / DEFAULT_CONCURRENCY))
    queries = split_queries(captured)
    idle_split = split_queries(idle_queries)
    table.add(
        catalogue,
        n,
        calls,
        bound,
        queries["flow"],
        budget,
        queries["ledger"],
        queries["run"],
        seconds,
        floor,
        idle_calls,
        idle_split["flow"],
        idle_split["run"],
        idle_seconds * 1000,
    )
    check(idle is not None and idle.status == FlowRun.Status.SUCCEEDED, "the idle run failed")
    return {
        "calls": calls,
        "extra_calls": calls - bound,
        "queries": queries["flow"],
        "queries_over_budget": queries["flow"] - budget,
        "ledger_queries_per_call": queries["ledger"] / max(1, calls),
        "wall_seconds": seconds,
        "floor_seconds": floor,
        "wall_over_floor": seconds / (1.25 * floor + 2),
        "stock_not_pushed": not_pushed,
        "idle_calls": idle_calls,
        "idle_queries": idle_split["flow"],
        "idle_seconds": idle_seconds,
    }


def bound_catalogue(
    count: int,
    simulator: SimulatorProcess,
    *,
    stock_config: bool = True,
    stock: int = STOCK,
    extra_config: dict | None = None,
) -> tuple[Integration, Warehouse, list[Product]]:
    """``count`` products bound one to one to the simulator's bulk products (ids 1…count, 10
    units each), Connect holding ``stock`` and believing Hiboutik holds 10: made in bulk, as a
    catalogue matched long ago would be, and none marked. The integration exports the stock
    of the warehouse when ``stock_config``; ``extra_config`` adds its other sections."""
    warehouse = Warehouse.objects.create(code="STOCK", name="Dépôt")
    config: dict = {
        "general": {"account": "bench", "user": simulator.user, "api_url": simulator.base_url},
        **(extra_config or {}),
    }
    if stock_config:
        config["stock"] = {"connect_warehouse_ids": [warehouse.pk], "hiboutik_warehouse_id": 1}
    integration = integration_create(
        type="hiboutik", name="Boutique", config=config, secrets={"api_key": simulator.api_key}
    )
    Product.objects.bulk_create(
        [
            Product(
                sku=f"BULK-{number:06d}",
                name=f"Article {number:06d}",
                price=Decimal("10.00"),
                tax_rate=Decimal("20"),
            )
            for number in range(1, count + 1)
        ],
        batch_size=5_000,
    )
    products = list(Product.objects.filter(sku__startswith="BULK-").order_by("sku"))
    check(
        [p.pk for p in products] == list(range(1, count + 1)),
        "the products' ids must be the simulator's (an empty database numbers them from 1)",
    )
    StockItem.objects.bulk_create(
        [StockItem(product=p, warehouse=warehouse, physical=stock) for p in products],
        batch_size=5_000,
    )
    scope = binding_scope(integration, "product")
    ExternalBinding.objects.bulk_create(
        [
            ExternalBinding(
                scope=scope, object_type="product", object_id=p.pk, external_id=str(p.pk)
            )
            for p in products
        ],
        batch_size=5_000,
    )
    ExternalStock.objects.bulk_create(
        [
            ExternalStock(integration=integration, product=p, believed=STOCK, dirty=False)
            for p in products
        ],
        batch_size=5_000,
    )
    return integration, warehouse, products


# Whose queries: the runner's record of the run, the call ledger (one count per API call,
# every flow alike), and the flow's own work, which the budget judges.
LEDGER_TABLES = ('"integrations_apiquotamonth"', '"integrations_apicallcount"')
RUN_TABLES = ('"integrations_flowrun"',)


@contextmanager
def recorded_statements() -> Iterator[list[dict]]:
    """Every statement this thread's connection runs in the block, however many (Django's
    query log keeps the last 9,000 only): ``[{"sql": ...}]``."""
    statements: list[dict] = []

    def record(execute, sql, params, many, context):
        statements.append({"sql": sql})
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        yield statements


def split_queries(captured: list[dict]) -> dict[str, int]:
    """Queries by whose they are; a transaction statement goes with the statement it opens
    (BEGIN, SAVEPOINT) or closes (COMMIT, RELEASE, ROLLBACK)."""
    kinds = []
    for query in captured:
        sql = query["sql"]
        if sql.startswith(("BEGIN", "SAVEPOINT")):
            kinds.append("opens")
        elif sql.startswith(("COMMIT", "RELEASE", "ROLLBACK")):
            kinds.append("closes")
        elif any(table in sql for table in LEDGER_TABLES):
            kinds.append("ledger")
        elif any(table in sql for table in RUN_TABLES):
            kinds.append("run")
        else:
            kinds.append("flow")
    counts = {"flow": 0, "ledger": 0, "run": 0}
    for index, kind in enumerate(kinds):
        if kind == "opens":
            following = (k for k in kinds[index + 1 :] if k in counts)
            kind = next(following, "flow")
        elif kind == "closes":
            preceding = (k for k in reversed(kinds[:index]) if k in counts)
            kind = next(preceding, "flow")
        counts[kind] += 1
    return counts


def _hiboutik_stock(simulator: SimulatorProcess, ids: list[int]) -> dict[str, int]:
    import requests

    response = requests.get(
        f"{simulator.root_url}/_sim/stock",
        params={"warehouse_id": 1, "product_ids": ",".join(map(str, ids))},
        timeout=60,
    )
    check(response.status_code == 200, f"/_sim/stock answered {response.status_code}")
    return response.json()["stock"]


def _empty() -> None:
    from benchmarks.environment import empty_database

    empty_database()
