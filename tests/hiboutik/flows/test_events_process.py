"""`events.process`: exchanges made at the simulated till, in both shapes it records them,
become returns received in Connect, back in stock and refunded, once."""

from decimal import Decimal

import pytest
import requests

from integrations.flows import FlowContext
from integrations.models import ExternalStock, FlowRun, IntegrationEvent
from integrations.services.external_stock import external_stock_ensure
from inventory.models import StockItem, StockMovement
from sales.models import Order, Refund, Rma, RmaStatus
from tests.hiboutik.flows.shop import make_shop

pytestmark = pytest.mark.django_db


def physical(shop, sku) -> int:
    return StockItem.objects.get(product=shop.products[sku], warehouse=shop.warehouse).physical


def sell_tshirt(shop, client) -> dict:
    sale = shop.ring_up(
        store_id=1, payment="CB", lines=[{"product_id": 1, "size_id": 2, "quantity": 1}]
    )
    shop.deliver(client, sale["sale_id"])
    assert shop.run().created == 1
    return sale


def exchange(shop, sale, **body) -> dict:
    return shop.sim_post(
        "exchanges",
        sale_id=sale["sale_id"],
        line_item_id=sale["line_items"][0]["line_item_id"],
        stock_id=1,
        **body,
    )


def state(shop):
    return (
        Rma.objects.count(),
        Refund.objects.count(),
        StockMovement.objects.count(),
        Order.objects.count(),
    )


def assert_exchange_processed(shop, original):
    order = Order.objects.get(external_reference=str(original["sale_id"]))
    rma = Rma.objects.get(order=order)
    assert rma.status == RmaStatus.RECEIVED
    (line,) = rma.lines.all()
    assert (line.order_line.sku, line.quantity, line.back_to_stock, line.restocked) == (
        "TSHIRT-BIO",
        1,
        True,
        True,
    )
    assert line.warehouse == shop.warehouse  # the one that shipped the sale
    movement = StockMovement.objects.get(reason=StockMovement.Reason.RETURN)
    assert (movement.product.sku, movement.quantity) == ("TSHIRT-BIO", 1)
    refund = Refund.objects.get(order=order)
    assert refund.rma == rma and refund.amount == Decimal("25.00")
    event = IntegrationEvent.objects.get(type="exchange")
    assert event.done
    assert event.links == [
        {"type": "rma", "id": rma.pk, "label": rma.number},
        {"type": "refund", "id": refund.pk, "label": refund.number},
    ]


def test_a_credit_note_exchange_becomes_a_return_back_in_stock_and_refunded(shop, client):
    tshirt = shop.products["TSHIRT-BIO"].pk
    external_stock_ensure(integration=shop.integration, product_ids=[tshirt], believed={tshirt: 10})
    original = sell_tshirt(shop, client)
    answer = exchange(shop, original, lines=[{"product_id": 4, "quantity": 1}])
    # The till sends the original sale again, its line now a credit note, and the replacement.
    shop.deliver(client, original["sale_id"])
    shop.deliver(client, answer["replacement"]["sale_id"])

    imported = shop.run()
    processed = shop.run("events.process")

    assert (imported.created, imported.skipped) == (1, 1)
    assert (processed.status, processed.created, processed.api_calls) == (
        FlowRun.Status.SUCCEEDED,
        1,
        0,
    )
    assert_exchange_processed(shop, original)
    replacement = Order.objects.get(external_reference=str(answer["replacement"]["sale_id"]))
    assert [p.method.code for p in replacement.payments.all()] == ["credit_note"]
    assert physical(shop, "TSHIRT-BIO") == 10 - 1 + 1
    # The till put the exchanged shirt back on its shelf (stock 1): the webhook sent with the
    # exchange says what the shelf holds, so Connect believes it and pushes nothing back.
    shelf = requests.get(f"{shop.sim.root_url}/_sim/stock?warehouse_id=1&product_ids=1", timeout=10)
    belief = ExternalStock.objects.get(integration=shop.integration, product_id=tshirt)
    assert belief.believed == shelf.json()["stock"]["1:2"]
    before, calls = state(shop), shop.calls()
    for flow in ("orders.import", "events.process"):
        assert shop.run(flow).seen == 0
    assert (state(shop), shop.calls()) == (before, calls)


