"""Credit notes through the API: the till's exchange of a line, the pending notes of a
store, spending one on an open sale and closing that sale."""

from __future__ import annotations

from tests.hiboutik.simulator.conftest import Api, Receiver, register_sale_webhook


def exchange(api: Api, line_item_id: int, stock_id: int = 0):
    # An empty JSON body, as the public client that uses this route sends it.
    return api.put(f"/sale_line_item_exchange/{line_item_id}/{stock_id}/", json={})


def test_an_exchanged_line_is_a_pending_credit_note(api: Api) -> None:
    sale = api.sale(
        store_id=1, customer_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 2}]
    )
    line_id = sale["line_items"][0]["line_item_id"]
    answer = exchange(api, line_id)
    assert answer.status_code == 200
    code = answer.json()["avoir_id"]
    (note,) = api.get("/credit_notes/1").json()
    assert note["credit_note"] == code
    assert (note["amount"], note["customer_id"], note["line_item_id"]) == ("39.00", 1, line_id)
    assert api.get("/credit_notes/2").json() == []
    line = api.get(f"/sales/{sale['sale_id']}").json()[0]["line_items"][0]
    assert (line["credit_note"], line["credit_note_id"]) == (1, note["credit_note_id"])
    assert exchange(api, line_id).status_code == 422
    assert exchange(api, 999).status_code == 404
    assert exchange(api, line_id, stock_id=9).status_code in (404, 422)
    assert api.get("/credit_notes/9").status_code == 404


def test_a_credit_note_pays_an_open_sale_that_closes_as_a_split_sale(
    api: Api, receiver: Receiver
) -> None:
    sale = api.sale(store_id=1, payment="CB", lines=[{"product_id": 5, "quantity": 1}])
    code = exchange(api, sale["line_items"][0]["line_item_id"], stock_id=1).json()["avoir_id"]
    register_sale_webhook(api, receiver.url)
    opened = api.sim_post(
        "/open_sales",
        json={"store_id": 1, "payment": "CB", "lines": [{"product_id": 4, "quantity": 1}]},
    )
    assert opened.status_code == 201
    sale_id = opened.json()["sale_id"]
    spent = api.post("/sales/add_credit_note/", data={"sale_id": sale_id, "credit_note_code": code})
    assert spent.status_code == 200
    assert (
        api.post(
            "/sales/add_credit_note/", data={"sale_id": sale_id, "credit_note_code": code}
        ).status_code
        == 422
    )
    assert api.post("/sales/close/", data={"sale_id": sale_id}).status_code == 200
    closed = api.get(f"/sales/{sale_id}").json()[0]
    # The cap (19.50): 12.00 from the credit note, the rest by card.
    assert [(p["payment_type"], p["payment_amount"]) for p in closed["payment_details"]] == [
        ("AVOIR", "12.00"),
        ("CB", "7.50"),
    ]
    assert (closed["payment"], closed["balance"]) == ("DIV", "0.00")
    assert [form["sale_id"] for form in receiver.forms()] == [str(sale_id)]
    assert api.get("/credit_notes/1").json() == []


def test_credit_notes_are_spent_on_open_sales_of_their_store_only(api: Api) -> None:
    sale = api.sale(store_id=1, payment="CB", lines=[{"product_id": 5, "quantity": 1}])
    code = exchange(api, sale["line_items"][0]["line_item_id"]).json()["avoir_id"]
    closed = api.post(
        "/sales/add_credit_note/", data={"sale_id": sale["sale_id"], "credit_note_code": code}
    )
    assert closed.status_code == 422
    elsewhere = api.sim_post(
        "/open_sales", json={"store_id": 2, "lines": [{"product_id": 4, "quantity": 1}]}
    )
    other_store = api.post(
        "/sales/add_credit_note/",
        data={"sale_id": elsewhere.json()["sale_id"], "credit_note_code": code},
    )
    assert other_store.status_code == 422
    unknown = api.post(
        "/sales/add_credit_note/",
        data={"sale_id": elsewhere.json()["sale_id"], "credit_note_code": "X"},
    )
    assert unknown.status_code == 404
    # No payment chosen and no credit note: the sale cannot be closed yet.
    assert (
        api.post("/sales/close/", data={"sale_id": elsewhere.json()["sale_id"]}).status_code == 422
    )
    assert api.post("/sales/close/", data={"sale_id": 999}).status_code == 404
