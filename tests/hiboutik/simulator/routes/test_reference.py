"""Reference lists: taxes, stores, warehouses, payment types, catalogue tables."""

from __future__ import annotations

from tests.hiboutik.simulator.conftest import Api


def test_default_french_taxes_are_ids_1_to_5_with_fractions(api: Api) -> None:
    taxes = api.get("/taxes").json()
    assert [(t["tax_id"], t["tax_value"]) for t in taxes] == [
        (1, "0.20000"),
        (2, "0.10000"),
        (3, "0.05500"),
        (4, "0.02100"),
        (5, "0.00000"),
    ]
    assert [t["tax_default"] for t in taxes] == [1, 0, 0, 0, 0]


def test_stores_carry_warehouse_currency_and_time_zone(api: Api) -> None:
    stores = api.get("/stores/").json()
    assert [(s["store_id"], s["warehouse_id"]) for s in stores] == [(1, 1), (2, 2)]
    assert {s["store_default_currency"] for s in stores} == {"EUR"}
    assert [s["store_time_zone"] for s in stores] == ["Europe/Paris", "Indian/Reunion"]
    assert [s["store_day_start"] for s in stores] == ["00:00", "04:00"]
    warehouses = api.get("/warehouses").json()
    assert [w["warehouse_id"] for w in warehouses] == [1, 2]


def test_payment_types_per_store(api: Api) -> None:
    codes = [p["payment_type"] for p in api.get("/payment_types/2").json()]
    assert codes == ["ESP", "CB", "CHE"]
    assert api.get("/payment_types/9").status_code == 404


def test_size_grids(api: Api) -> None:
    assert [t["size_type_id"] for t in api.get("/size_types/").json()] == [1, 2]
    sizes = api.get("/sizes/1").json()
    assert [s["size_name"] for s in sizes] == ["S", "M", "L", "XL"]
    assert api.get("/sizes/9").status_code == 404


def test_create_category_and_brand(api: Api) -> None:
    category = api.post("/categories/", data={"category_name": "Maison"})
    brand = api.post("/brands/", json={"brand_name": "Nouvelle"})
    assert category.status_code == brand.status_code == 201
    assert category.json() == {"category_id": 4}
    assert brand.json() == {"brand_id": 3}
    assert api.get("/categories").json()[-1]["category_name"] == "Maison"
    duplicate = api.post("/categories/", data={"category_name": "maison"})
    assert duplicate.status_code == 422
    assert api.post("/brands/", data={}).status_code == 422


def test_empty_seed_is_a_fresh_account(simulator_factory) -> None:
    api = Api(simulator_factory(seed="empty"))
    assert len(api.get("/taxes").json()) == 5
    assert [s["store_id"] for s in api.get("/stores").json()] == [1]
    assert [p["payment_type"] for p in api.get("/payment_types/1").json()] == ["ESP", "CB", "CHE"]
    assert api.get("/products/").json() == []
    assert api.get("/customers/").json() == []
