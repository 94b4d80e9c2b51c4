"""`orders.import` from the `sale` webhook: sales rung up at the simulated till, delivered to
the webhook endpoint exactly as the simulator sends them, imported by a run of the flow."""

from decimal import Decimal

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from hiboutik.flows.orders_import import OrdersImport
from integrations import runner
from integrations.models import (
    ExternalBinding,
    ExternalStock,
    FlowRun,
    IntegrationError,
    IntegrationEvent,
)
from integrations.selectors.bindings import binding_scope
from integrations.services.bindings import binding_bind
from integrations.services.external_stock import external_stock_ensure
from inventory.models import StockItem, StockMovement
from inventory.services.stock_edit import stock_set_many
from sales.models import Customer, Order, OrderStatus
from tests.factories import make_customer

pytestmark = pytest.mark.django_db

OUT_OF_STOCK_FR = (
    "Impossible d'importer cette commande car les référence(s) suivante(s) ne sont pas en "
    "stock : %s"
)


def physical(shop, sku) -> int:
    return StockItem.objects.get(product=shop.products[sku], warehouse=shop.warehouse).physical


def only_order(shop) -> Order:
    return Order.objects.get(integration=shop.integration)


def open_error(shop) -> IntegrationError:
    return IntegrationError.objects.get(integration=shop.integration, status="open")


def test_a_walk_in_sale_becomes_an_invoiced_shipped_order_at_no_api_call(shop, client):
    scope_items = external_stock_ensure(
        integration=shop.integration,
        product_ids=[shop.products["TSHIRT-BIO"].pk],
        believed={shop.products["TSHIRT-BIO"].pk: 10},
    )
    assert scope_items is not None
    sale = shop.ring_up(
        store_id=1, payment="CB", lines=[{"product_id": 1, "size_id": 2, "quantity": 2}]
    )
    shop.deliver(client, sale["sale_id"])
    before = shop.calls()

    run = shop.run()

    assert run.status == FlowRun.Status.SUCCEEDED, run.reason()
    assert (run.seen, run.created, run.api_calls) == (1, 1, 0)
    assert shop.calls() == before
    order = only_order(shop)
    assert order.external_reference == str(sale["sale_id"])
    assert order.status == OrderStatus.COMPLETE
    assert order.invoices.count() == 1 and order.shipments.count() == 1
    assert order.grand_total == Decimal(sale["sale_total_gross"]) == Decimal("50.00")
    assert order.tax_total == Decimal(sale["sale_total_tax"])
    assert order.subtotal == Decimal(sale["sale_total_net"])
    assert order.notify_customer is False
    line = order.lines.get()
    assert (line.sku, line.quantity, line.unit_price_incl_tax, line.tax_rate) == (
        "TSHIRT-BIO",
        2,
        Decimal("25.0000"),
        Decimal("20.00"),
    )
    assert (line.qty_invoiced, line.qty_shipped) == (2, 2)
    # The walk-in customer is the configured guest account.
    guest = order.customer
    assert (guest.email, guest.group.code, guest.country, guest.region) == (
        "comptoir@connect.test",
        "general",
        "FR",
        "Île-de-France",
    )
    assert [p.method.code for p in order.payments.all()] == ["card"]
    assert order.payments.get().amount == Decimal("50.00")
    assert order.shipping_method.code == "pickup"
    assert physical(shop, "TSHIRT-BIO") == 8
    # Hiboutik already took the units out: the belief follows, so no stock push comes back.
    belief = ExternalStock.objects.get(
        integration=shop.integration, product=shop.products["TSHIRT-BIO"]
    )
    assert belief.believed == 8
    event = IntegrationEvent.objects.get(integration=shop.integration, type="sale")
    assert event.done and event.links == [{"type": "order", "id": order.pk, "label": order.number}]
    scope = binding_scope(shop.integration, "order")
    assert ExternalBinding.objects.get(scope=scope, object_type="order").object_id == order.pk
    assert ExternalBinding.objects.get(scope=scope, object_type="order_line").external_id == str(
        sale["line_items"][0]["line_item_id"]
    )


