"""Database queries of the domain services the Hiboutik flows call on every run: importing a
closed sale, moving and setting stock, returns and refunds.

Each operation runs at the top level, outside any transaction, as a Celery task calls it, so
its own ``transaction.atomic()`` blocks cost what they cost in production.
"""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.checks import check
from benchmarks.data import Shop, check_imported, import_order, make_products, make_shop
from benchmarks.measure import RECORDED, SMOKE, Runs, Sample, measure
from benchmarks.query_tables import add_sample, growth, growth_table, query_table
from benchmarks.results import BenchmarkResult
from inventory.models import Product, StockMovement
from inventory.services import stock_move, stock_set_many
from sales.models import Order, OrderEvent, OrderLine, Refund, Rma, RmaStatus
from sales.services import RefundLineSpec, RmaLineSpec, refund_create, rma_create

NAME = "services"
TITLE = "Domain services: database queries"


@dataclass(frozen=True)
class Sizes:
    order_lines: tuple[int, ...]
    stock_rows: tuple[int, ...]
    return_lines: tuple[int, ...]
    runs: Runs


FULL = Sizes(order_lines=(1, 10, 50), stock_rows=(10, 100), return_lines=(1, 10), runs=RECORDED)
QUICK = Sizes(order_lines=(1,), stock_rows=(10,), return_lines=(1,), runs=SMOKE)
# Stock for products that are sold over and over: never the reason an import is forced.
PLENTY = 100_000


def _order_imports(shop: Shop, sizes: Sizes) -> dict[str, dict[int, Sample]]:
    largest = max(sizes.order_lines)
    # Enough stock for every run, so "in stock" never turns into "forced".
    stocked = make_products(largest, prefix="IMP", warehouse=shop.warehouse, stock=PLENTY)
    # No stock at all: each import forces the missing units in, then ships them out again,
    # so the next run finds these products short again.
    short = make_products(largest, prefix="SHORT")
    results: dict[str, dict[int, Sample]] = {"in stock": {}, "forced": {}, "already imported": {}}
    for lines in sizes.order_lines:
        sample = measure(
            lambda ref, lines=lines: import_order(shop, stocked[:lines], ref),
            sizes.runs,
            prepare=lambda n, lines=lines: f"stock-{lines}-{n}",
        )
        for order in sample.outcomes:
            check_imported(order, lines)
        results["in stock"][lines] = sample

        sample = measure(
            lambda ref, lines=lines: import_order(shop, short[:lines], ref, force_stock=True),
            sizes.runs,
            prepare=lambda n, lines=lines: f"forced-{lines}-{n}",
        )
        for order in sample.outcomes:
            check_imported(order, lines)
            check(
                order.events.filter(kind=OrderEvent.Kind.STOCK_FORCED).exists(),
                f"{order.number} was imported without forcing stock",
            )
        results["forced"][lines] = sample

        # A webhook Hiboutik resent: the sale is found and nothing is written.
        reference = f"stock-{lines}-0"
        sample = measure(
            lambda ref, lines=lines: import_order(shop, stocked[:lines], ref),
            sizes.runs,
            prepare=lambda n, ref=reference: ref,
        )
        check(sample.queries.writes == 0, "a resent sale wrote to the database")
        results["already imported"][lines] = sample
    return results


def _stock_moves(shop: Shop, sizes: Sizes) -> dict[str, Sample]:
    existing = make_products(1, prefix="MOVE", warehouse=shop.warehouse, stock=5)[0]
    fresh = make_products(sizes.runs.repeats + 1, prefix="NEW")

    def move(product: Product) -> StockMovement:
        return stock_move(
            product=product,
            warehouse=shop.warehouse,
            quantity=1,
            reason=StockMovement.Reason.MANUAL,
        )

    results = {
        "stock_move (row exists)": measure(move, sizes.runs, prepare=lambda n: existing),
        # The first movement of a product in a warehouse creates its stock row.
        "stock_move (first in this warehouse)": measure(
            move, sizes.runs, prepare=lambda n: fresh[n + 1]
        ),
    }
    for sample in results.values():
        check(all(m.quantity == 1 for m in sample.outcomes), "stock_move did not move 1 unit")
    return results


def _stock_set_many(shop: Shop, sizes: Sizes) -> dict[int, Sample]:
    products = make_products(
        max(sizes.stock_rows), prefix="GRID", warehouse=shop.warehouse, stock=1
    )
    results = {}
    for rows in sizes.stock_rows:
        chosen = products[:rows]
        sample = measure(
            lambda quantities: stock_set_many(warehouse=shop.warehouse, quantities=quantities),
            sizes.runs,
            # A new quantity for every row on every run: each row is a real change.
            prepare=lambda n, chosen=chosen: {p.pk: 100 + n for p in chosen},
        )
        for result in sample.outcomes:
            check(not result.errors, f"stock_set_many refused rows: {result.errors}")
            check(len(result.changed) == rows, "stock_set_many left rows unchanged")
        results[rows] = sample
    return results


