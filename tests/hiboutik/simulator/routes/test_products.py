"""Products: pagination, one-element reads, creates and one-attribute updates."""

from __future__ import annotations

import json
import re

from hiboutik.simulator.barcodes import is_valid_ean13
from hiboutik.simulator.catalogue import product_view
from tests.hiboutik.simulator.conftest import Api
from tests.hiboutik.simulator.routes.test_images import png


def test_list_fits_one_page_without_pagination_headers(api: Api) -> None:
    response = api.get("/products/")
    assert response.status_code == 200
    rows = response.json()
    assert [p["product_id"] for p in rows] == [1, 2, 3, 4, 5, 6, 7]
    assert "Link" not in response.headers
    assert "Content-Range" not in response.headers


def test_list_pages_by_250_with_link_and_content_range(api: Api) -> None:
    api.sim.add_products(593)  # 600 products: pages of 250, 250, 100

    first = api.get("/products/")
    second = api.get("/products/", params={"p": 2})
    third = api.get("/products/?p=3")

    assert [len(r.json()) for r in (first, second, third)] == [250, 250, 100]
    assert first.headers["Content-Range"] == "0-249/600"
    assert second.headers["Content-Range"] == "250-499/600"
    assert third.headers["Content-Range"] == "500-599/600"
    base = f"{api.sim.base_url}/products/"
    assert second.headers["Link"] == (
        f'<{base}?p=1>; rel="start", <{base}?p=1>; rel="prev", <{base}?p=2>; rel="current", '
        f'<{base}?p=3>; rel="next", <{base}?p=3>; rel="last"'
    )
    assert 'rel="prev"' not in first.headers["Link"]
    assert 'rel="next"' not in third.headers["Link"]
    ids = [p["product_id"] for r in (first, second, third) for p in r.json()]
    assert ids == list(range(1, 601))


def test_page_past_the_end_is_empty_or_404_as_configured(simulator_factory) -> None:
    default = Api(simulator_factory())
    assert default.get("/products/?p=2").json() == []
    strict = Api(simulator_factory(page_past_end="404"))
    assert strict.get("/products/?p=2").status_code == 404
    assert strict.get("/products/?p=1").status_code == 200


def test_bad_page_numbers_get_422(api: Api) -> None:
    for page in ("0", "-1", "abc"):
        response = api.get(f"/products/?p={page}")
        assert response.status_code == 422
        assert "p" in response.json()["details"]


def test_archived_products_leave_the_list_but_stay_readable(api: Api) -> None:
    api.put("/product/4", data={"product_attribute": "product_arch", "new_value": "1"})
    assert 4 not in [p["product_id"] for p in api.get("/products/").json()]
    assert api.get("/products/4").json()[0]["product_arch"] == 1


def test_get_returns_a_one_element_array_with_the_documented_types(api: Api) -> None:
    response = api.get("/products/1")
    assert response.status_code == 200
    body = response.json()
    assert isinstance(body, list) and len(body) == 1
    product = body[0]
    assert product["product_id"] == 1 and isinstance(product["product_vat"], int)
    assert product["product_price"] == "25.00"
    assert product["product_supply_price"] == "8.00"
    assert product["products_ref_ext"] == "TSHIRT-BIO"
    assert product["product_size_details"] == [
        {"size_id": 1, "size_name": "S", "barcode": "2430010000017"},
        {"size_id": 2, "size_name": "M", "barcode": "2430020000014"},
        {"size_id": 3, "size_name": "L", "barcode": "2430030000011"},
        {"size_id": 4, "size_name": "XL", "barcode": "2430040000018"},
    ]
    assert {"warehouse_id": 2, "product_size": 3, "stock_available": 12, "inventory_alert": 0} in (
        product["stock_available"]
    )
    assert product["images"] == [] and product["tags"] == []


def test_unknown_product_gets_404(api: Api) -> None:
    response = api.get("/products/999")
    assert response.status_code == 404
    assert response.json()["code"] == 5


def test_create_answers_201_with_id_and_generates_an_internal_barcode(api: Api) -> None:
    response = api.post(
        "/products/",
        data={"product_model": "Pull laine", "product_price": "89.90", "product_vat": "1"},
    )
    assert response.status_code == 201
    product_id = response.json()["product_id"]
    assert response.json() == {"product_id": product_id}
    product = api.get(f"/products/{product_id}").json()[0]
    assert product["product_model"] == "Pull laine"
    assert product["product_price"] == "89.90"
    assert re.fullmatch(r"243\d{10}", product["product_barcode"])
    assert is_valid_ean13(product["product_barcode"])


