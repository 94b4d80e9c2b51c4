"""Classifying and counting queries, and spotting counts that grow per line."""

from collections import Counter

import pytest

from benchmarks.measure import QueryCount, Sample, query_kind, query_shape
from benchmarks.query_tables import growth


@pytest.mark.parametrize(
    ("sql", "kind", "shape"),
    [
        ('SELECT "a"."id" FROM "inventory_stockitem" WHERE 1 FOR UPDATE', "read", None),
        ('INSERT INTO "sales_order" ("number") VALUES (%s)', "write", "INSERT sales_order"),
        ('UPDATE "sales_orderline" SET "qty_shipped" = 1', "write", "UPDATE sales_orderline"),
        ('DELETE FROM "django_session" WHERE 1', "write", "DELETE django_session"),
        ('SAVEPOINT "s1_x1"', "transaction", "SAVEPOINT"),
        ('RELEASE SAVEPOINT "s1_x1"', "transaction", "RELEASE"),
        ("BEGIN", "transaction", "BEGIN"),
        ("COMMIT", "transaction", "COMMIT"),
        (
            'DECLARE "_django_curs_1" NO SCROLL CURSOR WITH HOLD FOR SELECT "s"."id" '
            'FROM "sales_store" "s"',
            "read",
            "SELECT sales_store",
        ),
    ],
)
def test_statements_are_classified(sql, kind, shape):
    assert query_kind(sql) == kind
    assert query_shape(sql) == (shape or "SELECT inventory_stockitem")


def test_counts_add_up():
    count = QueryCount.of(["SELECT 1", "BEGIN", 'UPDATE "t" SET a = 1', "COMMIT", "SELECT 2"])
    assert (count.total, count.reads, count.writes, count.transaction) == (5, 2, 1, 2)


def sample(total: int, shapes: dict[str, int]) -> Sample:
    result = Sample(counts=[QueryCount(total, total, 0, 0)], seconds=[0.01])
    result.shapes = Counter(shapes)
    return result


def test_a_count_growing_with_each_line_says_what_repeats():
    samples = {
        1: sample(10, {"SELECT sales_order": 3, "UPDATE sales_orderline": 1}),
        11: sample(40, {"SELECT sales_order": 3, "UPDATE sales_orderline": 31}),
    }
    found = growth("order_ship", "line", samples)
    assert found.per_unit == 3.0 and found.added == 30
    assert found.row() == ["order_ship", "1 → 11 lines", 10, 40, 3.0, "UPDATE sales_orderline ×3"]
    assert "added per extra line: UPDATE sales_orderline ×3" in found.explanation()


def test_one_query_on_some_rows_only_is_still_growth():
    samples = {
        1: sample(8, {"SELECT sales_customer": 1}),
        25: sample(16, {"SELECT sales_customer": 1, "SELECT sales_customergroup": 8}),
    }
    found = growth("Customer list", "displayed row", samples)
    assert found.per_unit == 8 / 24
    assert found.row()[5] == "SELECT sales_customergroup ×0.33"


def test_a_flat_count_is_not_growth():
    samples = {20: sample(9, {"SELECT sales_order": 9}), 200: sample(9, {"SELECT sales_order": 9})}
    found = growth("Order list", "order", samples)
    assert found.per_unit == 0 and found.row()[5] == "–"
    assert found.explanation() == "the count does not grow from 20 to 200 orders"


def test_one_size_has_no_growth():
    assert growth("stock_set_many", "row", {10: sample(51, {})}) is None
