"""The sale webhook as a receiver sees it: form-encoded with PHP bracket keys, every value a
string, empty lists as empty strings (hiboutik-api.md §11.2–11.3)."""

from __future__ import annotations

import threading
import time
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from hiboutik.simulator.webhooks import LOST
from tests.hiboutik.simulator.conftest import Api, Receiver, register_sale_webhook


def test_closed_sale_arrives_as_hiboutik_form_body(api: Api, receiver: Receiver) -> None:
    register_sale_webhook(api, receiver.url)
    sale = api.sale(
        store_id=1,
        customer_id=1,
        payment="CB",
        lines=[
            {"product_id": 1, "size_id": 2, "quantity": 1, "price": "25.00"},
            {"product_id": 6, "quantity": 2},
        ],
    )

    assert len(receiver.bodies) == 1
    assert receiver.content_types[0] == "application/x-www-form-urlencoded"
    # Brackets are percent-encoded on the wire, as PHP's http_build_query sends them.
    assert b"line_items%5B0%5D%5Bproduct_id%5D=1" in receiver.bodies[0]
    form = receiver.forms()[0]
    sale_id = str(sale["sale_id"])
    # Legacy callback keys next to the current ones.
    assert form["order_id"] == sale_id and form["sale_id"] == sale_id
    assert form["unique_order_id"] == form["unique_sale_id"] == sale["unique_sale_id"]
    assert form["shop_id"] == form["store_id"] == "1"
    assert form["user_id"] == form["vendor_id"] == "1"
    assert form["date_time"] == form["completed_at"] == sale["completed_at"]
    assert form["customer_id"] == "1"
    assert form["payment"] == "CB"
    assert form["currency"] == "EUR"
    assert form["prices_without_taxes"] == "0"
    assert form["sale_ext_ref"] == ""
    assert form["total"] == "73.00"
    # Lines: ids and amounts as strings formatted like the JSON API.
    assert form["line_items[0][product_id]"] == "1"
    assert form["line_items[0][product_size]"] == "2"
    assert form["line_items[0][quantity]"] == "1"
    assert form["line_items[0][product_price]"] == "25.00"
    assert form["line_items[0][vat]"] == "0.200"
    assert form["line_items[0][product_barcode]"] == "2430020000014"
    assert form["line_items[0][product_model]"] == "T-shirt coton bio"
    assert form["line_items[0][tags]"] == ""  # empty list → empty string
    assert form["line_items[0][modifiers]"] == ""
    assert form["line_items[1][product_id]"] == "6"
    assert form["line_items[1][vat]"] == "0.055"
    # Nested lists several levels deep.
    assert form["line_items[0][stock_available][0][warehouse_id]"] == "1"
    assert form["line_items[0][stock_available][1][warehouse_id]"] == "2"
    assert form["sale_tags"] == ""
    # Totals and the per-rate tax blocks.
    assert form["sale_total_gross"] == "73.00"
    assert form["taxes[0][tax_value]"] == "0.200"
    assert form["taxes[0][total_gross]"] == "25.00"
    assert form["taxes[0][total_net]"] == "20.83"
    assert form["taxes[0][total_vat]"] == "4.17"
    assert form["taxes[1][tax_value]"] == "0.055"
    assert form["taxes[1][total_gross]"] == "48.00"
    # Webhook-only extras.
    assert form["store_address[city]"] == "Paris"
    assert form["hiboutik_version"]
    # As captured in real bodies: a date, a numeric status, an empty invoice id.
    assert form["current_date"] == sale["completed_at"][:10]
    assert form["account_status"] == "0"
    assert form["invoice_id"] == ""
    assert receiver.user_agents == ["HiboutikCallBack"]
    assert "payment_details[0][payment_type]" not in form  # only for DIV sales
    # Every key/value of the JSON sale is in the form, as a string.
    assert Decimal(form["sale_total_net"]) + Decimal(form["sale_total_tax"]) == Decimal("73.00")


def test_receiver_status_and_alerte_are_recorded(api: Api, receiver: Receiver) -> None:
    webhook_id = register_sale_webhook(api, receiver.url)
    sale = api.sale(store_id=1, payment="ESP", lines=[{"product_id": 4, "quantity": 1}])

    deliveries = api.sim_get("/stats").json()["webhook_deliveries"]
    assert deliveries == [
        {
            "webhook_id": webhook_id,
            "url": receiver.url,
            "action": "sale",
            "sale_id": sale["sale_id"],
            "status": 200,
            "alerte": receiver.alerte,
            "error": None,
            "at": deliveries[0]["at"],
        }
    ]


def test_two_hundred_line_sale_arrives_whole(api: Api, receiver: Receiver) -> None:
    register_sale_webhook(api, receiver.url)
    api.sim_post("/seed", json={"products": 200})
    first_bulk = 8  # the demo account has 7 products
    lines = [{"product_id": first_bulk + n, "quantity": 1 + n % 3} for n in range(200)]
    sale = api.sale(store_id=2, payment="CB", lines=lines)

    form = receiver.forms()[0]
    for n in range(200):
        assert form[f"line_items[{n}][product_id]"] == str(first_bulk + n)
        assert form[f"line_items[{n}][quantity]"] == str(1 + n % 3)
    assert "line_items[200][product_id]" not in form
    # As in the captured 2021 sale (2 for lines of 1 and 3 units), it counts lines.
    assert form["sale_total_quantity"] == "200"
    assert form["total"] == sale["total"]


