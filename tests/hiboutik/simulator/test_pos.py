"""POS actions: ringing up sales, exchanges (return sales) and refunds."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.hiboutik.simulator.conftest import Api, Receiver, register_sale_webhook


@pytest.fixture
def return_lines(simulator_factory) -> Api:
    """The demo account with --exchange-mode return-lines."""
    return Api(simulator_factory(exchange_mode="return-lines"))


def stock(api: Api, product_id: int, warehouse_id: int, size_id: int = 0) -> int:
    rows = api.get(f"/stock_available/product_id_size/{product_id}/{size_id}").json()
    return next(r["stock_available"] for r in rows if r["warehouse_id"] == warehouse_id)


def test_sale_takes_stock_from_the_store_warehouse_and_is_readable(api: Api) -> None:
    sale = api.sale(
        store_id=2,
        customer_id=1,
        payment="ESP",
        sale_ext_ref="CONNECT-ORDER-000000000012345",
        lines=[
            {"barcode": "2430030000011", "quantity": 2},
            {"product_id": 4, "quantity": 1, "price": "15.00"},
        ],
    )
    assert stock(api, 1, 2, 3) == 10 and stock(api, 1, 1, 3) == 12
    assert stock(api, 4, 2) == 19
    assert api.get(f"/sales/{sale['sale_id']}").json() == [sale]
    # As in a real 2021 sale read, the lines carry no stock (the webhook's do).
    assert all("stock_available" not in line for line in sale["line_items"])
    assert sale["store_id"] == 2 and sale["warehouse_id"] == 2
    assert sale["sale_ext_ref"] == "CONNECT-ORDER-00000000001"  # cut to 25
    first, second = sale["line_items"]
    assert (first["product_id"], first["product_size"], first["size_name"]) == (1, 3, "L")
    assert first["product_price"] == "25.00"
    assert second["product_price"] == "15.00"
    assert second["discount"] == "4.50"  # catalogue 19.50 − 15.00
    assert sale["total"] == "65.00"
    assert "payment_details" not in sale and "balance" not in sale
    assert sale["completed_at"] > sale["created_at"]


def test_split_payment_has_details_and_balance(api: Api) -> None:
    sale = api.sale(
        store_id=1,
        payment="DIV",
        payments=[{"payment_type": "ESP", "amount": "20"}, {"payment_type": "CHE", "amount": 10}],
        lines=[{"product_id": 2, "size_id": 1, "quantity": 1}],
    )
    assert [(p["payment_type"], p["payment_amount"]) for p in sale["payment_details"]] == [
        ("ESP", "20.00"),
        ("CHE", "10.00"),
    ]
    assert all(isinstance(p["payment_detail_id"], int) for p in sale["payment_details"])
    assert (sale["payment_total"], sale["balance"]) == ("30.00", "29.90")


def test_a_single_payment_sale_is_paid_in_full(api: Api) -> None:
    sale = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    assert sale["payment_total"] == sale["total"] == "19.50"
    assert "balance" not in sale and "cash_flow" not in sale


def test_payments_added_to_a_closed_split_sale_resend_its_webhook(
    api: Api, receiver: Receiver
) -> None:
    register_sale_webhook(api, receiver.url)
    sale = api.sale(
        store_id=1,
        payment="DIV",
        payments=[{"payment_type": "ESP", "amount": "10"}],
        lines=[{"product_id": 4, "quantity": 1}],
    )
    paid = api.sim_post(
        "/payments", json={"sale_id": sale["sale_id"], "payment_type": "CB", "amount": "12.00"}
    )
    assert paid.status_code == 201, paid.text
    refund = api.sim_post(
        "/payments", json={"sale_id": sale["sale_id"], "payment_type": "ESP", "amount": "-2.50"}
    )
    after = refund.json()
    assert [(p["payment_type"], p["payment_amount"]) for p in after["payment_details"]] == [
        ("ESP", "10.00"),
        ("CB", "12.00"),
        ("ESP", "-2.50"),
    ]
    assert (after["payment_total"], after["balance"]) == ("19.50", "0.00")
    assert api.get(f"/sales/{sale['sale_id']}").json() == [after]
    assert len(receiver.bodies) == 3  # closed, then once per payment
    assert receiver.forms()[-1]["payment_details[2][payment_amount]"] == "-2.50"


def test_a_payment_after_the_day_is_over_is_a_cash_flow(api: Api) -> None:
    sale = api.sale(
        store_id=1,
        payment="DIV",
        payments=[{"payment_type": "ESP", "amount": "5"}],
        lines=[{"product_id": 4, "quantity": 1}],
        completed_at="2026-01-10 12:00:00",
    )
    response = api.sim_post(
        "/payments", json={"sale_id": sale["sale_id"], "payment_type": "CB", "amount": "14.50"}
    )
    after = response.json()
    assert len(after["payment_details"]) == 1
    (flow,) = after["cash_flow"]
    assert (flow["payment_type"], flow["payment_amount"], flow["store_id"]) == ("CB", "14.50", 1)
    assert flow["datez"] > after["date_z"]
    assert (after["payment_total"], after["balance"]) == ("19.50", "0.00")


def test_payments_go_to_split_sales_with_known_payment_types_only(api: Api) -> None:
    single = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    refused = api.sim_post(
        "/payments", json={"sale_id": single["sale_id"], "payment_type": "CB", "amount": "1"}
    )
    assert refused.status_code == 422
    split = api.sale(
        store_id=1,
        payment="DIV",
        payments=[{"payment_type": "ESP", "amount": "5"}],
        lines=[{"product_id": 4, "quantity": 1}],
    )
    unknown = api.sim_post(
        "/payments", json={"sale_id": split["sale_id"], "payment_type": "BTC", "amount": "1"}
    )
    assert unknown.status_code == 404
    zero = api.sim_post(
        "/payments", json={"sale_id": split["sale_id"], "payment_type": "CB", "amount": "0"}
    )
    assert zero.status_code == 422
    assert (
        api.sim_post(
            "/payments", json={"sale_id": 999, "payment_type": "CB", "amount": "1"}
        ).status_code
        == 404
    )


def test_unknown_payment_type_is_404_please_provide_a_valid_payment(api: Api) -> None:
    for body in (
        {"payment": "BTC"},
        {"payment": "DIV", "payments": [{"payment_type": "BTC", "amount": "1"}]},
    ):
        response = api.sim_post(
            "/sales", json={"store_id": 1, "lines": [{"product_id": 4, "quantity": 1}], **body}
        )
        assert response.status_code == 404
        assert response.json()["details"] == {"sale_id": "Please provide a valid payment"}
    assert stock(api, 4, 1) == 20


def test_bad_sales_are_refused_with_details_and_change_nothing(api: Api) -> None:
    def post(body: dict) -> dict:
        return api.sim_post("/sales", json=body)

    missing = post({"payment": "CB"})
    assert missing.status_code == 422
    assert set(missing.json()["details"]) == {"store_id", "lines"}
    lines = post(
        {
            "store_id": 1,
            "payment": "CB",
            "lines": [
                {"product_id": 4, "quantity": -1},
                {"product_id": 1, "quantity": 1},
                {"quantity": 1},
                {"product_id": 4, "quantity": "two"},
            ],
        }
    )
    assert lines.status_code == 422
    assert set(lines.json()["details"]) == {
        "lines[0][quantity]",
        "lines[1][size_id]",
        "lines[2][product_id]",
        "lines[3][quantity]",
    }
    assert (
        post(
            {"store_id": 1, "payment": "CB", "lines": [{"product_id": 999, "quantity": 1}]}
        ).status_code
        == 404
    )
    assert (
        post(
            {"store_id": 1, "payment": "CB", "lines": [{"barcode": "999", "quantity": 1}]}
        ).status_code
        == 404
    )
    assert (
        post(
            {"store_id": 9, "payment": "CB", "lines": [{"product_id": 4, "quantity": 1}]}
        ).status_code
        == 404
    )
    assert (
        post(
            {
                "store_id": 1,
                "customer_id": 99,
                "payment": "CB",
                "lines": [{"product_id": 4, "quantity": 1}],
            }
        ).status_code
        == 404
    )
    assert post({"store_id": 1, "payment": "CB", "lines": []}).status_code == 422
    assert (
        post(
            {"store_id": 1, "payment": "DIV", "lines": [{"product_id": 4, "quantity": 1}]}
        ).status_code
        == 422
    )
    assert (
        post(
            {
                "store_id": 1,
                "payment": "CB",
                "completed_at": "yesterday",
                "lines": [{"product_id": 4, "quantity": 1}],
            }
        ).status_code
        == 422
    )
    assert api.get("/sales/1").status_code == 404  # no sale was stored
    assert stock(api, 4, 1) == 20


def test_exchange_makes_a_return_sale_linked_to_the_original_line(return_lines: Api) -> None:
    api = return_lines
    original = api.sale(
        store_id=1,
        customer_id=2,
        payment="CB",
        lines=[{"product_id": 1, "size_id": 2, "quantity": 2}],
    )
    line = original["line_items"][0]
    assert stock(api, 1, 1, 2) == 10

    response = api.sim_post(
        "/exchanges",
        json={
            "sale_id": original["sale_id"],
            "line_item_id": line["line_item_id"],
            "quantity": 1,
            "stock_id": 1,
            "lines": [{"product_id": 1, "size_id": 3, "quantity": 1}],
        },
    )

    assert response.status_code == 201
    exchange = response.json()
    returned, replacement = exchange["line_items"]
    assert returned["line_item_id_return"] == line["line_item_id"]
    assert returned["credit_note"] == 1 and returned["credit_note_id"] > 0
    assert returned["quantity"] == 1
    assert returned["product_price"] == "-25.00"
    assert returned["date_return"] == exchange["completed_at"]
    assert (replacement["product_size"], replacement["credit_note"]) == (3, 0)
    assert replacement["line_item_id_return"] == 0
    assert exchange["customer_id"] == 2 and exchange["store_id"] == 1
    assert exchange["total"] == "0.00"
    assert stock(api, 1, 1, 2) == 11  # returned size back in stock
    assert stock(api, 1, 1, 3) == 11  # replacement size out


def test_exchange_without_stock_id_puts_nothing_back(return_lines: Api) -> None:
    api = return_lines
    original = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 1}])
    response = api.sim_post(
        "/exchanges",
        json={
            "sale_id": original["sale_id"],
            "line_item_id": original["line_items"][0]["line_item_id"],
            "quantity": 1,
            "stock_id": 0,
            "payment": "ESP",
        },
    )
    assert response.status_code == 201
    assert response.json()["total"] == "-19.50"
    assert response.json()["line_items"][0]["stock_withdrawal"] == 0
    assert stock(api, 4, 1) == 19


def test_exchange_refuses_returning_more_than_was_sold(return_lines: Api) -> None:
    api = return_lines
    original = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 2}])
    line_id = original["line_items"][0]["line_item_id"]
    body = {"sale_id": original["sale_id"], "line_item_id": line_id, "stock_id": 1}
    assert api.sim_post("/exchanges", json={**body, "quantity": 1}).status_code == 201
    too_many = api.sim_post("/exchanges", json={**body, "quantity": 2})
    assert too_many.status_code == 422
    assert "quantity" in too_many.json()["details"]
    assert (
        api.sim_post("/exchanges", json={**body, "sale_id": 999, "quantity": 1}).status_code == 404
    )
    assert (
        api.sim_post("/exchanges", json={**body, "line_item_id": 999, "quantity": 1}).status_code
        == 404
    )
    assert (
        api.sim_post("/exchanges", json={**body, "stock_id": 9, "quantity": 1}).status_code == 404
    )
    assert stock(api, 4, 1) == 19


def test_refund_is_a_negative_sale_without_return_links(api: Api) -> None:
    response = api.sim_post(
        "/refunds",
        json={
            "store_id": 1,
            "lines": [
                {"product_id": 4, "quantity": 1},
                {"product_id": 5, "quantity": 2, "price": "10.00"},
            ],
        },
    )
    assert response.status_code == 201
    refund = response.json()
    assert refund["total"] == "-39.50"
    assert Decimal(refund["sale_total_net"]) < 0
    assert all(
        li["line_item_id_return"] == 0 and li["credit_note"] == 0 for li in refund["line_items"]
    )
    assert all(li["quantity"] > 0 for li in refund["line_items"])
    assert refund["payment"] == "ESP"
    assert stock(api, 4, 1) == 20  # no stock movement


def test_exchange_turns_the_whole_line_into_a_credit_note(api: Api, receiver: Receiver) -> None:
    register_sale_webhook(api, receiver.url)
    original = api.sale(
        store_id=1,
        customer_id=2,
        payment="CB",
        lines=[{"product_id": 1, "size_id": 2, "quantity": 2}, {"product_id": 4, "quantity": 1}],
    )
    line = original["line_items"][0]
    response = api.sim_post(
        "/exchanges",
        json={
            "sale_id": original["sale_id"],
            "line_item_id": line["line_item_id"],
            "stock_id": 1,
            "lines": [{"product_id": 2, "size_id": 1, "quantity": 1}],
            "payment": "ESP",
        },
    )
    assert response.status_code == 201, response.text
    result = response.json()
    note, marked, replacement = result["credit_note"], result["sale"], result["replacement"]
    # The original sale keeps its line, marked as returned for a credit note of its total.
    exchanged = marked["line_items"][0]
    assert (exchanged["credit_note"], exchanged["credit_note_id"]) == (1, note["credit_note_id"])
    assert exchanged["date_return"] == replacement["completed_at"]
    assert exchanged["line_item_id_return"] == 0
    assert marked["line_items"][1]["credit_note"] == 0
    assert api.get(f"/sales/{original['sale_id']}").json() == [marked]
    assert (note["amount"], note["sale_id"], note["customer_id"]) == (
        "50.00",
        original["sale_id"],
        2,
    )
    # The shirt (59.90) is paid by the 50.00 credit note and 9.90 in cash.
    assert replacement["customer_id"] == 2 and replacement["payment"] == "DIV"
    assert [(p["payment_type"], p["payment_amount"]) for p in replacement["payment_details"]] == [
        ("AVOIR", "50.00"),
        ("ESP", "9.90"),
    ]
    assert replacement["balance"] == "0.00"
    assert stock(api, 1, 1, 2) == 12  # both T-shirts back
    assert stock(api, 2, 1, 1) == 4  # the shirt out
    # Spent: no longer pending. The original sale was sent again, then the new one.
    assert api.get("/credit_notes/1").json() == []
    forms = receiver.forms()
    assert [f["sale_id"] for f in forms] == [str(original["sale_id"])] * 2 + [
        str(replacement["sale_id"])
    ]
    assert forms[1]["line_items[0][credit_note]"] == "1"


def test_a_credit_note_without_replacement_stays_pending(api: Api) -> None:
    original = api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 2}])
    body = {
        "sale_id": original["sale_id"],
        "line_item_id": original["line_items"][0]["line_item_id"],
    }
    partial = api.sim_post("/exchanges", json={**body, "quantity": 1})
    assert partial.status_code == 422  # the whole line or nothing
    response = api.sim_post("/exchanges", json=body)
    assert response.status_code == 201
    assert response.json()["replacement"] is None
    (pending,) = api.get("/credit_notes/1").json()
    assert pending["amount"] == "39.00"
    assert stock(api, 4, 1) == 18  # stock_id 0: nothing back
    assert api.sim_post("/exchanges", json=body).status_code == 422  # already exchanged
