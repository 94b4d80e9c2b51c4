"""stock.reconcile against the live simulator: what Hiboutik really holds is read, the drift
corrected in one stock order, the beliefs reset, and the drift reported."""

from __future__ import annotations

import pytest
from django.utils import translation

from integrations.models import ExternalStock, FlowRun, IntegrationError, Notification
from inventory.models import StockItem
from tests.hiboutik.flows.stock_setup import HIBOUTIK_WAREHOUSE, stock_setup

# Later pages of the warehouse are read in worker threads, each counting its call in the ledger.
pytestmark = pytest.mark.django_db(transaction=True)


def set_hiboutik_stock(setup, changes):
    with setup.sim.lock:
        for index, quantity in changes.items():
            hid = setup.refs[setup.products[index].pk]
            setup.sim.state.stock[(HIBOUTIK_WAREHOUSE, hid, 0)] = quantity


def log_texts(run):
    with translation.override("en"):
        return [line["text"] for line in run.log_lines()]


@pytest.mark.parametrize("negative_inventory", ["accepted", "refused"])
def test_drift_is_corrected_in_one_stock_order_and_reported(simulator_factory, negative_inventory):
    sim = simulator_factory(seed="empty", negative_inventory=negative_inventory)
    # Two pages of stock: on SQLite, more would be read by threads queueing for the ledger.
    setup = stock_setup(sim, 400, drift_alert_products=2)
    set_hiboutik_stock(setup, {0: 25, 1: 3, 2: 19, 3: 40})  # counts typed at the till
    warehouse_rows = sum(1 for key in sim.state.stock if key[0] == HIBOUTIK_WAREHOUSE)
    reads = -(-warehouse_rows // 250)
    before = sim.stats()["calls_this_month"]

    run = setup.run("stock.reconcile")

    texts = log_texts(run)
    assert any("4 products" in text for text in texts), texts
    assert any(setup.products[0].sku in text and "25" in text for text in texts)
    notification = Notification.objects.get(integration=setup.integration, level="warning")
    assert "4" in notification.title_text()
    beliefs = dict(ExternalStock.objects.values_list("product_id", "believed"))
    if negative_inventory == "accepted":
        assert run.status == FlowRun.Status.SUCCEEDED
        assert sim.stats()["calls_this_month"] - before == reads + 2 + 4
        assert setup.mismatches() == []
        assert set(beliefs.values()) == {20}
    else:
        assert run.status == FlowRun.Status.PARTIAL
        assert sim.stats()["calls_this_month"] - before == reads + 2 + 2 + 1
        assert set(setup.mismatches()) == {setup.products[i].sku for i in (0, 3)}
        assert beliefs[setup.products[0].pk] == 25  # what Hiboutik holds, as read
        assert IntegrationError.objects.filter(code="stock_decrease_refused").count() == 2


def test_nothing_drifted_means_no_stock_order_and_no_alert(simulator_factory):
    setup = stock_setup(simulator_factory(seed="demo"), 30)
    before = setup.calls()
    run = setup.run("stock.reconcile")
    assert run.status == FlowRun.Status.SUCCEEDED
    assert setup.calls() - before == 1  # one page of the warehouse
    assert not Notification.objects.filter(level="warning").exists()
    assert (run.seen, run.skipped, run.updated) == (30, 30, 0)
    assert ExternalStock.objects.filter(checked_at__isnull=False).count() == 30


def test_a_few_differences_are_logged_without_alert(simulator_factory):
    setup = stock_setup(simulator_factory(seed="demo"), 10, drift_alert_products=5)
    set_hiboutik_stock(setup, {4: 21})
    run = setup.run("stock.reconcile")
    assert run.updated == 1
    assert not Notification.objects.filter(level="warning").exists()
    assert setup.mismatches() == []


def test_pending_connect_changes_are_pushed_too_and_their_marks_cleared(simulator_factory):
    setup = stock_setup(simulator_factory(seed="demo"), 10)
    product = setup.products[6]
    StockItem.objects.filter(product=product, warehouse=setup.warehouses[0]).update(physical=14)
    ExternalStock.objects.filter(product=product).update(dirty=True)
    run = setup.run("stock.reconcile")
    assert run.updated == 1
    assert setup.hiboutik_stock(product) == 24
    assert not ExternalStock.objects.filter(dirty=True).exists()
    # Not a drift: Hiboutik held what Connect believed.
    assert not any("Hiboutik held" in text for text in log_texts(run))
    assert setup.run().api_calls == 0


def test_pages_are_read_side_by_side_within_the_cap_and_compared_as_they_come(simulator_factory):
    sim = simulator_factory(seed="empty", latency_ms=20)
    setup = stock_setup(sim, 1300)  # 6 pages of 250 rows
    set_hiboutik_stock(setup, {0: 25, 1299: 12})  # on the first page and on the last
    warehouse_rows = sum(1 for key in sim.state.stock if key[0] == HIBOUTIK_WAREHOUSE)
    reads = -(-warehouse_rows // 250)
    before = sim.stats()["calls_this_month"]

    run = setup.run("stock.reconcile")

    assert run.status == FlowRun.Status.SUCCEEDED, run.reason_params
    assert sim.stats()["calls_this_month"] - before == run.api_calls == reads + 2 + 2
    cap = setup.integration.config.get("general", {}).get("max_concurrency", 4)
    assert 1 < sim.stats()["max_in_flight"] <= cap
    assert (run.seen, run.updated) == (1300, 2)
    assert setup.mismatches() == []
    assert ExternalStock.objects.filter(checked_at__isnull=False).count() == 1300
    assert set(ExternalStock.objects.values_list("believed", flat=True)) == {20}