def test_lines_match_by_binding_size_sku_mapping_and_sku(shop, client):
    sale = shop.ring_up(
        store_id=1,
        payment="ESP",
        lines=[
            {"product_id": 1, "size_id": 3, "quantity": 1, "price": "20.00"},  # bound whole
            {"product_id": 3, "size_id": 6, "quantity": 1},  # bound per size: 40
            {"product_id": 5, "quantity": 3},  # mapped TOTE-BAG:ACC-TOTE-BAG
            {"product_id": 6, "quantity": 1},  # SKU = reference, 5.5 % VAT
        ],
    )
    shop.deliver(client, sale["sale_id"])

    assert shop.run().status == FlowRun.Status.SUCCEEDED
    order = only_order(shop)
    assert [(line.sku, line.quantity, line.tax_rate) for line in order.lines.all()] == [
        ("TSHIRT-BIO", 1, Decimal("20.00")),
        ("BASKETS-40", 1, Decimal("20.00")),
        ("ACC-TOTE-BAG", 3, Decimal("20.00")),
        ("LIVRE-RECETTES", 1, Decimal("5.50")),
    ]
    assert order.lines.all()[0].unit_price_incl_tax == Decimal("20.0000")
    assert order.grand_total == Decimal(sale["sale_total_gross"])
    assert order.tax_total == Decimal(sale["sale_total_tax"])
    for line, hiboutik in zip(order.lines.all(), sale["line_items"], strict=True):
        assert line.row_total == Decimal(hiboutik["item_total_net"])
        assert line.row_total_incl_tax == Decimal(hiboutik["item_total_gross"])
    assert physical(shop, "ACC-TOTE-BAG") == 7 and physical(shop, "BASKETS-40") == 9


def test_a_bound_customer_is_used_and_an_unknown_one_fetched_once_created_and_bound(shop, client):
    known = make_customer(email="someone@example.com")
    scope = binding_scope(shop.integration, "customer")
    binding_bind(scope=scope, object_type="customer", object_id=known.pk, external_id=1)
    first = shop.ring_up(
        store_id=1, customer_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}]
    )
    second = shop.ring_up(
        store_id=1, customer_id=3, payment="CB", lines=[{"product_id": 4, "quantity": 1}]
    )
    third = shop.ring_up(
        store_id=1, customer_id=3, payment="CB", lines=[{"product_id": 4, "quantity": 1}]
    )
    for sale in (first, second, third):
        shop.deliver(client, sale["sale_id"])
    before = shop.calls()

    run = shop.run()

    assert (run.status, run.created, run.api_calls) == (FlowRun.Status.SUCCEEDED, 3, 1)
    assert shop.calls() - before == 1
    assert shop.sim.stats()["by_route"].get("GET /customer/{customer_id}") == 1
    orders = {o.external_reference: o for o in Order.objects.filter(integration=shop.integration)}
    assert orders[str(first["sale_id"])].customer == known
    created = orders[str(second["sale_id"])].customer
    assert orders[str(third["sale_id"])].customer == created
    # Emma Schmidt's country comes as alpha-3 (DEU): Connect keeps alpha-2.
    assert (created.email, created.last_name, created.country) == (
        "emma.schmidt@example.com",
        "Schmidt",
        "DE",
    )
    assert (
        ExternalBinding.objects.get(scope=scope, object_type="customer", external_id="3").object_id
        == created.pk
    )


def test_a_split_payment_maps_each_payment_type(shop, client):
    sale = shop.ring_up(
        store_id=1,
        payment="DIV",
        payments=[
            {"payment_type": "ESP", "amount": "20.00"},
            {"payment_type": "CB", "amount": "39.90"},
        ],
        lines=[{"product_id": 2, "size_id": 1, "quantity": 1}],
    )
    shop.deliver(client, sale["sale_id"])

    assert shop.run().status == FlowRun.Status.SUCCEEDED
    payments = only_order(shop).payments.order_by("amount")
    assert [(p.method.code, p.amount) for p in payments] == [
        ("cash", Decimal("20.00")),
        ("card", Decimal("39.90")),
    ]


