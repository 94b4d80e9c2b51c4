from decimal import Decimal

import pytest

import inventory.services.stock_batch
import sales.services.order_import
import sales.services.orders
import sales.services.shipping
from inventory.exceptions import InsufficientStock
from inventory.models import StockItem, StockMovement
from inventory.services import stock_move, stock_set
from sales.models import Order, OrderEvent, OrderStatus, Store
from sales.services import GuestSpec, LineSpec, PaymentSpec, order_import_complete
from tests.db_threads import run_in_threads
from tests.factories import make_source
from tests.inventory.factories import make_product, make_warehouse
from tests.sales.helpers import event_texts, table_counts
from tests.sales.services.query_counts import queries_of

pytestmark = pytest.mark.django_db


class Boom(Exception):
    pass


@pytest.fixture
def sale(store, mug, book, card, cash, pickup, placed_at):
    """Keyword arguments of a POS sale: 2 mugs and 1 book paid by card and cash."""
    return {
        "store": store,
        "lines": [
            LineSpec(
                product=mug, quantity=2, unit_price_incl_tax=Decimal("12"), external_reference="L1"
            ),
            LineSpec(sku="LIVRE-POCHE", quantity=1, unit_price_incl_tax=Decimal("5.57")),
        ],
        "payments": [
            PaymentSpec(method=card, amount=Decimal("20")),
            PaymentSpec(method=cash, amount=Decimal("9.57")),
        ],
        "guest": GuestSpec(email="caisse@boutique.fr", name="Client comptoir"),
        "shipping_method": pickup,
        "integration": make_source("hiboutik"),
        "external_reference": "1001",
        "placed_at": placed_at,
    }


def stock(product, warehouse) -> int:
    return StockItem.objects.get(product=product, warehouse=warehouse).physical


def test_import_leaves_an_invoiced_shipped_complete_order(sale, mug, book, warehouse):
    order = order_import_complete(**sale)
    assert order.status == OrderStatus.COMPLETE
    assert not order.notify_customer
    assert order.placed_at == sale["placed_at"]
    assert order.grand_total == Decimal("29.57")
    assert order.invoices.get().grand_total == Decimal("29.57")
    assert sum(p.amount for p in order.payments.all()) == Decimal("29.57")
    shipment = order.shipments.get()
    assert shipment.warehouse == warehouse
    movements = StockMovement.objects.filter(reason="order_shipment")
    assert movements.count() == order.lines.count() == 2
    assert {m.reference for m in movements} == {shipment}
    assert (stock(mug, warehouse), stock(book, warehouse)) == (8, 3)
    assert all(line.qty_invoiced == line.qty_shipped == line.quantity for line in order.lines.all())
    assert order.lines.get(sku="MUG-BLANC").external_reference == "L1"
    kinds = list(order.events.values_list("kind", flat=True))
    assert kinds == ["created", "shipped", "status", "invoiced", "status"]
    assert order.events.filter(kind="status").last().new_status == "complete"
    assert StockItem.objects.filter(reserved__gt=0).count() == 0


def test_importing_the_same_sale_twice_gives_one_order(sale):
    first = order_import_complete(**sale)
    before = table_counts()
    again = order_import_complete(**{**sale, "lines": sale["lines"][:1]})
    assert again == first
    assert table_counts() == before
    assert StockMovement.objects.filter(reason="order_shipment").count() == 2


def test_lack_of_stock_lists_every_sku_and_writes_nothing(sale, mug, book, warehouse):
    stock_set(product=mug, warehouse=warehouse, quantity=1)
    stock_set(product=book, warehouse=warehouse, quantity=0)
    before = table_counts()
    with pytest.raises(InsufficientStock) as error:
        order_import_complete(**sale)
    assert error.value.skus == ["LIVRE-POCHE", "MUG-BLANC"]
    assert table_counts() == before


def test_force_stock_adds_the_missing_quantity_first(sale, mug, book, warehouse):
    stock_set(product=mug, warehouse=warehouse, quantity=1)
    order = order_import_complete(**sale, force_stock=True)
    forced = StockMovement.objects.get(reason="forced_import")
    assert (forced.product, forced.quantity, forced.reference) == (mug, 1, order)
    assert stock(mug, warehouse) == 0
    assert stock(book, warehouse) == 3
    event = order.events.get(kind=OrderEvent.Kind.STOCK_FORCED)
    assert event.params == {"skus": "MUG-BLANC +1"}
    assert event_texts(event) == (
        "Stock manquant ajouté pour importer la commande : MUG-BLANC +1.",
        "Missing stock added to import the order: MUG-BLANC +1.",
    )
    assert order.status == OrderStatus.COMPLETE


def test_force_stock_from_negative_stock_ends_at_zero(sale, mug, warehouse):
    stock_move(product=mug, warehouse=warehouse, quantity=-12, reason="manual", allow_negative=True)
    order_import_complete(**sale, force_stock=True)
    assert StockMovement.objects.get(reason="forced_import").quantity == 4
    assert stock(mug, warehouse) == 0


def test_import_into_a_given_warehouse(sale, mug, book, other_warehouse, warehouse):
    stock_set(product=mug, warehouse=other_warehouse, quantity=5)
    stock_set(product=book, warehouse=other_warehouse, quantity=5)
    order = order_import_complete(**sale, warehouse=other_warehouse)
    assert order.warehouse == other_warehouse
    assert (stock(mug, other_warehouse), stock(mug, warehouse)) == (3, 10)


def _fail_on_call(monkeypatch, module, name: str, call_number: int = 1) -> None:
    real = getattr(module, name)
    calls = {"n": 0}

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call_number:
            raise Boom(name)
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, failing)


