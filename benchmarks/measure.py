"""Counting database queries and timing the code that issues them."""

from __future__ import annotations

import re
import statistics
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext

from benchmarks.checks import check

WRITE_VERBS = ("INSERT", "UPDATE", "DELETE")
_TABLE = re.compile(
    r'^(?:SELECT\b.*?\bFROM|INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([\w.]+)"?', re.I | re.S
)


_SERVER_SIDE_CURSOR = re.compile(r"^DECLARE\b.*?\bFOR\s+(?=SELECT\b)", re.I | re.S)


def _statement(sql: str) -> str:
    """The statement itself: PostgreSQL runs ``.iterator()`` reads as ``DECLARE … CURSOR FOR
    SELECT …``, which is a read like any other."""
    return _SERVER_SIDE_CURSOR.sub("", sql.strip(), count=1)


def query_kind(sql: str) -> str:
    """``read`` (SELECT, including SELECT … FOR UPDATE), ``write`` (INSERT, UPDATE, DELETE) or
    ``transaction`` (BEGIN, COMMIT, SAVEPOINT, RELEASE…: what ``transaction.atomic()`` costs)."""
    text = _statement(sql)
    verb = text.split(None, 1)[0].upper() if text else ""
    if verb in ("SELECT", "WITH"):
        return "read"
    if verb in WRITE_VERBS:
        return "write"
    return "transaction"


def query_shape(sql: str) -> str:
    """The verb and first table of a statement (``UPDATE sales_orderline``): what repeats when a
    count grows with the lines."""
    text = _statement(sql)
    verb = text.split(None, 1)[0].upper() if text else "?"
    match = _TABLE.match(text)
    return f"{verb} {match.group(1)}" if match else verb


@dataclass(frozen=True)
class QueryCount:
    total: int
    reads: int
    writes: int
    transaction: int

    @classmethod
    def of(cls, statements: Sequence[str]) -> QueryCount:
        kinds = [query_kind(sql) for sql in statements]
        return cls(
            total=len(kinds),
            reads=kinds.count("read"),
            writes=kinds.count("write"),
            transaction=kinds.count("transaction"),
        )


@dataclass
class Sample:
    """Repeated measurements of one case: query counts and wall times."""

    counts: list[QueryCount] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)
    # Statement shapes of the last run, for explaining growth.
    shapes: Counter[str] = field(default_factory=Counter)
    # What each measured run returned, checked once the measurement is over.
    outcomes: list[Any] = field(default_factory=list)

    @property
    def queries(self) -> QueryCount:
        # Counts are deterministic; should they ever differ, report the worst run.
        return max(self.counts, key=lambda count: count.total)

    @property
    def steady(self) -> bool:
        return len({count.total for count in self.counts}) <= 1

    @property
    def median_ms(self) -> float:
        return statistics.median(self.seconds) * 1000

    def as_dict(self) -> dict[str, Any]:
        queries = self.queries
        return {
            "queries": queries.total,
            "reads": queries.reads,
            "writes": queries.writes,
            "transaction": queries.transaction,
            "query_counts": [count.total for count in self.counts],
            "median_ms": round(self.median_ms, 3),
        }


@contextmanager
def captured(sample: Sample) -> Iterator[None]:
    """Count the queries and time the block, adding one measurement to ``sample``."""
    # The connection keeps the last 9,000 logged queries and CaptureQueriesContext slices that
    # log by position: once full, every slice would be empty. Start each measurement afresh.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as context:
        started = time.perf_counter()
        yield
        elapsed = time.perf_counter() - started
    statements = [query["sql"] for query in context.captured_queries]
    check(
        len(statements) < connection.queries_log.maxlen,
        "too many queries to count in one measurement",
    )
    sample.seconds.append(elapsed)
    sample.counts.append(QueryCount.of(statements))
    sample.shapes = Counter(query_shape(sql) for sql in statements)


@dataclass(frozen=True)
class Runs:
    """How many measured runs a case gets, and whether an unmeasured run comes first to fill
    the process caches (content types, templates, translations) as a server that has been up
    a while has them."""

    repeats: int
    warm_up: bool = True


RECORDED = Runs(repeats=5)
# A smoke run: one run, cold. Enough to prove the code works, not numbers to keep.
SMOKE = Runs(repeats=1, warm_up=False)


def measure(
    action: Callable[[Any], object],
    runs: Runs,
    *,
    prepare: Callable[[int], Any] = lambda number: number,
) -> Sample:
    """Run ``action(prepare(i))`` as ``runs`` says; only ``action`` is measured. ``prepare``
    builds what a run needs (a fresh order to return, new references) outside the
    measurement; it gets -1 for the warm-up run."""
    if runs.warm_up:
        action(prepare(-1))
    sample = Sample()
    for number in range(runs.repeats):
        argument = prepare(number)
        with captured(sample):
            outcome = action(argument)
        sample.outcomes.append(outcome)
    return sample


def growth_by_shape(small: tuple[int, Sample], large: tuple[int, Sample]) -> dict[str, float]:
    """Statements added per extra unit between two sizes, by shape, largest first."""
    (size_a, sample_a), (size_b, sample_b) = small, large
    check(size_b != size_a, "growth needs two different sizes")
    shapes = set(sample_a.shapes) | set(sample_b.shapes)
    growth = {
        shape: (sample_b.shapes[shape] - sample_a.shapes[shape]) / (size_b - size_a)
        for shape in shapes
    }
    return dict(
        sorted(
            ((shape, rate) for shape, rate in growth.items() if rate > 0),
            key=lambda item: (-item[1], item[0]),
        )
    )
