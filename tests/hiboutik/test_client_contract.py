"""Contract tests: the client against the live simulator on 127.0.0.1, for every route it uses."""

import io
import json
import threading
import uuid
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from zoneinfo import ZoneInfo

import pytest
import requests
from PIL import Image

from hiboutik.client import HiboutikClient
from hiboutik.errors import (
    HiboutikAuthError,
    HiboutikNotFound,
    HiboutikValidationError,
)
from hiboutik.ledger import InMemoryCallLedger
from hiboutik.mappers.sales import sale_from_payload
from hiboutik.php_form import parse_php_form_body
from hiboutik.types import NewCustomer, NewProduct, StockChange, StockPush

USER = "demo@connect.test"
KEY = "DEMOKEY"


def make_client(sim, **kwargs) -> HiboutikClient:
    options = {
        "base_url": sim.base_url,
        "user": USER,
        "api_key": KEY,
        "ledger": InMemoryCallLedger(),
        "ledger_key": f"demo-{uuid.uuid4()}",
        "timeout": (2.0, 10.0),
        **kwargs,
    }
    return HiboutikClient(**options)


@pytest.fixture
def client(simulator) -> HiboutikClient:
    return make_client(simulator)


def png(width: int = 8, height: int = 8) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 30, 30)).save(buffer, format="PNG")
    return buffer.getvalue()


def new_product(client: HiboutikClient, **overrides) -> int:
    fields = {
        "name": "Contract mug",
        "price": Decimal("12.50"),
        "tax_id": 1,
        "ref_ext": f"CT-{uuid.uuid4().hex[:8]}",
        "barcode": f"99{uuid.uuid4().int % 10**11:011d}",
        **overrides,
    }
    return client.create_product(NewProduct(**fields))


def control(sim, path: str, payload: dict) -> dict:
    response = requests.post(f"{sim.root_url}/_sim/{path}", json=payload, timeout=10)
    assert response.status_code < 400, response.text
    return response.json()


# --- reference data ------------------------------------------------------------------------


def test_reference_data(client):
    taxes = {tax.tax_id: tax for tax in client.list_taxes()}
    assert set(taxes) >= {1, 2, 3, 4, 5}
    assert taxes[1].rate == Decimal("0.2")
    assert taxes[3].percent == Decimal("5.5")

    stores = client.list_stores()
    warehouses = {w.warehouse_id for w in client.list_warehouses()}
    assert len(stores) == 2
    assert {store.warehouse_id for store in stores} <= warehouses
    assert all(store.currency == "EUR" and store.time_zone for store in stores)

    codes = {payment.code for payment in client.list_payment_types(stores[0].store_id)}
    assert {"ESP", "CB", "CHE"} <= codes
    assert all(payment.enabled for payment in client.list_payment_types(stores[0].store_id))

    # The demo's second store is in La Réunion and its day starts at 04:00.
    assert [store.zone() for store in stores] == [
        ZoneInfo("Europe/Paris"),
        ZoneInfo("Indian/Reunion"),
    ]
    assert [store.day_start for store in stores] == [time(0), time(4)]


def test_payment_types_of_an_unknown_store(client):
    with pytest.raises(HiboutikNotFound):
        client.list_payment_types(999)


# --- products ------------------------------------------------------------------------------


def test_product_create_read_update_search(client):
    ref = f"CT-{uuid.uuid4().hex[:8]}"
    product_id = new_product(client, ref_ext=ref, barcode="9912345678901")
    product = client.get_product(product_id)
    assert (product.name, product.price, product.tax_id) == ("Contract mug", Decimal("12.5"), 1)
    assert product.ref_ext == ref

    client.update_product(product_id, "product_price", Decimal("14.90"))
    client.update_product(product_id, "product_vat", 2)
    updated = client.get_product(product_id)
    assert (updated.price, updated.tax_id) == (Decimal("14.90"), 2)

    assert [m.product_id for m in client.search_products_by_barcode("9912345678901")] == [
        product_id
    ]
    assert [p.product_id for p in client.search_products_by_ref_ext(ref)] == [product_id]
    assert client.search_products_by_barcode("0000000000000") == []
    assert client.search_products_by_ref_ext("NO-SUCH-REF") == []


