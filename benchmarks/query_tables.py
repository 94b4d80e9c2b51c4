"""Tables and findings shared by the database benchmarks."""

from __future__ import annotations

from benchmarks.measure import Sample, growth_by_shape
from benchmarks.results import Table

QUERY_COLUMNS = ["Queries", "Reads", "Writes", "Transaction", "Wall time (ms, median)"]
# At or above this many queries per extra line, a count grows with the data (N+1).
LINEAR = 1.0


def query_table(title: str, first_columns: list[str], notes: list[str] | None = None) -> Table:
    return Table(title, [*first_columns, *QUERY_COLUMNS], notes=notes or [])


def add_sample(table: Table, sample: Sample, *first_cells: object) -> None:
    queries = sample.queries
    total = queries.total if sample.steady else f"{queries.total} (varies)"
    table.add(
        *first_cells, total, queries.reads, queries.writes, queries.transaction, sample.median_ms
    )


def growth(
    operation: str, unit: str, samples: dict[int, Sample]
) -> tuple[list[object], str | None]:
    """The growth row for ``samples`` by size, and a finding when the count grows with the
    size. Needs two sizes; with one (a quick run) there is no growth to report."""
    if len(samples) < 2:
        return [], None
    small, large = min(samples), max(samples)
    rate = (samples[large].queries.total - samples[small].queries.total) / (large - small)
    shapes = growth_by_shape((small, samples[small]), (large, samples[large]))
    repeated = ", ".join(f"{shape} ×{per:g}" for shape, per in shapes.items() if per >= 0.5)
    row = [
        operation,
        f"{small} → {large} {unit}s",
        samples[small].queries.total,
        samples[large].queries.total,
        round(rate, 2),
        repeated or "–",
    ]
    finding = None
    if rate >= LINEAR:
        finding = (
            f"{operation} grows by {rate:g} {'query' if rate == 1 else 'queries'} per {unit} "
            f"({samples[small].queries.total} for {small}, {samples[large].queries.total} for "
            f"{large}): N+1. Per extra {unit}: {repeated}."
        )
    return row, finding


def growth_table(title: str) -> Table:
    return Table(
        title,
        [
            "Operation",
            "Sizes",
            "Queries (small)",
            "Queries (large)",
            "Added per extra unit",
            "Statements repeated per unit",
        ],
        notes=[
            "A statement is named by its verb and first table; `SAVEPOINT`/`RELEASE` are the "
            "nested `transaction.atomic()` blocks."
        ],
    )
