"""Control endpoints a test bench uses without spending API calls: the shelves' stock and the
customers a cashier creates at the till."""

from __future__ import annotations

from tests.hiboutik.simulator.conftest import Api


def test_shelf_stock_follows_sales_and_costs_no_call(api: Api) -> None:
    before = api.sim_get("/stock?warehouse_id=1").json()["stock"]
    api.sale(store_id=1, payment="CB", lines=[{"product_id": 4, "quantity": 2}])

    after = api.sim_get("/stock?warehouse_id=1&product_ids=4,1").json()
    assert after["warehouse_id"] == 1
    assert after["stock"]["4"] == before["4"] - 2
    assert set(after["stock"]) == {key for key in before if key.split(":")[0] in ("1", "4")}
    assert "1:2" in after["stock"]  # a size of the sized T-shirt
    assert api.sim_get("/stats").json()["calls_this_month"] == 0


def test_shelf_stock_refuses_bad_queries(api: Api) -> None:
    for query in ("", "?warehouse_id=x", "?warehouse_id=1&product_ids=a,b", "?warehouse_id=1&p=2"):
        assert api.sim_get(f"/stock{query}").status_code == 422, query
    assert api.sim_get("/stock?warehouse_id=99").status_code == 404


def test_a_customer_created_at_the_till_can_buy_and_is_not_an_api_call(api: Api) -> None:
    response = api.sim_post(
        "/customers",
        json={"customers_first_name": "Léa", "customers_last_name": "Roux",
              "customers_email": "lea@example.com"},
    )  # fmt: skip
    assert response.status_code == 201, response.text
    customer = response.json()
    assert customer["email"] == "lea@example.com"

    sale = api.sale(
        store_id=1,
        payment="CB",
        customer_id=customer["customers_id"],
        lines=[{"product_id": 4, "quantity": 1}],
    )
    assert sale["customer_id"] == customer["customers_id"]
    assert api.get(f"/customer/{customer['customers_id']}").json()[0]["last_name"] == "Roux"
    assert api.sim_get("/stats").json()["calls_this_month"] == 1  # the read above only
    assert api.sim_post("/customers", json={"customers_nickname": "x"}).status_code == 422
