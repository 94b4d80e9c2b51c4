"""Tables and growth figures shared by the database scenarios."""

from __future__ import annotations

from dataclasses import dataclass

from benchmarks.measure import Sample, growth_by_shape
from benchmarks.results import Table

QUERY_COLUMNS = ["Queries", "Reads", "Writes", "Transaction", "Wall time (ms, median)"]


def query_table(title: str, first_columns: list[str], notes: list[str] | None = None) -> Table:
    return Table(
        title,
        [*first_columns, *QUERY_COLUMNS],
        notes=notes or [],
        varying=["Wall time (ms, median)"],
    )


def add_sample(table: Table, sample: Sample, *first_cells: object) -> None:
    queries = sample.queries
    total = queries.total if sample.steady else f"{queries.total} (varies)"
    table.add(
        *first_cells, total, queries.reads, queries.writes, queries.transaction, sample.median_ms
    )


@dataclass(frozen=True)
class Growth:
    """How a query count changes between two sizes of the same operation."""

    operation: str
    unit: str  # "line", "row", "displayed row"…
    small: int
    large: int
    small_queries: int
    large_queries: int
    repeated: str  # the statements added per extra unit, "" when none

    @property
    def per_unit(self) -> float:
        return (self.large_queries - self.small_queries) / (self.large - self.small)

    @property
    def added(self) -> int:
        return self.large_queries - self.small_queries

    def row(self) -> list[object]:
        return [
            self.operation,
            f"{self.small:,} → {self.large:,} {self.unit}s",
            self.small_queries,
            self.large_queries,
            round(self.per_unit, 2),
            self.repeated or "–",
        ]

    def explanation(self) -> str:
        """What repeats, for the sentence of a missed target."""
        if self.added <= 0:
            return f"the count does not grow from {self.small:,} to {self.large:,} {self.unit}s"
        return (
            f"{self.small_queries} queries for {self._units(self.small)}, "
            f"{self.large_queries} for {self.large:,}; added per extra {self.unit}: "
            f"{self.repeated or 'statements of several shapes'}"
        )

    def _units(self, number: int) -> str:
        return f"{number:,} {self.unit}{'' if number == 1 else 's'}"


def growth(operation: str, unit: str, samples: dict[int, Sample]) -> Growth | None:
    """The growth between the smallest and the largest size measured (None with one size)."""
    if len(samples) < 2:
        return None
    small, large = min(samples), max(samples)
    shapes = growth_by_shape((small, samples[small]), (large, samples[large]))
    return Growth(
        operation=operation,
        unit=unit,
        small=small,
        large=large,
        small_queries=samples[small].queries.total,
        large_queries=samples[large].queries.total,
        repeated=", ".join(
            f"{shape} ×{round(per, 2):g}" for shape, per in shapes.items() if per > 0
        ),
    )


def growth_table(title: str = "How the query count grows") -> Table:
    return Table(
        title,
        [
            "Operation",
            "Sizes",
            "Queries (small)",
            "Queries (large)",
            "Added per extra unit",
            "Statements added per unit",
        ],
        notes=[
            "A statement is named by its verb and first table; `SAVEPOINT`/`RELEASE` are the "
            "nested `transaction.atomic()` blocks."
        ],
    )