@pytest.mark.parametrize("search_match", ["substring", "exact"])
def test_searches_find_exactly_the_record_asked_for(simulator_factory, search_match):
    client = make_client(simulator_factory(search_match=search_match))
    stem = f"CT-{uuid.uuid4().hex[:6]}"
    short = new_product(client, ref_ext=stem, barcode="990000000001")
    longer = new_product(client, ref_ext=f"{stem}1", barcode="9900000000012")
    assert [p.product_id for p in client.search_products_by_ref_ext(stem)] == [short]
    assert [p.product_id for p in client.search_products_by_ref_ext(f"{stem}1")] == [longer]
    assert [m.product_id for m in client.search_products_by_barcode("990000000001")] == [short]

    domain = f"{uuid.uuid4().hex[:6]}.example.test"
    ann = client.create_customer(NewCustomer(last_name="Ann", email=f"ann@{domain}"))
    client.create_customer(NewCustomer(last_name="Joann", email=f"joann@{domain}"))
    assert [c.customer_id for c in client.search_customers_by_email(f"ANN@{domain}")] == [ann]


def test_variant_barcode_search_names_the_size(client):
    sized = next(p for p in client.iter_products() if p.sizes)
    size = sized.sizes[-1]
    (match,) = client.search_products_by_barcode(size.barcode)
    assert (match.product_id, match.size_id) == (sized.product_id, size.size_id)


def test_empty_searches_answered_with_404(simulator_factory):
    client = make_client(simulator_factory(empty_search="404"))
    assert client.search_products_by_barcode("0000000000000") == []
    assert client.search_products_by_ref_ext("NO-SUCH-REF") == []
    assert client.search_customers_by_email("nobody@example.test") == []


@pytest.mark.parametrize("unknown_fields", ["ignored", "rejected"])
def test_a_created_product_is_confirmed_by_reading_it_back(simulator_factory, unknown_fields):
    sim = simulator_factory(unknown_fields=unknown_fields)
    client = make_client(sim)
    sent = NewProduct(
        name="Contract lamp",
        price=Decimal("49.90"),
        tax_id=2,
        ref_ext=f"CT-{uuid.uuid4().hex[:8]}",
        supply_price=Decimal("18.40"),
        display_www=True,
        category_id=1,
        description="Lampe",
    )
    product_id = client.create_product(sent)
    product = client.confirm_product(product_id, sent)
    assert (product.name, product.price, product.tax_id) == ("Contract lamp", Decimal("49.90"), 2)
    assert (product.supply_price, product.display_www, product.description) == (
        Decimal("18.40"),
        True,
        "Lampe",
    )
    # Everything was stored on create: the read-back was the only extra call.
    assert sim.stats()["by_route"] == {
        "POST /products": 1,
        "GET /products/{product_id}": 1,
    }


def test_product_validation_and_not_found(client):
    with pytest.raises(HiboutikValidationError) as caught:
        new_product(client, tax_id=999)
    assert "product_vat" in caught.value.details
    with pytest.raises(HiboutikNotFound):
        client.get_product(999_999)
    with pytest.raises(HiboutikNotFound):
        client.update_product(999_999, "product_model", "x")


