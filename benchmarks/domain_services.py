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
from benchmarks.results import spoken
from benchmarks.scenario import Mode, Outcome
from benchmarks.targets import Target
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


SIZES = {
    Mode.FULL: Sizes(
        order_lines=(1, 10, 50), stock_rows=(10, 100), return_lines=(1, 10), runs=RECORDED
    ),
    Mode.QUICK: Sizes(
        order_lines=(1, 20), stock_rows=(10, 50), return_lines=(1, 10), runs=Runs(repeats=2)
    ),
    Mode.SMOKE: Sizes(order_lines=(1, 3), stock_rows=(2, 5), return_lines=(1, 2), runs=SMOKE),
}
# Stock for products that are sold over and over: never the reason an import is forced.
PLENTY = 100_000

# (figure, operation as the growth table names it, unit)
GROWTHS = (
    ("import_in_stock_per_line", "order_import_complete (in stock)", "line"),
    ("import_forced_per_line", "order_import_complete (forced)", "line"),
    ("import_again_per_line", "order_import_complete (already imported)", "line"),
    ("stock_set_many_per_row", "stock_set_many", "row"),
    ("rma_create_per_line", "rma_create", "line"),
    ("refund_create_per_line", "refund_create", "line"),
)
_CONSTANT = "the services the flows call on every sale write per order, not per line"
TARGETS = (
    *(
        Target(
            figure,
            f"{operation}: queries added per {unit}",
            "<=",
            0,
            invariant=True,
            reason=_CONSTANT,
        )
        for figure, operation, unit in GROWTHS
        if unit == "line"
    ),
    Target(
        "import_again_writes",
        "order_import_complete of a sale already imported: writes",
        "==",
        0,
        invariant=True,
        reason="a resent webhook must change nothing",
    ),
    Target(
        "stock_set_many_per_row",
        "stock_set_many: queries added per row",
        "<=",
        0,
        invariant=True,
        reason="the mass stock edit and a CSV import save one batch, not one row at a time",
    ),
)


def describe(sizes: Sizes) -> str:
    lines, rows = spoken(sizes.order_lines), spoken(sizes.stock_rows)
    returns = spoken(sizes.return_lines)
    return f"""\
**What.** The services the Hiboutik flows call on every run, measured with Django's
`CaptureQueriesContext`, each called at the top level as a Celery task calls it (so its own
transactions cost what they cost in production):

- `order_import_complete` — a closed POS sale becomes an order, invoiced and shipped in one
  transaction — for sales of {lines} lines, with every product in stock, with no stock at all
  (*Force stock if missing*: each line's missing units are added first), and for a sale already
  imported (Hiboutik resent its webhook);
- `stock_move` on a product that has a stock row in the warehouse, and on one that has not;
- `stock_set_many` (the mass stock edit's service) for {rows} changed rows;
- `rma_create` (a POS exchange: received at once, every line back to stock) and `refund_create`
  (refunding those lines against that RMA) on imported orders of {returns} lines.

**Why.** Sales arrive all day and each is imported by one call of `order_import_complete`: its
queries per line decide how long a busy shop's import takes and how long its row locks are held.
The growth table says which statements repeat for each line or row."""


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
            # A new quantity for every row on every run of every size: each row is a change.
            prepare=lambda n, chosen=chosen, rows=rows: {p.pk: 1_000 * rows + n for p in chosen},
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


def run(sizes: Sizes) -> Outcome:
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

    outcome = Outcome()
    growth_rows = growth_table()
    samples_of = {
        "import_in_stock_per_line": imports["in stock"],
        "import_forced_per_line": imports["forced"],
        "import_again_per_line": imports["already imported"],
        "stock_set_many_per_row": grids,
        "rma_create_per_line": returns["rma_create"],
        "refund_create_per_line": returns["refund_create"],
    }
    for figure, operation, unit in GROWTHS:
        found = growth(operation, unit, samples_of[figure])
        if found is not None:
            growth_rows.add(*found.row())
            outcome.figures[figure] = found.per_unit
            outcome.explanations[figure] = found.explanation()
    outcome.figures["import_again_writes"] = max(
        sample.queries.writes for sample in imports["already imported"].values()
    )
    outcome.tables = [imports_table, stock_table, returns_table]
    if growth_rows.rows:
        outcome.tables.append(growth_rows)
    return outcome