def test_split_payment_sends_payment_details(api: Api, receiver: Receiver) -> None:
    register_sale_webhook(api, receiver.url)
    api.sale(
        store_id=1,
        payment="DIV",
        payments=[
            {"payment_type": "ESP", "amount": "10.00"},
            {"payment_type": "CB", "amount": "9.50"},
        ],
        lines=[{"product_id": 4, "quantity": 1}],
    )
    form = receiver.forms()[0]
    assert form["payment"] == "DIV"
    assert form["payment_details[0][payment_type]"] == "ESP"
    assert form["payment_details[0][payment_amount]"] == "10.00"
    assert form["payment_details[1][payment_type]"] == "CB"
    assert form["balance"] == "0.00"


def test_unreachable_receiver_is_recorded_and_the_sale_still_closes(api: Api) -> None:
    register_sale_webhook(api, "http://127.0.0.1:9/unreachable")
    sale = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])

    delivery = api.sim_get("/stats").json()["webhook_deliveries"][0]
    assert delivery["status"] is None
    assert delivery["alerte"] is None
    assert "ConnectionError" in delivery["error"]
    assert api.get(f"/sales/{sale['sale_id']}").status_code == 200


def test_lost_webhooks_are_never_sent_and_recorded_as_lost(api: Api, receiver: Receiver) -> None:
    register_sale_webhook(api, receiver.url)
    assert api.sim_post("/faults", json={"lose_webhooks": 2}).json()["lose_webhooks"] == 2
    sales = [
        api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
        for _ in range(3)
    ]

    # The next two are lost, the third is sent: the count goes back to 0 by itself.
    assert [form["sale_id"] for form in receiver.forms()] == [str(sales[2]["sale_id"])]
    deliveries = api.sim_get("/stats").json()["webhook_deliveries"]
    assert [d["error"] for d in deliveries] == [LOST, LOST, None]
    assert api.sim_get("/faults").json()["lose_webhooks"] == 0
    # The cashier's callback icon still sends a lost one.
    api.sim_post("/webhooks/resend", json={"sale_id": sales[0]["sale_id"]})
    assert len(receiver.bodies) == 2

    api.sim_post("/faults", json={"webhook_loss_rate": 1})
    api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    assert len(receiver.bodies) == 2


def test_error_status_from_receiver_is_recorded(api: Api, receiver: Receiver) -> None:
    receiver.status = 500
    register_sale_webhook(api, receiver.url)
    api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    assert api.sim_get("/stats").json()["webhook_deliveries"][0]["status"] == 500


def test_resend_delivers_the_same_sale_again(api: Api, receiver: Receiver) -> None:
    register_sale_webhook(api, receiver.url)
    sale = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])

    response = api.sim_post("/webhooks/resend", json={"sale_id": sale["sale_id"]})

    assert response.status_code == 200
    assert [d["status"] for d in response.json()["webhook_deliveries"]] == [200]
    first, second = receiver.forms()
    assert first == {**second, "current_date": first["current_date"]}
    assert api.sim_post("/webhooks/resend", json={"sale_id": 999}).status_code == 404
    assert api.sim_post("/webhooks/resend", json={}).status_code == 422


def test_only_sale_webhooks_fire_and_deleted_ones_stop(api: Api, receiver: Receiver) -> None:
    webhook_id = register_sale_webhook(api, receiver.url)
    api.post(
        "/webhooks",
        data={"webhook_label": "p", "webhook_url": receiver.url, "webhook_action": "product"},
    )
    api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    assert len(receiver.bodies) == 1

    assert api.delete(f"/webhooks/{webhook_id}").status_code == 200
    api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    assert len(receiver.bodies) == 1


def test_receiver_may_call_the_api_back_before_answering(simulator_factory, receiver) -> None:
    """Delivery happens outside the state lock: a receiver that re-reads the sale (as
    Connect does) gets its answer instead of dead-locking the simulator."""
    sim = simulator_factory(webhook_timeout=5)
    api = Api(sim)
    seen: list[int] = []

    class CallingBack(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            sale_id = dict(p.split("=", 1) for p in body.decode().split("&"))["sale_id"]
            seen.append(api.get(f"/sales/{sale_id}").status_code)
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), CallingBack)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    try:
        register_sale_webhook(api, f"http://127.0.0.1:{server.server_address[1]}/")
        api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    finally:
        server.shutdown()
        server.server_close()
    assert seen == [200]
    assert api.sim_get("/stats").json()["webhook_deliveries"][0]["status"] == 200


def test_exchange_and_refund_fire_the_sale_webhook_with_return_links(
    simulator_factory, receiver: Receiver
) -> None:
    api = Api(simulator_factory(exchange_mode="return-lines"))
    original = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    register_sale_webhook(api, receiver.url)
    line_id = original["line_items"][0]["line_item_id"]

    api.sim_post(
        "/exchanges",
        json={
            "sale_id": original["sale_id"],
            "line_item_id": line_id,
            "quantity": 1,
            "stock_id": 1,
        },
    )
    api.sim_post("/refunds", json={"store_id": 1, "lines": [{"product_id": 5, "quantity": 1}]})

    exchange, refund = receiver.forms()
    assert exchange["line_items[0][line_item_id_return]"] == str(line_id)
    assert exchange["line_items[0][credit_note]"] == "1"
    assert exchange["line_items[0][quantity]"] == "1"
    assert exchange["line_items[0][product_price]"] == "-19.50"
    assert exchange["total"] == "-19.50"
    assert refund["line_items[0][line_item_id_return]"] == "0"
    assert refund["total"] == "-12.00"


def test_async_webhooks_are_delivered_in_the_background(api: Api, receiver: Receiver) -> None:
    register_sale_webhook(api, receiver.url, webhook_async=1)
    api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    deadline = time.monotonic() + 5
    while not api.sim_get("/stats").json()["webhook_deliveries"] and time.monotonic() < deadline:
        time.sleep(0.02)
    assert api.sim_get("/stats").json()["webhook_deliveries"][0]["status"] == 200
    assert len(receiver.bodies) == 1