def test_a_payment_added_after_the_import_is_added_to_the_order_once(shop, client):
    sale = shop.ring_up(
        store_id=1,
        payment="DIV",
        payments=[{"payment_type": "CB", "amount": "19.50"}],
        lines=[{"product_id": 4, "quantity": 1}],
    )
    shop.deliver(client, sale["sale_id"])
    shop.run()
    shop.sim_post("payments", sale_id=sale["sale_id"], payment_type="ESP", amount="-2.00")
    shop.deliver(client, sale["sale_id"])

    run = shop.run()

    assert (run.updated, run.created) == (1, 0)
    payments = only_order(shop).payments.order_by("amount")
    assert [(p.method.code, p.amount) for p in payments] == [
        ("cash", Decimal("-2.00")),
        ("card", Decimal("19.50")),
    ]
    shop.deliver(client, sale["sale_id"])
    assert shop.run().seen == 0
    assert only_order(shop).payments.count() == 2


def test_an_unmapped_payment_type_is_an_error_naming_it(shop, client):
    shop.configure("order_import", payment_methods={"ESP": shop.methods["ESP"].pk})
    sale = shop.ring_up(store_id=1, payment="CHE", lines=[{"product_id": 4, "quantity": 1}])
    shop.deliver(client, sale["sale_id"])

    run = shop.run()

    assert (run.status, run.failed) == (FlowRun.Status.FAILED, 1)
    error = open_error(shop)
    assert (error.code, error.record_id, error.params) == (
        "unmapped_payment",
        str(sale["sale_id"]),
        {"payment_types": "CHE"},
    )
    assert not Order.objects.exists()
    event = IntegrationEvent.objects.get(type="sale")
    assert (event.done, event.failed) == (False, True)
    # A failed sale is not tried again by every run: the Erreurs tab retries it.
    assert shop.run().seen == 0


def test_a_line_matching_nothing_makes_the_sale_an_error_naming_its_reference(shop, client):
    sale = shop.ring_up(
        store_id=1,
        payment="CB",
        lines=[{"product_id": 4, "quantity": 1}, {"product_id": 7, "quantity": 1}],
    )
    shop.deliver(client, sale["sale_id"])

    shop.run()

    error = open_error(shop)
    assert (error.code, error.params) == ("unknown_product", {"references": "CARTE-CADEAU"})
    assert "CARTE-CADEAU" in error.text()
    assert not Order.objects.exists()
    assert physical(shop, "CASQUETTE") == 10


def test_out_of_stock_gives_the_exact_error_then_a_retry_after_the_stock_edit_imports(shop, client):
    sale = shop.ring_up(
        store_id=1,
        payment="CB",
        lines=[
            {"product_id": 1, "size_id": 1, "quantity": 11},
            {"product_id": 4, "quantity": 11},
            {"product_id": 6, "quantity": 1},
        ],
    )
    shop.deliver(client, sale["sale_id"])

    shop.run()

    error = open_error(shop)
    assert error.code == "out_of_stock"
    with translation.override("fr"):
        assert error.text() == OUT_OF_STOCK_FR % "CASQUETTE, TSHIRT-BIO"
    assert not Order.objects.exists()
    assert StockMovement.objects.filter(reason=StockMovement.Reason.FORCED_IMPORT).count() == 0

    stock_set_many(
        warehouse=shop.warehouse,
        quantities={shop.products["TSHIRT-BIO"].pk: 20, shop.products["CASQUETTE"].pk: 20},
    )
    outcome = runner.retry_error(error.pk)

    assert outcome.run.status == FlowRun.Status.SUCCEEDED
    error.refresh_from_db()
    assert error.status == IntegrationError.Status.RESOLVED
    with translation.override("fr"):
        assert error.result() == "La commande a bien été importée"
    assert only_order(shop).grand_total == Decimal(sale["sale_total_gross"])
    assert physical(shop, "TSHIRT-BIO") == 9 and physical(shop, "CASQUETTE") == 9
    assert IntegrationEvent.objects.get(type="sale").done
    # Retrying a resolved error imports nothing more.
    assert runner.retry_error(error.pk).run is None
    assert Order.objects.count() == 1


