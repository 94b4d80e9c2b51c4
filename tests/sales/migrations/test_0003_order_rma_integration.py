"""Orders imported before integrations existed named their origin with free text: the
migration points them at an integration of that name, so two sources each with a sale 1001
stay apart."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from integrations.models import Integration
from sales.models import Order
from sales.services import LineSpec, order_create

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("sales", "0002_orderevent_message_ids")]


def migrate_to(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_free_text_sources_become_disabled_integrations_of_that_name(store, mug):
    orders = [order_create(store=store, lines=[LineSpec(product=mug, quantity=1)]) for _ in "abc"]
    try:
        old = migrate_to(BEFORE)
        OldOrder = old.get_model("sales", "Order")
        OldOrder.objects.filter(pk=orders[0].pk).update(
            external_source="hiboutik", external_reference="1001"
        )
        OldOrder.objects.filter(pk=orders[1].pk).update(
            external_source="eshop", external_reference="1001"
        )
    finally:
        migrate_to(MigrationExecutor(connection).loader.graph.leaf_nodes())
    hiboutik, eshop = (
        Integration.objects.get(name="hiboutik"),
        Integration.objects.get(name="eshop"),
    )
    assert (hiboutik.type, hiboutik.enabled, eshop.enabled) == ("hiboutik", False, False)
    migrated = {order.pk: order for order in Order.objects.all()}
    assert (migrated[orders[0].pk].integration, migrated[orders[0].pk].external_reference) == (
        hiboutik,
        "1001",
    )
    assert (migrated[orders[1].pk].integration, migrated[orders[1].pk].external_reference) == (
        eshop,
        "1001",
    )
    assert migrated[orders[2].pk].integration is None
