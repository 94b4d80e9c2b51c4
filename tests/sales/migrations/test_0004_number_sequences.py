"""Order, shipment and return numbers leave the counter table for database sequences on
PostgreSQL: each carries on from its counter, and going back puts the counters back."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sales.models import Sequence
from sales.services.numbers import next_number

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("sales", "0003_order_rma_integration")]
COUNTERS = {"order": 41, "shipment": 7, "rma": 3, "invoice": 12}


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def latest():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def test_numbers_carry_on_from_their_counters_and_going_back_restores_the_counters():
    try:
        old = migrate_to(BEFORE)
        OldSequence = old.get_model("sales", "Sequence")
        for kind, last_value in COUNTERS.items():
            OldSequence.objects.update_or_create(name=kind, defaults={"last_value": last_value})
    finally:
        migrate_to(latest())
    assert [next_number(kind) for kind in COUNTERS] == [
        "CMD-000042",
        "EXP-000008",
        "RMA-000004",
        "FAC-000013",
    ]
    try:
        migrate_to(BEFORE)
        assert dict(Sequence.objects.values_list("name", "last_value")) == {
            "order": 42,
            "shipment": 8,
            "rma": 4,
            "invoice": 13,
        }
    finally:
        migrate_to(latest())
    assert next_number("order") == "CMD-000043"