def test_force_stock_adds_the_missing_units_first(shop, client):
    shop.configure("order_import", force_stock=True)
    sale = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 12}])
    shop.deliver(client, sale["sale_id"])

    assert shop.run().status == FlowRun.Status.SUCCEEDED
    forced = StockMovement.objects.get(reason=StockMovement.Reason.FORCED_IMPORT)
    assert (forced.product.sku, forced.quantity) == ("CASQUETTE", 2)
    assert physical(shop, "CASQUETTE") == 0


def test_a_refund_sale_is_not_imported(shop, client):
    refund = shop.sim_post("refunds", store_id=1, lines=[{"product_id": 4, "quantity": 1}])
    shop.deliver(client, refund["sale_id"])

    shop.run()

    error = open_error(shop)
    assert (error.code, error.text()) == ("negative_order", "do not import negative order")
    assert not Order.objects.exists()


def test_the_same_webhook_four_times_makes_one_order_and_a_second_run_does_nothing(shop, client):
    sale = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    for _ in range(2):
        shop.deliver(client, sale["sale_id"])
    shop.run()
    for _ in range(2):
        shop.deliver(client, sale["sale_id"])
    before = shop.calls()
    movements = StockMovement.objects.count()

    second = shop.run()

    assert Order.objects.count() == 1
    assert IntegrationEvent.objects.get(type="sale").deliveries == 4
    assert (second.seen, second.created, second.updated, second.api_calls) == (0, 0, 0, 0)
    assert shop.calls() == before
    assert StockMovement.objects.count() == movements