def test_a_return_line_exchange_becomes_a_return_back_in_stock_and_refunded(
    simulator_factory, client
):
    shop = make_shop(simulator_factory(seed="demo", exchange_mode="return-lines"))
    tshirt = shop.products["TSHIRT-BIO"].pk
    external_stock_ensure(integration=shop.integration, product_ids=[tshirt], believed={tshirt: 10})
    original = sell_tshirt(shop, client)
    returned = exchange(
        shop, original, quantity=1, lines=[{"product_id": 4, "quantity": 1}], payment="ESP"
    )
    shop.deliver(client, returned["sale_id"])

    imported = shop.run()
    shop.run("events.process")

    assert imported.created == 1
    replacement = Order.objects.get(external_reference=str(returned["sale_id"]))
    assert [line.sku for line in replacement.lines.all()] == ["CASQUETTE"]
    assert_exchange_processed(shop, original)
    # Sold, then put back on both shelves: Connect believes Hiboutik holds what it holds.
    belief = ExternalStock.objects.get(integration=shop.integration, product_id=tshirt)
    assert belief.believed == physical(shop, "TSHIRT-BIO") == 10
    shop.deliver(client, returned["sale_id"])  # delivered again: counted once
    shop.run()
    belief.refresh_from_db()
    assert belief.believed == 10


def test_an_exchange_of_an_unknown_order_waits_for_it_then_is_processed_once(
    simulator_factory, client
):
    shop = make_shop(simulator_factory(seed="demo", exchange_mode="return-lines"))
    original = shop.ring_up(
        store_id=1, payment="CB", lines=[{"product_id": 1, "size_id": 2, "quantity": 1}]
    )  # its webhook never arrives
    returned = exchange(shop, original, quantity=1)
    shop.deliver(client, returned["sale_id"])
    shop.run()

    waiting = shop.run("events.process")

    assert (waiting.seen, waiting.failed) == (1, 1)
    event = IntegrationEvent.objects.get(type="exchange")
    assert (event.done, event.failed) == (False, True)
    assert "not in Connect" in event.result() or "pas dans Connect" in event.result()
    before = state(shop)
    assert shop.run("events.process").seen == 0  # nothing new: not tried again
    assert state(shop) == before

    shop.deliver(client, original["sale_id"])
    shop.run()
    shop.run("events.process")

    assert_exchange_processed(shop, original)


def test_exchanges_are_stored_but_not_processed_when_disabled(shop, client):
    shop.configure("exchanges", enabled=False)
    original = sell_tshirt(shop, client)
    exchange(shop, original)
    shop.deliver(client, original["sale_id"])
    shop.run()

    run = shop.run("events.process")

    assert run.seen == 0
    event = IntegrationEvent.objects.get(type="exchange")
    assert not event.done
    assert not Rma.objects.exists()


@pytest.mark.parametrize("boundary", ["after_return", "after_refund"])
def test_a_crash_at_each_step_boundary_processes_the_exchange_once_on_rerun(
    shop, client, monkeypatch, boundary
):
    original = sell_tshirt(shop, client)
    exchange(shop, original)
    shop.deliver(client, original["sale_id"])
    shop.run()

    def crash(*args, **kwargs):
        raise RuntimeError(boundary)

    import hiboutik.flows.events_process as events_process

    if boundary == "after_return":  # the return received and restocked, not refunded yet
        monkeypatch.setattr(events_process, "rma_refund", crash)
    else:  # refunded, the event not marked yet
        monkeypatch.setattr(FlowContext, "event_done", crash)
    assert shop.run("events.process").status == FlowRun.Status.ERRORED
    monkeypatch.undo()

    assert shop.run("events.process").status == FlowRun.Status.SUCCEEDED
    assert_exchange_processed(shop, original)
