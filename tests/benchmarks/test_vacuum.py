"""Autovacuum's rule applied by the benchmarks: a table many rows changed in is analyzed (and
vacuumed when its dead rows pass the threshold), then left alone until it changes again."""

import pytest
from django.conf import settings
from django.db import connection

from benchmarks.vacuum import autovacuum
from inventory.models import Warehouse

pytestmark = pytest.mark.skipif(not settings.USING_POSTGRES, reason="PostgreSQL's autovacuum")


def _stats(table: str) -> tuple[int, object]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n_dead_tup, last_analyze FROM pg_stat_user_tables WHERE relname = %s",
            [table],
        )
        return cursor.fetchone()


@pytest.mark.django_db(transaction=True)
def test_a_table_past_autovacuums_thresholds_is_vacuumed_and_analyzed_once():
    Warehouse.objects.bulk_create(
        Warehouse(code=f"W{number}", name=f"Entrepôt {number}") for number in range(120)
    )
    Warehouse.objects.filter(code__startswith="W").update(name="Renommé")  # 120 dead rows

    touched = autovacuum()  # publishes this connection's counts first

    assert "inventory_warehouse" in touched
    dead, analyzed = _stats("inventory_warehouse")
    assert dead == 0 and analyzed is not None
    assert "inventory_warehouse" not in autovacuum()  # nothing changed since


@pytest.mark.django_db
def test_inside_a_transaction_it_does_nothing():
    """VACUUM cannot run in a transaction block; a test's transaction is left alone."""
    assert autovacuum() == []