def test_create_accepts_json_and_cuts_products_ref_ext_to_20_characters(api: Api) -> None:
    ref = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
    response = api.post(
        "/products",
        json={
            "product_model": "Bonnet",
            "product_price": 15,
            "products_ref_ext": ref,
            "product_barcode": "3760000000017",
            "product_stock_management": 0,
        },
    )
    assert response.status_code == 201
    product = api.get(f"/products/{response.json()['product_id']}").json()[0]
    assert product["products_ref_ext"] == ref[:20]
    assert product["product_barcode"] == "3760000000017"
    assert product["product_price"] == "15.00"
    # Rows even without stock management (a real webhook shows one): readers go by the flag.
    assert product["product_stock_management"] == 0
    assert [r["stock_available"] for r in product["stock_available"]] == [0, 0]


def test_create_validates_every_field_and_stores_nothing_on_error(simulator_factory) -> None:
    api = Api(simulator_factory(unknown_fields="rejected"))
    response = api.post(
        "/products/",
        json={
            "product_price": "abc",
            "product_vat": 42,
            "product_arch": 2,
            "product_supplier_price": "3.00",
            "product_category": "x",
        },
    )
    assert response.status_code == 422
    details = response.json()["details"]
    assert set(details) == {
        "product_model",
        "product_price",
        "product_vat",
        "product_arch",
        "product_supplier_price",
        "product_category",
    }
    assert details["product_model"] == "is required"
    assert len(api.get("/products/").json()) == 7


def test_unknown_fields_are_dropped_by_default_and_refused_when_asked(simulator_factory) -> None:
    body = {"product_model": "Mug", "product_supplier_price": "3.00", "product_price": "9.00"}
    lenient = Api(simulator_factory())
    created = lenient.post("/products/", data=body)
    assert created.status_code == 201
    stored = lenient.get(f"/products/{created.json()['product_id']}").json()[0]
    # The misspelt cost price is gone without a word: only a read-back shows it.
    assert (stored["product_price"], stored["product_supply_price"]) == ("9.00", "0.00")
    assert "product_supplier_price" not in stored
    strict = Api(simulator_factory(unknown_fields="rejected"))
    refused = strict.post("/products/", data=body)
    assert refused.status_code == 422
    assert refused.json()["details"] == {"product_supplier_price": "unknown field"}
    # Search filters are not bodies: an unknown one is refused either way.
    assert lenient.get("/products/search/", params={"colour": "red"}).status_code == 422


def test_create_refuses_a_barcode_already_in_use(api: Api) -> None:
    response = api.post(
        "/products/", data={"product_model": "Copie", "product_barcode": "2430020000014"}
    )
    assert response.status_code == 422
    assert "product_barcode" in response.json()["details"]


def test_put_changes_one_attribute(api: Api) -> None:
    response = api.put(
        "/product/4", data={"product_attribute": "product_price", "new_value": "21.5"}
    )
    assert response.status_code == 200
    product = api.get("/products/4").json()[0]
    assert product["product_price"] == "21.50"
    assert product["product_model"] == "Casquette"


def test_put_products_form_with_the_id_in_the_body(api: Api) -> None:
    response = api.put(
        "/products/",
        json={"product_id": 4, "product_attribute": "product_vat", "new_value": 2},
    )
    assert response.status_code == 200
    assert api.get("/products/4").json()[0]["product_vat"] == 2


def test_put_refuses_unknown_attributes_bad_values_and_unknown_products(api: Api) -> None:
    unknown = api.put("/product/4", data={"product_attribute": "colour", "new_value": "red"})
    assert unknown.status_code == 422
    assert "product_attribute" in unknown.json()["details"]
    bad = api.put("/product/4", data={"product_attribute": "product_vat", "new_value": "20"})
    assert bad.status_code == 422
    missing = api.put("/product/4", data={"product_attribute": "product_price"})
    assert missing.status_code == 422 and "new_value" in missing.json()["details"]
    assert (
        api.put(
            "/product/999", data={"product_attribute": "product_price", "new_value": "1"}
        ).status_code
        == 404
    )
    assert api.get("/products/4").json()[0]["product_vat"] == 1


