"""The whole loop as it runs in production: sales rung up at the simulated till, Hiboutik's
webhook posted to Connect's live server, a real Celery worker on Redis running the flows the
webhook starts, against the test database."""

from __future__ import annotations

import functools
import time
import uuid
from datetime import timedelta
from decimal import Decimal

import pytest
from django.conf import settings
from django.db import connection
from django.utils import translation

from connect.celery import app as connect_app
from integrations import tasks
from integrations.models import ExternalStock, FlowRun, IntegrationError, IntegrationEvent
from integrations.services.errors import errors_request_retry
from integrations.services.external_stock import external_stock_ensure
from integrations.services.webhooks import webhook_register
from inventory.models import StockItem, StockMovement
from inventory.services.stock_edit import stock_set_many
from sales.models import Order, OrderStatus, Refund, Rma
from tests.connect.test_celery_worker import database_url_for, start_worker  # noqa: F401
from tests.hiboutik.flows.shop import make_shop

pytestmark = [
    pytest.mark.redis,
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True),
]
WAIT_SECONDS = 60


@pytest.fixture
def live_shop(simulator_factory, live_server, start_worker, monkeypatch):  # noqa: F811
    """A shop whose webhook is registered on the simulator, with a worker of its own."""

    def make(**simulator):
        sim = simulator_factory(seed="demo", **simulator)
        shop = make_shop(sim)
        webhook_register(shop.integration, base_url=live_server.url)
        queue = f"orders-{uuid.uuid4().hex[:8]}"
        # What this process enqueues (the webhook view, a retry) goes to the worker's queue;
        # what the worker enqueues goes there too (its default queue).
        for task in (tasks.run_flow, tasks.retry_error, tasks.process_event):
            monkeypatch.setattr(
                task, "apply_async", functools.partial(task.apply_async, queue=queue)
            )
        shop.worker = start_worker(
            queue,
            DATABASE_URL=database_url_for(connection.settings_dict),
            DATABASE_CONN_MAX_AGE="0",
            CELERY_TASK_DEFAULT_QUEUE=queue,
            SECRET_KEY=settings.SECRET_KEY,
            FIELD_ENCRYPTION_KEY=settings.FIELD_ENCRYPTION_KEY,
        )
        shop.queue = queue
        made.append(shop)
        return shop

    made = []
    yield make
    for shop in made:
        shop.worker.stop()
        with connect_app.connection_for_write() as broker:
            broker.default_channel.queue_delete(shop.queue)


def wait_for(shop, condition, what: str) -> None:
    deadline = time.monotonic() + WAIT_SECONDS
    while time.monotonic() < deadline:
        if condition():
            return
        if shop.worker.process.poll() is not None:
            pytest.fail(f"the worker exited:\n{shop.worker.log_tail()}")
        time.sleep(0.3)
    pytest.fail(f"no {what} within {WAIT_SECONDS}s; worker log:\n{shop.worker.log_tail()}")


def physical(shop, sku) -> int:
    return StockItem.objects.get(product=shop.products[sku], warehouse=shop.warehouse).physical