@pytest.mark.parametrize(
    ("module", "name", "call_number"),
    [
        (sales.services.order_import, "order_write", 1),
        (sales.services.order_import, "invoice_write", 1),
        (sales.services.order_import, "shipment_write", 1),
        (sales.services.shipping, "apply_moves", 1),  # the shipment's movements
        (sales.services.order_import, "apply_moves", 1),  # the forced-stock movement
        (sales.services.shipping, "lines_add", 1),  # after every stock movement
        (sales.services.shipping, "progress_status", 1),  # the last step of the shipment
        # The shipment's stock rows are already updated, its movements not yet written.
        (inventory.services.stock_batch, "movement_reference", 2),
        (inventory.services.stock_batch, "_add_to_items", 2),
    ],
)
def test_a_failure_in_any_step_leaves_nothing_behind(
    sale, mug, warehouse, monkeypatch, module, name, call_number
):
    stock_set(product=mug, warehouse=warehouse, quantity=1)  # so the forced move happens
    _fail_on_call(monkeypatch, module, name, call_number)
    before = table_counts()
    with pytest.raises(Boom):
        order_import_complete(**sale, force_stock=True)
    assert table_counts() == before
    assert stock(mug, warehouse) == 1
    monkeypatch.undo()
    order = order_import_complete(**sale, force_stock=True)
    assert order.status == OrderStatus.COMPLETE


def test_concurrent_duplicate_found_after_integrity_error(sale, monkeypatch):
    """The unique constraint backs the look-ups: when an import misses the order another one
    just committed, its INSERT collides and it returns the winner's order, not an error."""
    winner = order_import_complete(**sale)
    real_lookup = sales.services.orders.find_by_external_reference
    calls = []

    def blind_first_time(source, reference):
        calls.append(reference)
        return None if len(calls) == 1 else real_lookup(source, reference)

    monkeypatch.setattr(sales.services.order_import, "find_by_external_reference", blind_first_time)
    monkeypatch.setattr(sales.services.orders, "find_by_external_reference", lambda s, r: None)
    before = table_counts()
    assert order_import_complete(**sale) == winner
    assert len(calls) == 2  # the second look-up is the one after the IntegrityError
    assert table_counts() == before


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_imports_of_one_sale_make_one_order():
    warehouse = make_warehouse()
    store = Store.objects.create(code="S", name="S", default_warehouse=warehouse)
    product = make_product(stock={warehouse: 100})
    results = []

    def run() -> None:
        results.append(
            order_import_complete(
                store=store,
                lines=[LineSpec(product=product, quantity=1)],
                payments=[],
                shipping_method=None,
                integration=make_source("hiboutik"),
                external_reference="777",
                placed_at=Order._meta.get_field("placed_at").default(),
            ).pk
        )

    assert run_in_threads(*[run] * 6) == []
    assert len(set(results)) == 1
    assert Order.objects.count() == 1
    assert StockMovement.objects.filter(reason="order_shipment").count() == 1
    assert StockItem.objects.get(product=product, warehouse=warehouse).physical == 99


# Measured on SQLite and PostgreSQL alike, inside the test's transaction (savepoints). The
# order is the import's own until commit: it is written, shipped and invoiced with no lock or
# read-back of it, and no savepoint but the import's.
MAX_IMPORT_QUERIES = {False: 25, True: 30}


@pytest.mark.parametrize("force_stock", [False, True], ids=["in-stock", "forced"])
def test_import_queries_do_not_grow_with_the_lines(
    store, warehouse, placed_at, force_stock, django_assert_max_num_queries
):
    products = [make_product(stock=None if force_stock else {warehouse: 5}) for _ in range(22)]
    source = make_source("hiboutik")

    def pos_sale(chosen: list, reference: str) -> Order:
        return order_import_complete(
            store=store,
            lines=[LineSpec(sku=product.sku, quantity=1) for product in chosen],
            payments=[],
            shipping_method=None,
            integration=source,
            external_reference=reference,
            placed_at=placed_at,
            force_stock=force_stock,
        )

    pos_sale(products[:1], "warm-up")
    one = queries_of(lambda: pos_sale(products[1:2], "one-line"))
    with django_assert_max_num_queries(MAX_IMPORT_QUERIES[force_stock]) as twenty:
        order = pos_sale(products[2:22], "twenty-lines")
    assert len(twenty) == len(one)
    assert order.status == OrderStatus.COMPLETE
    assert StockMovement.objects.filter(reason="order_shipment").count() == 22
    forced = StockMovement.objects.filter(reason="forced_import").count()
    assert forced == (22 if force_stock else 0)


def test_a_sale_already_imported_costs_one_query(sale, django_assert_num_queries):
    first = order_import_complete(**sale)
    with django_assert_num_queries(1):
        assert order_import_complete(**sale) == first


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_parallel_imports_with_lines_in_opposite_orders_never_deadlock():
    warehouse = make_warehouse()
    store = Store.objects.create(code="S", name="S", default_warehouse=warehouse)
    products = [make_product(stock={warehouse: 100}) for _ in range(5)]
    sales_per_thread = 8

    def import_sales(name: str, chosen: list) -> None:
        for number in range(sales_per_thread):
            order_import_complete(
                store=store,
                lines=[LineSpec(product=product, quantity=1) for product in chosen],
                payments=[],
                shipping_method=None,
                integration=make_source("hiboutik"),
                external_reference=f"{name}-{number}",
                placed_at=Order._meta.get_field("placed_at").default(),
            )

    failures = run_in_threads(
        lambda: import_sales("up", products), lambda: import_sales("down", products[::-1])
    )
    assert failures == []
    assert Order.objects.filter(status=OrderStatus.COMPLETE).count() == 2 * sales_per_thread
    for product in products:
        assert stock(product, warehouse) == 100 - 2 * sales_per_thread
