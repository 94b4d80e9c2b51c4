"""Inventory inputs: create → details → validate; stock changes only on validation."""

from __future__ import annotations

from tests.hiboutik.simulator.conftest import Api


def stock(api: Api, product_id: int, warehouse_id: int, size_id: int = 0) -> int:
    rows = api.get(f"/stock_available/product_id_size/{product_id}/{size_id}").json()
    return next(r["stock_available"] for r in rows if r["warehouse_id"] == warehouse_id)


def test_stock_changes_only_when_the_input_is_validated(api: Api) -> None:
    created = api.post("/inventory_inputs/", data={"stock_id": 1, "label": "Export Connect"})
    assert created.status_code == 201
    input_id = created.json()["inventory_input_id"]
    plus = api.post(
        f"/inventory_input_details/{input_id}",
        data={"product_id": 4, "product_size": 0, "quantity": 5},
    )
    minus = api.post(
        f"/inventory_input_details/{input_id}",
        json={"product_id": 1, "product_size": 2, "quantity": -3},
    )
    assert plus.status_code == minus.status_code == 201
    assert "inventory_input_detail_id" in plus.json()
    assert stock(api, 4, 1) == 20 and stock(api, 1, 1, 2) == 12

    validated = api.post("/inventory_input_validate", data={"inventory_input_id": input_id})

    assert validated.status_code == 200
    assert stock(api, 4, 1) == 25
    assert stock(api, 1, 1, 2) == 9
    assert stock(api, 4, 2) == 20  # other warehouse untouched


def test_validating_twice_gets_422_and_changes_nothing_more(api: Api) -> None:
    input_id = api.post("/inventory_inputs", data={"stock_id": 2}).json()["inventory_input_id"]
    api.post(f"/inventory_input_details/{input_id}", data={"product_id": 4, "quantity": 1})
    api.post("/inventory_input_validate", data={"inventory_input_id": input_id})

    again = api.post("/inventory_input_validate", data={"inventory_input_id": input_id})
    late_line = api.post(
        f"/inventory_input_details/{input_id}", data={"product_id": 4, "quantity": 1}
    )

    assert again.status_code == 422
    assert late_line.status_code == 422
    assert stock(api, 4, 2) == 21


def test_details_are_validated(api: Api) -> None:
    input_id = api.post("/inventory_inputs", data={"stock_id": 1}).json()["inventory_input_id"]
    url = f"/inventory_input_details/{input_id}"
    assert api.post(url, data={"product_id": 999, "quantity": 1}).status_code == 404
    assert api.post(url, data={"product_id": 4, "quantity": 0}).status_code == 422
    assert api.post(url, data={"product_id": 4, "quantity": "many"}).status_code == 422
    assert api.post(url, data={"product_id": 4}).status_code == 422
    no_size = api.post(url, data={"product_id": 1, "quantity": 1})
    assert no_size.status_code == 422 and "product_size" in no_size.json()["details"]
    unmanaged = api.post(url, data={"product_id": 7, "quantity": 1})
    assert unmanaged.status_code == 422
    assert (
        api.post("/inventory_input_details/999", data={"product_id": 4, "quantity": 1}).status_code
        == 404
    )
    assert api.get(url).json() == []


def test_inputs_need_an_existing_warehouse(api: Api) -> None:
    assert api.post("/inventory_inputs", data={}).status_code == 422
    assert api.post("/inventory_inputs", data={"stock_id": 9}).status_code == 404
    assert api.post("/inventory_input_validate", data={"inventory_input_id": 9}).status_code == 404


def test_inputs_and_their_lines_can_be_read_back(api: Api) -> None:
    input_id = api.post("/inventory_inputs", data={"stock_id": 1, "label": "Réassort"}).json()[
        "inventory_input_id"
    ]
    api.post(
        f"/inventory_input_details/{input_id}",
        data={"product_id": 4, "quantity": 2, "unit_price": "6.00"},
    )
    header = api.get(f"/inventory_inputs/{input_id}").json()
    assert header[0]["inventory_input_label"] == "Réassort"
    assert header[0]["validated"] == 0
    lines = api.get(f"/inventory_input_details/{input_id}").json()
    assert [(li["product_id"], li["quantity"], li["product_price"]) for li in lines] == [
        (4, 2, "6.00")
    ]
    assert [r["inventory_input_id"] for r in api.get("/inventory_inputs/").json()] == [input_id]


def test_received_is_the_quantity_that_comes_in(api: Api) -> None:
    input_id = api.post("/inventory_inputs", data={"stock_id": 1}).json()["inventory_input_id"]
    # Ordered 10, received 7 (PHPC and the official client send received with the quantity).
    api.post(
        f"/inventory_input_details/{input_id}",
        data={"product_id": 4, "quantity": 10, "received": 7},
    )
    (detail,) = api.get(f"/inventory_input_details/{input_id}").json()
    assert (detail["quantity"], detail["received"]) == (10, 7)
    api.post("/inventory_input_validate", data={"inventory_input_id": input_id})
    assert stock(api, 4, 1) == 27


def test_negative_lines_are_refused_when_configured(simulator_factory) -> None:
    api = Api(simulator_factory(negative_inventory="refused"))
    input_id = api.post("/inventory_inputs", data={"stock_id": 1}).json()["inventory_input_id"]
    for body in (
        {"quantity": -3},
        {"quantity": -3, "received": -3},
        {"quantity": 3, "received": -1},
    ):
        refused = api.post(f"/inventory_input_details/{input_id}", data={"product_id": 4, **body})
        assert refused.status_code == 422
        assert set(refused.json()["details"]) <= {"quantity", "received"}
    assert api.get(f"/inventory_input_details/{input_id}").json() == []
    added = api.post(f"/inventory_input_details/{input_id}", data={"product_id": 4, "quantity": 3})
    assert added.status_code == 201
