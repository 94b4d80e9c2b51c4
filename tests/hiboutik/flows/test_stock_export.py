"""stock.export against the live simulator: only what changed is pushed, in one stock order,
once — even when a run stops half-way."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from django.utils import timezone, translation

from hiboutik.client import HiboutikClient
from hiboutik.errors import HiboutikThrottled
from integrations import runner
from integrations.models import ExternalStock, ExternalStockPush, FlowRun, IntegrationError
from inventory.models import StockItem
from inventory.services import stock_set
from tests.hiboutik.flows.stock_setup import stock_setup

# Stock order lines go out from worker threads, each counting its call in the ledger.
pytestmark = pytest.mark.django_db(transaction=True)


def change_stock(setup, changes):
    """{product index: physical quantity in the first warehouse}, through the stock service
    (which marks the products dirty)."""
    for index, quantity in changes.items():
        stock_set(product=setup.products[index], warehouse=setup.warehouses[0], quantity=quantity)


TEN_CHANGES = {3: 15, 50: 11, 99: 30, 200: 0, 333: 4, 480: 9, 512: 12, 700: 1, 850: 25, 999: 7}


@pytest.mark.parametrize("negative_inventory", ["accepted", "refused"])
def test_ten_changed_out_of_a_thousand_cost_twelve_calls(simulator_factory, negative_inventory):
    sim = simulator_factory(seed="demo", negative_inventory=negative_inventory)
    setup = stock_setup(sim, 1000)
    assert setup.mismatches() == []
    change_stock(setup, TEN_CHANGES)
    before = setup.calls()

    run = setup.run()

    decreases = [i for i, q in TEN_CHANGES.items() if q < 10]
    increases = [i for i, q in TEN_CHANGES.items() if q > 10]
    if negative_inventory == "accepted":
        assert run.status == FlowRun.Status.SUCCEEDED, run.reason_params
        assert setup.calls() - before == 12
        assert run.api_calls == 12
        assert (run.seen, run.updated, run.failed) == (10, 10, 0)
        assert setup.mismatches() == []
        assert not ExternalStock.objects.filter(dirty=True).exists()
    else:
        # Increases go first; the first negative line is refused and no other is sent.
        assert run.status == FlowRun.Status.PARTIAL
        assert setup.calls() - before == 2 + len(increases) + 1
        assert run.updated == len(increases)
        wrong = {setup.products[i].sku for i in decreases}
        assert set(setup.mismatches()) == wrong
        for i in decreases:
            product = setup.products[i]
            assert setup.hiboutik_stock(product) == 20  # untouched
            assert ExternalStock.objects.get(product=product).believed == 20
        errors = IntegrationError.objects.filter(code="stock_decrease_refused")
        assert {int(e.record_id) for e in errors} == {setup.products[i].pk for i in decreases}
        with translation.override("en"):
            assert "Hiboutik refuses to lower stock" in errors.first().text()
        # The refusal is remembered: the next decrease costs no call, an increase is pushed.
        change_stock(setup, {1: 2, 2: 13})
        before = setup.calls()
        again = setup.run()
        assert setup.calls() - before == 3
        assert setup.hiboutik_stock(setup.products[2]) == setup.available(setup.products[2])
        assert setup.hiboutik_stock(setup.products[1]) == 20
        assert again.updated == 1 and again.failed == 1


def test_an_idle_run_makes_no_call_and_few_queries(
    simulator_factory, django_assert_max_num_queries
):
    setup = stock_setup(simulator_factory(seed="demo"), 50)
    before = setup.calls()
    flow = setup.flow()
    with django_assert_max_num_queries(5):
        flow.run()
    run = setup.run()
    assert run.status == FlowRun.Status.SUCCEEDED
    assert setup.calls() == before
    assert run.api_calls == 0


def test_marked_products_already_equal_cost_no_call(simulator_factory):
    setup = stock_setup(simulator_factory(seed="demo"), 30)
    ExternalStock.objects.update(dirty=True)  # e.g. a movement and its reversal
    before = setup.calls()
    run = setup.run()
    assert setup.calls() == before
    assert (run.seen, run.skipped, run.updated) == (30, 30, 0)
    assert not ExternalStock.objects.filter(dirty=True).exists()


def test_reserved_units_are_not_available_to_the_till(simulator_factory):
    setup = stock_setup(simulator_factory(seed="demo"), 5)
    product = setup.products[0]
    StockItem.objects.filter(product=product, warehouse=setup.warehouses[1]).update(reserved=4)
    ExternalStock.objects.filter(product=product).update(dirty=True)
    setup.run()
    assert setup.hiboutik_stock(product) == 16
    assert setup.mismatches() == []


LEDGER = ("integrations_apiquotamonth", "integrations_apicallcount", "SAVEPOINT")


def flow_queries(queries) -> int:
    """Queries of the flow itself: the call ledger's few per API call are the client's, and
    the calls are counted on their own."""
    return sum(1 for query in queries if not any(word in query["sql"] for word in LEDGER))


def test_queries_grow_by_a_constant_per_thousand_dirty_products(simulator_factory):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    setup = stock_setup(simulator_factory(seed="demo"), 3000)
    counts = {}
    for dirty in (1000, 3000):
        ids = [p.pk for p in setup.products[:dirty]]
        ExternalStock.objects.filter(product_id__in=ids).update(dirty=True)
        # Every tenth product changed too, so the push is part of the count.
        for product in setup.products[:dirty:10]:
            StockItem.objects.filter(product=product, warehouse=setup.warehouses[0]).update(
                physical=11 + dirty // 1000
            )
        flow = setup.flow()
        with CaptureQueriesContext(connection) as queries:
            flow.run()
        counts[dirty] = flow_queries(queries)
        assert flow.ctx.run.updated == dirty // 10
        assert setup.mismatches() == []
    # Per thousand dirty rows: one read, two mark clears, beliefs updated (500 a query).
    assert counts[1000] <= 20
    assert counts[3000] - counts[1000] <= 2 * 5


def crash_once(monkeypatch, method):
    real = getattr(HiboutikClient, method)
    state = {"crashed": False}

    def crashing(self, *args, **kwargs):
        if not state["crashed"]:
            state["crashed"] = True
            raise RuntimeError("worker killed")
        return real(self, *args, **kwargs)

    monkeypatch.setattr(HiboutikClient, method, crashing)
    return state


def inputs_validated(sim):
    return [row for row in sim.state.rows("inventory_inputs") if row["validated"]]


def test_a_crash_before_validation_then_a_rerun_applies_each_change_once(
    simulator_factory, monkeypatch
):
    setup = stock_setup(simulator_factory(seed="demo"), 100)
    change_stock(setup, {1: 14, 2: 3, 3: 30})
    crash_once(monkeypatch, "validate_inventory_input")
    crashed = setup.run()
    assert crashed.status == FlowRun.Status.ERRORED
    push = ExternalStockPush.objects.get()
    assert push.status == "open" and push.external_id
    assert setup.hiboutik_stock(setup.products[1]) == 20  # nothing applied yet

    # Connect changes again meanwhile: the rerun finishes the open order, then pushes the rest.
    change_stock(setup, {1: 16})
    rerun = setup.run()
    assert rerun.status == FlowRun.Status.SUCCEEDED, rerun.reason_params
    assert setup.mismatches() == []
    assert len(inputs_validated(setup.sim)) == 2
    assert ExternalStockPush.objects.filter(status="applied").count() == 2
    assert not ExternalStock.objects.filter(dirty=True).exists()
    assert setup.run().api_calls == 0


def test_a_crash_after_validation_before_saving_the_beliefs(simulator_factory, monkeypatch):
    from hiboutik.flows import stock_push

    setup = stock_setup(simulator_factory(seed="demo"), 20)
    change_stock(setup, {0: 12, 5: 1})
    real = stock_push.external_stock_pushed
    calls = {"n": 0}

    def crash_first(**kwargs):
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("database went away")
        return real(**kwargs)

    monkeypatch.setattr(stock_push, "external_stock_pushed", crash_first)
    assert setup.run().status == FlowRun.Status.ERRORED
    assert setup.mismatches() == []  # Hiboutik applied it; Connect's beliefs are behind
    rerun = setup.run()
    assert rerun.status == FlowRun.Status.SUCCEEDED
    assert setup.mismatches() == []
    assert len(inputs_validated(setup.sim)) == 1  # found validated, never sent again
    assert ExternalStock.objects.get(product=setup.products[0]).believed == 22


def test_a_lost_create_answer_is_found_by_its_label(simulator_factory, monkeypatch):
    setup = stock_setup(simulator_factory(seed="demo"), 20)
    change_stock(setup, {4: 13})
    real = HiboutikClient.create_inventory_input

    def created_then_lost(self, *args, **kwargs):
        real(self, *args, **kwargs)
        raise RuntimeError("connection dropped after the request was sent")

    monkeypatch.setattr(HiboutikClient, "create_inventory_input", created_then_lost)
    assert setup.run().status == FlowRun.Status.ERRORED
    monkeypatch.setattr(HiboutikClient, "create_inventory_input", real)
    assert ExternalStockPush.objects.get().external_id == ""
    rerun = setup.run()
    assert rerun.status == FlowRun.Status.SUCCEEDED
    assert ExternalStockPush.objects.get(status="discarded")  # found, empty, left unused
    assert setup.mismatches() == []
    assert len(inputs_validated(setup.sim)) == 1


def test_coalescing_waits_unless_stock_runs_low(simulator_factory):
    setup = stock_setup(
        simulator_factory(seed="demo"), 10, push_every_minutes=60, low_stock_threshold=2
    )
    change_stock(setup, {0: 12})
    first = setup.run()  # never pushed before: goes at once
    assert first.updated == 1
    change_stock(setup, {1: 13})
    before = setup.calls()
    waiting = setup.run()
    assert setup.calls() == before and waiting.updated == 0
    assert ExternalStock.objects.get(product=setup.products[1]).dirty
    low = setup.products[2]
    stock_set(product=low, warehouse=setup.warehouses[0], quantity=0)
    stock_set(product=low, warehouse=setup.warehouses[1], quantity=1)
    before = setup.calls()
    setup.run()  # 1 available: low stock goes at once, with what waited
    assert setup.calls() - before == 4
    setup.run()
    assert setup.mismatches() == []


def test_a_product_bound_later_is_tracked_and_its_hiboutik_stock_read(simulator_factory):
    setup = stock_setup(simulator_factory(seed="demo"), 5)
    product = setup.products[0]
    ExternalStock.objects.filter(product=product).delete()
    with setup.sim.lock:
        setup.sim.state.stock[(1, setup.refs[product.pk], 0)] = 7
    run = setup.run()
    assert run.status == FlowRun.Status.SUCCEEDED
    row = ExternalStock.objects.get(product=product)
    assert row.believed == 20 and not row.dirty
    assert setup.hiboutik_stock(product) == 20


def test_without_warehouses_configured_a_run_does_nothing_and_says_why(simulator_factory):
    setup = stock_setup(simulator_factory(seed="demo"), 3)
    setup.integration.config = {**setup.integration.config, "stock": {"hiboutik_warehouse_id": 1}}
    setup.integration.save(update_fields=["config"])
    ExternalStock.objects.update(dirty=True)
    before = setup.calls()
    run = setup.run()
    assert run.status == FlowRun.Status.SUCCEEDED
    assert setup.calls() == before
    assert "configur" in run.log_lines()[0]["text"]


def test_retrying_a_refused_product_marks_it_for_the_next_export(simulator_factory):
    from integrations import runner

    setup = stock_setup(simulator_factory(seed="demo", negative_inventory="refused"), 5)
    change_stock(setup, {0: 4})
    assert setup.run().failed == 1
    error = IntegrationError.objects.get(code="stock_decrease_refused")
    assert not ExternalStock.objects.get(product=setup.products[0]).dirty
    before = setup.calls()
    outcome = runner.retry_error(error.pk)
    assert outcome.run.status == FlowRun.Status.SUCCEEDED
    assert setup.calls() == before
    assert ExternalStock.objects.get(product=setup.products[0]).dirty
    error.refresh_from_db()
    assert error.status == "resolved"


def test_an_open_push_whose_stock_order_vanished_is_dropped(simulator_factory):
    setup = stock_setup(simulator_factory(seed="demo"), 5)
    from integrations.services.external_stock import stock_push_open, stock_push_save

    push = stock_push_open(
        integration=setup.integration, run=None, flow_key="stock.export", label="gone"
    )
    stock_push_save(push, external_id="424242", lines=[{"product": 1, "ref": "1", "quantity": 1}])
    change_stock(setup, {2: 12})
    run = setup.run()
    assert run.status == FlowRun.Status.SUCCEEDED
    push.refresh_from_db()
    assert push.status == "discarded"
    assert setup.mismatches() == []


MANY_CHANGES = {n: 10 + n % 3 + 1 if n % 2 else 9 - n % 4 for n in range(24)}  # half decreases


def test_lines_go_out_side_by_side_within_the_cap(simulator_factory):
    sim = simulator_factory(seed="demo", latency_ms=20)
    setup = stock_setup(sim, 40)
    change_stock(setup, MANY_CHANGES)
    before = setup.calls()

    run = setup.run()

    assert run.status == FlowRun.Status.SUCCEEDED, run.reason_params
    assert setup.calls() - before == run.api_calls == 2 + len(MANY_CHANGES)
    cap = setup.integration.config.get("general", {}).get("max_concurrency", 4)
    assert 1 < sim.stats()["max_in_flight"] <= cap
    assert setup.mismatches() == []
    assert len(inputs_validated(sim)) == 1


def failing_lines(
    monkeypatch,
    *,
    on_calls: set[int],
    error: Callable[[], Exception] = lambda: HiboutikThrottled("no usable answer", status=503),
    after_sending: bool = False,
) -> dict:
    """add_inventory_input_detail raises `error()` on the given calls (1-based, in the order
    the worker threads make them): before sending, or after Hiboutik took the line (its
    answer lost)."""
    real = HiboutikClient.add_inventory_input_detail
    lock = threading.Lock()
    calls = {"n": 0, "lost": on_calls}

    def sometimes_failing(self, *args, **kwargs):
        with lock:
            calls["n"] += 1
            lost = calls["n"] in calls["lost"]
        if lost and not after_sending:
            raise error()
        line_id = real(self, *args, **kwargs)
        if lost:
            raise error()
        return line_id

    monkeypatch.setattr(HiboutikClient, "add_inventory_input_detail", sometimes_failing)
    return calls


def test_a_crash_while_lines_go_out_then_a_rerun_applies_each_change_once(
    simulator_factory, monkeypatch
):
    sim = simulator_factory(seed="demo", latency_ms=5)
    setup = stock_setup(sim, 40)
    change_stock(setup, MANY_CHANGES)
    failing_lines(monkeypatch, on_calls={6}, error=lambda: RuntimeError("worker killed"))
    crashed = setup.run()
    assert crashed.status == FlowRun.Status.ERRORED
    push = ExternalStockPush.objects.get()
    assert push.status == "open" and push.external_id
    assert not inputs_validated(sim)
    assert setup.hiboutik_stock(setup.products[1]) == 20  # nothing applied yet

    rerun = setup.run()
    assert rerun.status == FlowRun.Status.SUCCEEDED, rerun.reason_params
    assert setup.mismatches() == []  # each change applied exactly once
    assert len(inputs_validated(sim)) == 2
    assert not ExternalStock.objects.filter(dirty=True).exists()
    for index in MANY_CHANGES:
        product = setup.products[index]
        assert ExternalStock.objects.get(product=product).believed == setup.available(product)


def lines_received(sim) -> int:
    return sum(
        count
        for route, count in sim.stats()["by_route"].items()
        if route.startswith("POST") and "inventory_input_details" in route
    )


def test_a_failed_line_leaves_no_other_line_going_out_behind_the_run(
    simulator_factory, monkeypatch
):
    # The next run reads the stock order back to finish it: a line still going out then
    # would be applied at validation without being counted.
    sim = simulator_factory(seed="demo", latency_ms=30)
    setup = stock_setup(sim, 40)
    change_stock(setup, MANY_CHANGES)
    failing_lines(monkeypatch, on_calls={3}, error=lambda: RuntimeError("worker lost"))
    with pytest.raises(RuntimeError) as failure:
        setup.flow().run()
    # The error still holds the run's frames, as a task queued for a retry does.
    received = lines_received(sim)
    time.sleep(0.3)
    assert lines_received(sim) == received
    assert sim.stats()["in_flight"] == 0
    assert received < len(MANY_CHANGES) - 1  # the lines queued behind the failure were dropped
    del failure


TEN_OF_FORTY = {index: 15 + index for index in range(0, 40, 4)}  # increases


@pytest.mark.parametrize("after_sending", [False, True], ids=["not-taken", "taken"])
def test_a_line_left_without_answer_is_looked_up_then_sent_only_if_missing(
    simulator_factory, monkeypatch, after_sending
):
    sim = simulator_factory(seed="demo")
    setup = stock_setup(sim, 40)
    change_stock(setup, TEN_OF_FORTY)
    calls = failing_lines(monkeypatch, on_calls={3, 7}, after_sending=after_sending)
    before = setup.calls()

    run = setup.run()

    assert run.status == FlowRun.Status.SUCCEEDED, run.reason_params
    assert setup.mismatches() == []  # each change applied once
    assert len(inputs_validated(sim)) == 1
    assert calls["n"] == len(TEN_OF_FORTY) + (0 if after_sending else 2)
    # create + each line received once + one read of the order's lines + validate
    assert setup.calls() - before == 2 + len(TEN_OF_FORTY) + 1
    assert not ExternalStock.objects.filter(dirty=True).exists()


def test_a_line_never_answered_is_left_to_the_next_run_which_applies_each_change_once(
    simulator_factory, monkeypatch
):
    sim = simulator_factory(seed="demo")
    setup = stock_setup(sim, 40)
    change_stock(setup, TEN_OF_FORTY)
    calls = failing_lines(monkeypatch, on_calls={2, 11, 12})  # one line, three times

    failed = setup.run()
    assert failed.status != FlowRun.Status.SUCCEEDED
    assert ExternalStockPush.objects.get().status == "open"
    assert not inputs_validated(sim)
    calls["lost"] = set()

    # The run's retry, as the task queue runs it once its wait is over.
    assert failed.status == FlowRun.Status.PENDING and failed.retry_at is not None
    FlowRun.objects.filter(pk=failed.pk).update(retry_at=timezone.now())
    runner.run_flow(setup.integration.pk, "stock.export", FlowRun.Trigger.MANUAL, run_id=failed.pk)
    failed.refresh_from_db()
    assert failed.status == FlowRun.Status.SUCCEEDED, failed.reason_params
    assert setup.mismatches() == []
    # The order of the first run finished with the lines it holds, the other in a new one.
    assert len(inputs_validated(sim)) == 2