def test_changing_the_size_grid_gives_the_variants_barcodes(api: Api) -> None:
    api.put("/product/4", data={"product_attribute": "product_size_type", "new_value": "2"})
    sizes = api.get("/products/4").json()[0]["product_size_details"]
    assert [s["size_name"] for s in sizes] == ["39", "40", "41", "42"]
    assert all(is_valid_ean13(s["barcode"]) for s in sizes)


# --- a page answers the products as they are now, after any write ----------------------------


def _fresh_page(api: Api, page: int) -> bytes:
    """The page as encoding every product view now gives it, nothing kept from earlier."""
    state = api.sim.state
    active = [p for p in state.rows("products") if not p["product_arch"]]
    views = [product_view(state, p, api.sim.base_url) for p in active[(page - 1) * 250 :][:250]]
    return json.dumps(views, ensure_ascii=False).encode("utf-8")


def _product(api: Api, product_id: int) -> dict:
    rows = [row for page in (1, 2) for row in api.get("/products/", params={"p": page}).json()]
    return next(row for row in rows if row["product_id"] == product_id)


def _same_as_fresh(api: Api) -> None:
    for page in (1, 2):
        assert api.get("/products/", params={"p": page}).content == _fresh_page(api, page)


def test_a_products_page_is_byte_for_byte_the_encoded_views(api: Api) -> None:
    api.sim.add_products(300)
    for _ in range(2):  # the second read answers from what the first one kept
        _same_as_fresh(api)


def _stock(row: dict, warehouse_id: int, size_id: int = 0) -> int:
    return next(
        level["stock_available"]
        for level in row["stock_available"]
        if level["warehouse_id"] == warehouse_id and level["product_size"] == size_id
    )


def test_every_write_shows_in_the_next_products_page(api: Api) -> None:
    api.sim.add_products(300)  # two pages
    _same_as_fresh(api)  # both pages read (and kept) before each write

    changed = api.put("/product/4", data={"product_attribute": "product_price", "new_value": "7"})
    assert changed.status_code == 200
    assert _product(api, 4)["product_price"] == "7.00"
    _same_as_fresh(api)

    before = _stock(_product(api, 4), 1)
    api.sale(store_id=1, payment="ESP", lines=[{"product_id": 4, "quantity": 2}])
    assert _stock(_product(api, 4), 1) == before - 2
    _same_as_fresh(api)

    input_id = api.post("/inventory_inputs", data={"stock_id": 1}).json()["inventory_input_id"]
    detail = {"product_id": 300, "product_size": 0, "quantity": 5}
    api.post(f"/inventory_input_details/{input_id}", data=detail)
    assert _stock(_product(api, 300), 1) == 10  # not before the input is validated
    api.post("/inventory_input_validate", data={"inventory_input_id": input_id})
    assert _stock(_product(api, 300), 1) == 15
    _same_as_fresh(api)

    uploaded = api.post("/products_images/4/", files={"image": ("pos.png", png(3, 3))})
    assert uploaded.status_code == 201
    assert [image["image_name"] for image in _product(api, 4)["images"]] == ["pos_4.png"]
    _same_as_fresh(api)
    assert api.delete("/products_images/pos_4.png").status_code == 200
    assert _product(api, 4)["images"] == []
    _same_as_fresh(api)

    api.put("/product/4", data={"product_attribute": "product_size_type", "new_value": "1"})
    assert _product(api, 4)["product_size_details"]
    _same_as_fresh(api)

    api.put("/product/5", data={"product_attribute": "product_arch", "new_value": "1"})
    assert 5 not in [p["product_id"] for p in api.get("/products/").json()]
    _same_as_fresh(api)

    assert api.sim_post("/seed", json={"products": 1}).status_code == 200
    assert api.get("/products/", params={"p": 2}).json()[-1]["product_id"] == 308
    _same_as_fresh(api)


def test_image_urls_follow_the_simulator_to_its_new_port(api: Api) -> None:
    api.post("/products_images/4/", files={"image": ("pos.png", png(3, 3))})
    old_base = api.sim.base_url
    assert _product(api, 4)["images"][0]["url"].startswith(old_base)
    api.sim.stop()
    api.sim.start()  # port 0: another free port, the same account
    assert api.sim.base_url != old_base
    assert _product(api, 4)["images"][0]["url"].startswith(api.sim.base_url + "/")
    _same_as_fresh(api)
