"""What the order services cost in queries for a small and a large order.

A service's count must not grow with the order's lines: a larger order costs the same
statements, each carrying more rows. Counts are taken after one warm-up call, as a running
server has ContentType's cache filled and every document counter's row created.
"""

from collections.abc import Callable

from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import Product, Warehouse
from tests.inventory.factories import make_product


def queries_of(call: Callable[[], object]) -> list[str]:
    """The SQL of every query `call` makes."""
    with CaptureQueriesContext(connection) as captured:
        call()
    return [query["sql"] for query in captured.captured_queries]


def stocked(warehouse: Warehouse, count: int, quantity: int = 10) -> list[Product]:
    return [make_product(stock={warehouse: quantity}) for _ in range(count)]