@pytest.mark.parametrize("past_end", ["200", "404"])
def test_every_product_page_is_read_once(simulator_factory, past_end):
    sim = simulator_factory(page_past_end=past_end)
    sim.add_products(600)
    client = make_client(sim)
    ids = [product.product_id for product in client.iter_products()]
    assert len(ids) == len(set(ids)) > 600
    pages = -(-len(ids) // 250)
    # Link/Content-Range let the client stop on the last page without asking past it.
    assert sim.stats()["by_route"]["GET /products"] == pages


# --- images --------------------------------------------------------------------------------


def test_image_uploads_on_both_routes_are_listed(client):
    product_id = new_product(client)
    client.upload_product_image(product_id, png(), filename="mug.png", content_type="image/png")
    client.upload_product_image(
        product_id,
        png(1000, 1000),
        filename="mug-big.png",
        content_type="image/png",
        large=True,
        slot=2,
    )
    images = client.list_product_images(product_id)
    assert len(images) == 2
    assert all(image.url for image in images)
    assert len(client.get_product(product_id).images) == 2


def test_a_file_that_is_not_an_image_is_refused_before_any_call(simulator, client):
    product_id = new_product(client)
    calls = simulator.stats()["calls_this_month"]
    with pytest.raises(ValueError, match="JPEG or PNG"):
        client.upload_product_image(
            product_id, b"not an image", filename="x.png", content_type="image/png"
        )
    assert simulator.stats()["calls_this_month"] == calls


def test_another_image_format_is_sent_as_png(client):
    product_id = new_product(client)
    buffer = io.BytesIO()
    Image.new("RGB", (6, 4), (0, 90, 200)).save(buffer, format="GIF")
    client.upload_product_image(
        product_id, buffer.getvalue(), filename="logo.gif", content_type="image/gif"
    )
    (image,) = client.list_product_images(product_id)
    assert image.image_name.endswith(".png")
    assert (image.width, image.height) == (6, 4)


# --- stock ---------------------------------------------------------------------------------


def test_inventory_input_changes_stock_only_on_validation(client):
    warehouse_id = client.list_warehouses()[0].warehouse_id
    product_id = new_product(client)

    def stock() -> int:
        rows = [r for r in client.iter_stock(warehouse_id) if r.product_id == product_id]
        return sum(row.quantity for row in rows)

    before = stock()
    input_id = client.create_inventory_input(warehouse_id, label="Connect stock export")
    client.add_inventory_input_detail(input_id, product_id=product_id, quantity=7)
    client.add_inventory_input_detail(input_id, product_id=product_id, quantity=-2)
    assert stock() == before
    client.validate_inventory_input(input_id)
    assert stock() == before + 5
    with pytest.raises(HiboutikValidationError):
        client.validate_inventory_input(input_id)


def test_inventory_inputs_read_back_with_their_lines_and_state(client):
    warehouse_id = client.list_warehouses()[0].warehouse_id
    product_id = new_product(client)
    label = f"Connect stock {uuid.uuid4().hex[:6]}"
    older = client.create_inventory_input(warehouse_id, label="older")
    input_id = client.create_inventory_input(warehouse_id, label=label)
    client.add_inventory_input_detail(input_id, product_id=product_id, quantity=4)
    client.add_inventory_input_detail(input_id, product_id=product_id, quantity=-1)

    newest = next(client.iter_inventory_inputs())
    assert (newest.inventory_input_id, newest.label) == (input_id, label)
    assert newest.warehouse_id == warehouse_id and not newest.validated
    assert [
        (d.product_id, d.size_id, d.quantity) for d in client.list_inventory_input_details(input_id)
    ] == [
        (product_id, 0, 4),
        (product_id, 0, -1),
    ]
    assert client.list_inventory_input_details(older) == []
    client.validate_inventory_input(input_id)
    assert client.get_inventory_input(input_id).validated
    with pytest.raises(HiboutikNotFound):
        client.get_inventory_input(999_999)


@pytest.mark.parametrize("negative_inventory", ["accepted", "refused"])
def test_stock_changes_raise_and_lower_stock_or_say_they_cannot(
    simulator_factory, negative_inventory
):
    sim = simulator_factory(negative_inventory=negative_inventory)
    client = make_client(sim)
    # Product 4 (a cap) and product 1 size 2 (a T-shirt M) have 20 and 12 in warehouse 1.
    changes = [StockChange(4, 5), StockChange(1, -2, size_id=2)]
    push = client.push_stock_changes(1, changes, label="Connect", read_back=True)
    after = {(level.product_id, level.size_id): level.quantity for level in push.stock_after}
    assert push.inventory_input_id is not None
    if negative_inventory == "accepted":
        assert (push.applied, push.refused) == (tuple(changes), ())
        assert (after[(4, 0)], after[(1, 2)]) == (25, 10)
    else:
        assert (push.applied, push.refused) == ((changes[0],), (changes[1],))
        assert (after[(4, 0)], after[(1, 2)]) == (25, 12)
    assert all(level.warehouse_id == 1 for level in push.stock_after)
    # Knowing the account refuses them, a caller sends no decrease at all.
    again = client.push_stock_changes(1, changes[1:], decreases_allowed=False)
    assert again == StockPush(None, refused=(changes[1],))


def test_stock_rows_of_a_warehouse(client):
    warehouse_id = client.list_warehouses()[0].warehouse_id
    rows = list(client.iter_stock(warehouse_id))
    assert rows
    assert all(row.warehouse_id == warehouse_id for row in rows)
    with pytest.raises(HiboutikNotFound):
        list(client.iter_stock(999))


@pytest.mark.parametrize("page_param", ["honoured", "ignored"])
def test_a_whole_warehouse_is_read_once_whether_or_not_p_is_honoured(simulator_factory, page_param):
    sim = simulator_factory(page_param=page_param)
    sim.add_products(600)
    client = make_client(sim)
    keys = [(row.product_id, row.size_id) for row in client.iter_stock(1)]
    with sim.lock:
        expected = {
            (product["product_id"], int(size))
            for product in sim.state.tables["products"].values()
            for size in (product["size_barcodes"] or {"0": ""})
        }
    assert len(keys) == len(set(keys))
    assert set(keys) == expected
    calls = sim.stats()["by_route"]["GET /stock_available/warehouse_id/{warehouse_id}"]
    # Ignoring p, the simulator sends every row at once: one call, not an endless loop.
    assert calls == (1 if page_param == "ignored" else -(-len(expected) // 250))


def test_inventory_detail_for_an_unknown_product(client):
    input_id = client.create_inventory_input(client.list_warehouses()[0].warehouse_id)
    with pytest.raises((HiboutikNotFound, HiboutikValidationError)):
        client.add_inventory_input_detail(input_id, product_id=999_999, quantity=1)


# --- customers -----------------------------------------------------------------------------


def test_customer_create_read_search_update(client):
    email = f"lea.{uuid.uuid4().hex[:6]}@example.test"
    customer_id = client.create_customer(
        NewCustomer(first_name="Léa", last_name="Martin", email=email, country="FR")
    )
    customer = client.get_customer(customer_id)
    assert (customer.first_name, customer.last_name, customer.email) == ("Léa", "Martin", email)
    assert [c.customer_id for c in client.search_customers_by_email(email)] == [customer_id]
    assert client.search_customers_by_email("nobody@example.test") == []

    client.update_customer(customer_id, "phone", "0600000000")
    assert client.get_customer(customer_id).phone == "0600000000"
    with pytest.raises(HiboutikNotFound):
        client.get_customer(999_999)


# --- sales ---------------------------------------------------------------------------------


@pytest.mark.parametrize("store_index", [0, 1], ids=["Paris", "Réunion, day from 04:00"])
def test_closed_sales_of_the_day_and_sale_detail(simulator, client, store_index):
    store = client.list_stores()[store_index]
    product_id = new_product(client, price=Decimal("20.00"))
    input_id = client.create_inventory_input(store.warehouse_id)
    client.add_inventory_input_detail(input_id, product_id=product_id, quantity=5)
    client.validate_inventory_input(input_id)

    rung = control(
        simulator,
        "sales",
        {
            "store_id": store.store_id,
            "customer_id": 0,
            "payment": "CB",
            "lines": [{"product_id": product_id, "quantity": 2, "price": "20.00"}],
            "completed_at": "2026-03-15 02:30:00",
        },
    )
    rung = rung[0] if isinstance(rung, list) else rung
    sale_id = rung["sale_id"]
    sale = client.get_sale(sale_id)
    # The list of a day is of the fiscal day: before a 04:00 day start, the day before.
    expected_day = date(2026, 3, 14) if store.day_start == time(4) else date(2026, 3, 15)
    assert sale.fiscal_day == expected_day
    assert sale.completed_at == datetime(2026, 3, 15, 2, 30)

    summaries = {s.sale_id: s for s in client.iter_closed_sales(store.store_id, expected_day)}
    assert summaries[sale_id].total == Decimal("40.00")
    assert sale_id not in {
        s.sale_id for s in client.iter_closed_sales(store.store_id, expected_day + timedelta(1))
    }

    assert sale.is_closed
    assert sale.payment == "CB"
    (line,) = sale.lines
    assert (line.product_id, line.quantity, line.unit_price) == (product_id, 2, Decimal(20))
    assert sale.total_gross == Decimal("40.00")
    assert sum(tax.total_gross for tax in sale.taxes) == Decimal("40.00")
    with pytest.raises(HiboutikNotFound):
        client.get_sale(999_999)


def test_payments_added_after_closing_are_read_back(simulator, client):
    def split_sale(**extra) -> int:
        rung = control(
            simulator,
            "sales",
            {
                "store_id": 1,
                "payment": "DIV",
                "payments": [{"payment_type": "ESP", "amount": "10.00"}],
                "lines": [{"product_id": 4, "quantity": 1}],
                **extra,
            },
        )
        return rung["sale_id"]

    today = split_sale()
    control(simulator, "payments", {"sale_id": today, "payment_type": "CB", "amount": "12.00"})
    control(simulator, "payments", {"sale_id": today, "payment_type": "ESP", "amount": "-2.50"})
    sale = client.get_sale(today)
    assert [(p.payment_type, p.amount) for p in sale.payment_details] == [
        ("ESP", Decimal(10)),
        ("CB", Decimal(12)),
        ("ESP", Decimal("-2.50")),
    ]
    assert (sale.payment_total, sale.balance, sale.cash_flow) == (Decimal("19.5"), 0, ())

    last_month = split_sale(completed_at="2026-01-10 12:00:00")
    control(simulator, "payments", {"sale_id": last_month, "payment_type": "CB", "amount": "9.50"})
    sale = client.get_sale(last_month)
    ((flow,),) = (sale.cash_flow,)
    assert (flow.payment_type, flow.amount, flow.currency) == ("CB", Decimal("9.50"), "EUR")
    assert (sale.payment_total, sale.balance) == (Decimal("19.50"), 0)


@pytest.mark.parametrize("exchange_mode", ["credit-note", "return-lines"])
def test_an_exchange_is_seen_whichever_way_the_till_records_it(
    simulator_factory, receiver, exchange_mode
):
    sim = simulator_factory(exchange_mode=exchange_mode)
    client = make_client(sim)
    url, bodies = receiver
    client.create_webhook(url=url, label="Connect")
    original = control(
        sim,
        "sales",
        {
            "store_id": 1,
            "customer_id": 2,
            "payment": "CB",
            "lines": [{"product_id": 4, "quantity": 2}],
        },
    )
    line_id = original["line_items"][0]["line_item_id"]
    control(
        sim,
        "exchanges",
        {"sale_id": original["sale_id"], "line_item_id": line_id, "quantity": 2, "stock_id": 1},
    )
    # What arrives by webhook after the sale itself, parsed as the import will parse it.
    after = [sale_from_payload(parse_php_form_body(body)) for _, body in bodies[1:]]
    given_back = [item for sale in after for item in sale.given_back]
    assert [(g.line_item_id, g.quantity) for g in given_back] == [(line_id, 2)]
    (item,) = given_back
    assert item.date_return is not None
    if exchange_mode == "credit-note":
        # The original sale comes again, its line marked; a credit note waits to be spent.
        assert item.original_sale_id == original["sale_id"]
        (note,) = client.list_credit_notes(1)
        assert (note.credit_note_id, note.amount, note.customer_id) == (
            item.credit_note_id,
            Decimal("39.00"),
            2,
        )
        assert client.get_sale(original["sale_id"]).given_back == (item,)
    else:
        # A new return sale points at the original line; no credit note is pending.
        assert item.original_sale_id is None
        assert client.list_credit_notes(1) == []


# --- webhooks ------------------------------------------------------------------------------


def test_webhook_create_list_delete(client):
    webhook_id = client.create_webhook(url="https://connect.example/hooks/abc", label="Connect")
    (hook,) = [w for w in client.list_webhooks() if w.webhook_id == webhook_id]
    assert (hook.url, hook.action, hook.app_id) == (
        "https://connect.example/hooks/abc",
        "sale",
        "connect",
    )
    client.delete_webhook(webhook_id)
    assert webhook_id not in {w.webhook_id for w in client.list_webhooks()}


class Receiver(BaseHTTPRequestHandler):
    """Keeps every body posted to it and answers like the official plugins do."""

    bodies: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length", 0))
        type(self).bodies.append((self.headers.get("Content-Type", ""), self.rfile.read(length)))
        answer = json.dumps({"alerte": '<div class="alert alert-success">OK</div>'}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args) -> None:
        pass


@pytest.fixture
def receiver():
    handler = type("TestReceiver", (Receiver,), {"bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook", handler.bodies
    server.shutdown()
    server.server_close()


def test_sale_webhook_body_maps_to_the_same_sale_as_the_api(simulator, client, receiver):
    url, bodies = receiver
    client.create_webhook(url=url, label="Connect")
    store = client.list_stores()[0]
    sized = next(p for p in client.iter_products() if p.sizes and p.stock_managed)
    plain = next(p for p in client.iter_products() if not p.sizes and p.stock_managed)
    lines = [
        {"product_id": sized.product_id, "size_id": sized.sizes[0].size_id, "quantity": 1},
        {"product_id": plain.product_id, "quantity": 2, "price": "9.90"},
    ]
    rung = control(
        simulator,
        "sales",
        {
            "store_id": store.store_id,
            "customer_id": 0,
            "payment": "DIV",
            "payments": [{"payment_type": "ESP", "amount": "5.00"}],
            "lines": lines,
        },
    )
    rung = rung[0] if isinstance(rung, list) else rung

    ((content_type, body),) = bodies
    assert content_type.startswith("application/x-www-form-urlencoded")
    from_webhook = sale_from_payload(parse_php_form_body(body))
    from_api = client.get_sale(rung["sale_id"])
    assert from_webhook == from_api
    assert len(from_api.lines) == 2
    assert from_api.lines[0].size_id == sized.sizes[0].size_id
    assert from_api.payment_details[0].amount == Decimal("5.00")


# --- authentication, ledger, concurrency ---------------------------------------------------


def test_bad_credentials_and_missing_rights(simulator):
    with pytest.raises(HiboutikAuthError) as caught:
        make_client(simulator, api_key="WRONGKEY").list_taxes()
    assert caught.value.status == 401
    readonly = make_client(simulator, user="readonly@connect.test", api_key="READONLYKEY")
    assert readonly.list_taxes()
    with pytest.raises(HiboutikAuthError) as caught:
        readonly.list_webhooks()
    assert caught.value.status == 403


def test_ledger_matches_the_simulator_count(simulator):
    ledger = InMemoryCallLedger()
    client = make_client(simulator, ledger=ledger)
    client.list_taxes()
    product_id = new_product(client)
    client.get_product(product_id)
    client.search_products_by_barcode("0000000000000")
    with pytest.raises(HiboutikNotFound):
        client.get_customer(999_999)
    assert ledger.count(client.ledger_key) == simulator.stats()["calls_this_month"] == 5


def test_concurrency_cap_seen_from_the_server(simulator_factory):
    sim = simulator_factory(latency_ms=40)
    key = f"demo-{uuid.uuid4()}"
    clients = [make_client(sim, ledger_key=key, max_concurrency=3) for _ in range(2)]
    threads = [threading.Thread(target=clients[i % 2].list_taxes) for i in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    stats = sim.stats()
    assert stats["by_route"]["GET /taxes"] == 12
    assert stats["max_in_flight"] == 3