def _sold(shop: Shop, products: list[Product], reference: str) -> tuple[Order, list[OrderLine]]:
    order = import_order(shop, products, reference, quantity=2)
    return order, list(order.lines.all())


def _return_one_each(sale: tuple[Order, list[OrderLine]]) -> Rma:
    order, order_lines = sale
    # A POS exchange: the goods come back at once, into the warehouse that sold them.
    return rma_create(
        order=order,
        lines=[
            RmaLineSpec(order_line=line, quantity=1, back_to_stock=True) for line in order_lines
        ],
        status=RmaStatus.RECEIVED,
        reason="Échange en boutique",
    )


def _refund_returned(returned: tuple[Order, list[OrderLine], Rma]) -> Refund:
    order, order_lines, rma = returned
    return refund_create(
        order=order,
        rma=rma,
        lines=[RefundLineSpec(order_line=line, quantity=1) for line in order_lines],
    )


def _returns_and_refunds(shop: Shop, sizes: Sizes) -> dict[str, dict[int, Sample]]:
    products = make_products(
        max(sizes.return_lines), prefix="RET", warehouse=shop.warehouse, stock=PLENTY
    )
    results: dict[str, dict[int, Sample]] = {"rma_create": {}, "refund_create": {}}
    for lines in sizes.return_lines:
        chosen = products[:lines]

        def sale(n: int, chosen: list[Product] = chosen) -> tuple[Order, list[OrderLine]]:
            return _sold(shop, chosen, f"sold-{len(chosen)}-{n}")

        def sale_returned(
            n: int, chosen: list[Product] = chosen
        ) -> tuple[Order, list[OrderLine], Rma]:
            order, order_lines = _sold(shop, chosen, f"returned-{len(chosen)}-{n}")
            return order, order_lines, _return_one_each((order, order_lines))

        sample = measure(_return_one_each, sizes.runs, prepare=sale)
        for rma in sample.outcomes:
            check(rma.lines.filter(restocked=True).count() == lines, "RMA lines not restocked")
        results["rma_create"][lines] = sample

        sample = measure(_refund_returned, sizes.runs, prepare=sale_returned)
        for refund in sample.outcomes:
            check(refund.lines.count() == lines and refund.amount > 0, "refund incomplete")
        results["refund_create"][lines] = sample
    return results


def benchmark(sizes: Sizes, environment: dict[str, str]) -> BenchmarkResult:
    shop = make_shop()
    imports = _order_imports(shop, sizes)
    moves = _stock_moves(shop, sizes)
    grids = _stock_set_many(shop, sizes)
    returns = _returns_and_refunds(shop, sizes)

    imports_table = query_table(
        "order_import_complete: create, invoice and ship a closed sale in one transaction",
        ["Case", "Lines"],
        notes=[
            "*in stock*: every product has stock; *forced*: no product has any (Force stock if "
            "missing adds it first); *already imported*: the same sale again (a resent "
            "webhook). Lines name their product by SKU, one unit each, one payment."
        ],
    )
    for case, by_size in imports.items():
        for lines, sample in by_size.items():
            add_sample(imports_table, sample, case, lines)

    stock_table = query_table("Stock services", ["Operation", "Rows"])
    for label, sample in moves.items():
        add_sample(stock_table, sample, label, 1)
    for rows, sample in grids.items():
        add_sample(stock_table, sample, "stock_set_many (every row changed)", rows)

    returns_table = query_table(
        "Returns and refunds on an imported order (2 units a line, 1 returned and refunded)",
        ["Operation", "Lines"],
        notes=[
            "`rma_create` is created *received* with every line back to stock, as a POS "
            "exchange is; `refund_create` refunds those lines against that RMA."
        ],
    )
    for operation, by_size in returns.items():
        for lines, sample in by_size.items():
            add_sample(returns_table, sample, operation, lines)

    growth_rows = growth_table("How the query count grows")
    findings = []
    for label, unit, samples in [
        ("order_import_complete (in stock)", "line", imports["in stock"]),
        ("order_import_complete (forced)", "line", imports["forced"]),
        ("order_import_complete (already imported)", "line", imports["already imported"]),
        ("stock_set_many", "row", grids),
        ("rma_create", "line", returns["rma_create"]),
        ("refund_create", "line", returns["refund_create"]),
    ]:
        row, finding = growth(label, unit, samples)
        if row:
            growth_rows.add(*row)
        if finding:
            findings.append(finding)

    tables = [imports_table, stock_table, returns_table]
    if growth_rows.rows:
        tables.append(growth_rows)
    return BenchmarkResult(
        name=NAME,
        title=TITLE,
        environment=environment,
        tables=tables,
        findings=findings,
        data={
            "order_import_complete": {
                case: {str(n): s.as_dict() for n, s in by_size.items()}
                for case, by_size in imports.items()
            },
            "stock_move": {label: s.as_dict() for label, s in moves.items()},
            "stock_set_many": {str(n): s.as_dict() for n, s in grids.items()},
            **{
                operation: {str(n): s.as_dict() for n, s in by_size.items()}
                for operation, by_size in returns.items()
            },
        },
    )