def test_sales_at_the_till_become_orders_errors_are_retried_and_exchanges_returned(live_shop):
    shop = live_shop()
    tracked = [shop.products[sku].pk for sku in ("TSHIRT-BIO", "BASKETS-39", "CASQUETTE")]
    external_stock_ensure(
        integration=shop.integration, product_ids=tracked, believed=dict.fromkeys(tracked, 10)
    )
    sales = [
        shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}]),
        shop.ring_up(
            store_id=1, customer_id=1, payment="ESP",
            lines=[{"product_id": 1, "size_id": 2, "quantity": 2}],
        ),
        shop.ring_up(
            store_id=1, customer_id=3, payment="CB",
            lines=[{"product_id": 3, "size_id": 5, "quantity": 1}],
        ),
        shop.ring_up(
            store_id=1, payment="DIV",
            payments=[{"payment_type": "ESP", "amount": "10.00"},
                      {"payment_type": "CB", "amount": "2.00"}],
            lines=[{"product_id": 5, "quantity": 1}],
        ),
    ]  # fmt: skip
    assert all(d["status"] == 200 for d in shop.sim.stats()["webhook_deliveries"])

    wait_for(shop, lambda: Order.objects.count() == 4, "four orders imported")
    for sale in sales:
        order = Order.objects.get(external_reference=str(sale["sale_id"]))
        assert order.status == OrderStatus.COMPLETE
        assert order.grand_total == Decimal(sale["sale_total_gross"])
        assert order.invoices.exists() and order.shipments.exists()
    assert Order.objects.get(external_reference=str(sales[2]["sale_id"])).customer.email == (
        "emma.schmidt@example.com"
    )
    assert (physical(shop, "TSHIRT-BIO"), physical(shop, "BASKETS-39")) == (8, 9)
    # The stock left Hiboutik too: Connect believes so, so its next push sends nothing.
    for product_id in tracked:
        belief = ExternalStock.objects.get(integration=shop.integration, product_id=product_id)
        item = StockItem.objects.get(product_id=product_id, warehouse=shop.warehouse)
        assert belief.believed == item.available

    short = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 12}])
    shop.sim_post("refunds", store_id=1, lines=[{"product_id": 4, "quantity": 1}])
    wait_for(shop, lambda: IntegrationError.objects.filter(status="open").count() == 2, "errors")
    error = IntegrationError.objects.get(code="out_of_stock")
    with translation.override("fr"):
        assert error.text() == (
            "Impossible d'importer cette commande car les référence(s) suivante(s) ne sont pas "
            "en stock : CASQUETTE"
        )
    assert IntegrationError.objects.get(code="negative_order").text() == (
        "do not import negative order"
    )
    stock_set_many(warehouse=shop.warehouse, quantities={shop.products["CASQUETTE"].pk: 30})
    errors_request_retry([error])
    wait_for(
        shop,
        lambda: Order.objects.filter(external_reference=str(short["sale_id"])).exists(),
        "the retried sale imported",
    )
    error.refresh_from_db()
    assert error.status == IntegrationError.Status.RESOLVED

    original = sales[1]
    shop.sim_post(
        "exchanges",
        sale_id=original["sale_id"],
        line_item_id=original["line_items"][0]["line_item_id"],
        stock_id=1,
    )
    wait_for(
        shop,
        lambda: IntegrationEvent.objects.filter(type="exchange", done=True).exists(),
        "the exchange processed",
    )
    rma = Rma.objects.get()
    assert rma.order.external_reference == str(original["sale_id"])
    assert rma.lines.get().quantity == 2
    assert Refund.objects.get().amount == Decimal("50.00")
    assert StockMovement.objects.filter(reason=StockMovement.Reason.RETURN).count() == 1
    assert physical(shop, "TSHIRT-BIO") == 10


def test_return_lines_exchanges_and_a_lost_webhook_through_the_worker(live_shop):
    shop = live_shop(exchange_mode="return-lines")
    original = shop.ring_up(
        store_id=1, payment="CB", lines=[{"product_id": 1, "size_id": 2, "quantity": 1}]
    )
    wait_for(shop, lambda: Order.objects.count() == 1, "the sale imported")
    returned = shop.sim_post(
        "exchanges",
        sale_id=original["sale_id"],
        line_item_id=original["line_items"][0]["line_item_id"],
        stock_id=1,
        quantity=1,
        lines=[{"product_id": 4, "quantity": 1}],
    )
    wait_for(
        shop,
        lambda: IntegrationEvent.objects.filter(type="exchange", done=True).exists(),
        "the exchange processed",
    )
    assert Order.objects.filter(external_reference=str(returned["sale_id"])).exists()
    assert Rma.objects.get().order.external_reference == str(original["sale_id"])
    assert Refund.objects.get().amount == Decimal("25.00")

    # The receiver misses a sale (a lost delivery): the next reconciliation brings it.
    shop.sim_post("faults", lose_webhooks=1)
    lost = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 5, "quantity": 1}])
    assert shop.sim.stats()["webhook_deliveries"][-1]["error"].startswith("lost")
    run = FlowRun.objects.filter(flow_key="orders.import", cursor__isnull=False).first()
    run.cursor = {**run.cursor, "reconciled_at": (run.created_at - timedelta(hours=2)).isoformat()}
    run.save(update_fields=["cursor"])
    tasks.enqueue_run(shop.integration.pk, "orders.import", FlowRun.Trigger.MANUAL)
    wait_for(
        shop,
        lambda: Order.objects.filter(external_reference=str(lost["sale_id"])).exists(),
        "the lost sale imported by the reconciliation",
    )
    reconciling = FlowRun.objects.filter(flow_key="orders.import", created=1).first()
    assert reconciling.api_calls >= 2  # the listing and the sale read, shown in the run