def test_a_sale_of_another_hiboutik_store_is_left_alone(shop, client):
    sale = shop.ring_up(store_id=2, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    shop.deliver(client, sale["sale_id"])

    run = shop.run()

    assert (run.status, run.skipped) == (FlowRun.Status.SUCCEEDED, 1)
    assert not Order.objects.exists()
    event = IntegrationEvent.objects.get(type="sale")
    assert event.done
    with translation.override("fr"):
        assert event.result() == (
            f"La vente {sale['sale_id']} vient du magasin Hiboutik 2 : non importée."
        )


@pytest.mark.parametrize("boundary", ["before_commit", "after_commit", "after_customer"])
def test_a_crash_at_each_step_boundary_leaves_no_duplicate_on_rerun(
    shop, client, monkeypatch, boundary
):
    sale = shop.ring_up(
        store_id=1, customer_id=2, payment="CB", lines=[{"product_id": 4, "quantity": 2}]
    )
    shop.deliver(client, sale["sale_id"])

    class Crash(Exception):
        pass

    def crash(*args, **kwargs):
        raise Crash(boundary)

    import hiboutik.order_import as order_import

    if boundary == "before_commit":  # inside the import's transaction, after the order
        monkeypatch.setattr(order_import, "stock_beliefs_apply_sale", crash)
    elif boundary == "after_commit":  # the order committed, the event not yet marked
        monkeypatch.setattr(OrdersImport, "_event_done", crash)
    else:  # the customer created and bound, the order not yet made
        monkeypatch.setattr(order_import, "order_import_complete", crash)

    assert shop.run().status == FlowRun.Status.ERRORED
    monkeypatch.undo()
    rerun = shop.run()

    assert rerun.status == FlowRun.Status.SUCCEEDED, rerun.reason()
    assert Order.objects.count() == 1
    assert Customer.objects.filter(email="lucas.bernard@example.com").count() == 1
    assert physical(shop, "CASQUETTE") == 8
    assert (
        StockMovement.objects.filter(product=shop.products["CASQUETTE"]).count() == 2
    )  # set, sale
    assert IntegrationEvent.objects.get(type="sale").done


def test_queries_per_order_do_not_grow_with_its_lines(shop, client):
    # The first walk-in sale creates the guest account: measured apart.
    first = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    shop.deliver(client, first["sale_id"])
    shop.run()
    small = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    big = shop.ring_up(
        store_id=1,
        payment="CB",
        lines=[
            {"product_id": 1, "size_id": 1, "quantity": 1},
            {"product_id": 2, "size_id": 2, "quantity": 1},
            {"product_id": 3, "size_id": 5, "quantity": 1},
            {"product_id": 3, "size_id": 6, "quantity": 1},
            {"product_id": 5, "quantity": 2},
            {"product_id": 6, "quantity": 1},
        ],
    )
    counts = []
    for sale in (small, big):
        shop.deliver(client, sale["sale_id"])
        with CaptureQueriesContext(connection) as queries:
            assert shop.run().created == 1
        counts.append(len(queries))
    # The whole run of one sale on PostgreSQL and SQLite alike: the runner's claim and close,
    # the importer's reads (store, payment methods, guest account), then the sale's own.
    assert counts[0] == counts[1] <= 56, counts


def test_a_run_reads_the_walk_in_account_and_payment_methods_once(shop, client):
    first = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    shop.deliver(client, first["sale_id"])
    shop.run()  # creates the guest account
    for _ in range(3):
        sale = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
        shop.deliver(client, sale["sale_id"])
    with CaptureQueriesContext(connection) as queries:
        assert shop.run().created == 3
    selects = [query["sql"] for query in queries if query["sql"].startswith("SELECT")]
    assert sum('FROM "sales_customer"' in sql for sql in selects) == 1
    assert sum('FROM "sales_paymentmethod"' in sql for sql in selects) == 1
    assert Order.objects.filter(customer__isnull=False).values("customer").distinct().count() == 1


def test_an_import_not_set_up_runs_at_no_cost_and_says_what_is_missing(integration):
    outcome = runner.run_flow(integration.pk, "orders.import", FlowRun.Trigger.MANUAL)

    assert (outcome.run.status, outcome.run.api_calls) == (FlowRun.Status.SUCCEEDED, 0)
    assert outcome.run.log[0]["message"].startswith("Choose the Connect store")


def test_a_sale_arriving_during_a_run_is_imported_by_that_run(shop, client, monkeypatch):
    first = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    second = shop.ring_up(store_id=1, payment="CB", lines=[{"product_id": 5, "quantity": 1}])
    shop.deliver(client, first["sale_id"])
    handle = OrdersImport._handle

    def handle_while_the_till_sells(self, importer, event):
        handle(self, importer, event)
        if event.external_id == str(first["sale_id"]):
            shop.deliver(client, second["sale_id"])  # its own trigger finds this run busy

    monkeypatch.setattr(OrdersImport, "_handle", handle_while_the_till_sells)
    run = shop.run()

    assert (run.created, run.api_calls) == (2, 0)


# Stock order lines go out from worker threads, each counting its call in the ledger.
@pytest.mark.django_db(transaction=True)
def test_an_imported_sale_is_not_pushed_back_by_the_stock_export(shop, client):
    shop.configure("stock", connect_warehouse_ids=[shop.warehouse.pk])
    assert shop.run("stock.export").status == FlowRun.Status.SUCCEEDED  # Hiboutik = Connect
    stock_before = requests.get(f"{shop.sim.root_url}/_sim/stock?warehouse_id=1", timeout=10)
    assert shop.run("stock.export").api_calls == 0
    sale = shop.ring_up(
        store_id=1,
        payment="CB",
        lines=[{"product_id": 4, "quantity": 2}, {"product_id": 3, "size_id": 5, "quantity": 1}],
    )
    shop.deliver(client, sale["sale_id"])
    shop.run()
    calls = shop.calls()

    push = shop.run("stock.export")

    assert push.status == FlowRun.Status.SUCCEEDED
    assert (push.api_calls, shop.calls()) == (0, calls)
    stock = requests.get(f"{shop.sim.root_url}/_sim/stock?warehouse_id=1", timeout=10).json()
    assert (
        stock["stock"]["4"] == stock_before.json()["stock"]["4"] - 2 == physical(shop, "CASQUETTE")
    )
