"""Product searches: barcodes (variants included), external reference, name, filters."""

from __future__ import annotations

from tests.hiboutik.simulator.conftest import Api


def test_barcode_search_finds_products_and_variants_with_product_size(api: Api) -> None:
    product = api.get("/products/search/barcode/2430000000041/").json()
    variant = api.get("/products/search/barcode/2430030000011").json()
    assert [(r["product_id"], r["product_size"]) for r in product] == [(4, 0)]
    assert [(r["product_id"], r["product_size"]) for r in variant] == [(1, 3)]


def test_empty_search_is_200_empty_list_or_404_as_configured(simulator_factory) -> None:
    default = Api(simulator_factory())
    response = default.get("/products/search/barcode/0000000000000/")
    assert response.status_code == 200 and response.json() == []
    strict = Api(simulator_factory(empty_search="404"))
    assert strict.get("/products/search/barcode/0000000000000/").status_code == 404
    assert strict.get("/products/search/?products_ref_ext=NOPE").status_code == 404
    assert strict.get("/products/search/?products_ref_ext=CASQUETTE").status_code == 200


def test_search_by_external_reference_matches_the_stored_20_characters(api: Api) -> None:
    long_ref = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    created = api.post("/products/", data={"product_model": "Long", "products_ref_ext": long_ref})
    product_id = created.json()["product_id"]

    cut = api.get("/products/search/", params={"products_ref_ext": long_ref[:20]}).json()
    full = api.get("/products/search/", params={"products_ref_ext": long_ref}).json()

    assert [r["product_id"] for r in cut] == [product_id]
    assert full == []


def test_filters_combine_and_order(api: Api) -> None:
    rows = api.get(
        "/products/search/",
        params={
            "product_category": 3,
            "product_brand": 1,
            "order_by": "product_price",
            "sort": "desc",
        },
    ).json()
    assert [(r["product_model"], r["product_price"]) for r in rows] == [("Tote bag", "12.00")]
    rows = api.get(
        "/products/search/", params={"product_category": 3, "order_by": "product_price"}
    ).json()
    assert [r["product_price"] for r in rows] == ["12.00", "19.50", "24.00", "50.00"]


def test_filter_search_refuses_unknown_filters_and_empty_queries(api: Api) -> None:
    unknown = api.get("/products/search/", params={"colour": "red"})
    assert unknown.status_code == 422 and "colour" in unknown.json()["details"]
    assert api.get("/products/search/").status_code == 422
    assert api.get("/products/search/?product_category=x").status_code == 422
    assert api.get("/products/search/?product_category=1&sort=up").status_code == 422


def test_search_by_name_category_tax_and_supplier_reference(api: Api) -> None:
    assert [r["product_id"] for r in api.get("/products/search/name/chemise").json()] == [2]
    assert [r["product_id"] for r in api.get("/products/search/category/2").json()] == [3]
    assert [r["product_id"] for r in api.get("/products/search/tax/3").json()] == [6]
    api.put(
        "/product/5",
        data={"product_attribute": "product_supplier_reference", "new_value": "TDN-0042"},
    )
    hits = api.get("/products/search/supplier_reference/TDN-0042/").json()
    assert [r["product_id"] for r in hits] == [5]


def test_searches_paginate_like_lists(api: Api) -> None:
    api.sim.add_products(300)
    first = api.get("/products/search/name/article")
    assert len(first.json()) == 250
    assert first.headers["Content-Range"] == "0-249/300"
    assert "name/article?p=2" in first.headers["Link"]


def test_text_searches_match_substrings_or_exactly_as_configured(simulator_factory) -> None:
    loose = Api(simulator_factory())  # substring, the default
    strict = Api(simulator_factory(search_match="exact"))
    for api, matches in ((loose, True), (strict, False)):
        # "e-bag" is inside "TOTE-BAG", once case is ignored.
        hits = api.get("/products/search/", params={"products_ref_ext": "e-bag"}).json()
        assert [r["product_id"] for r in hits] == ([5] if matches else [])
        barcode = api.get("/products/search/barcode/000000004").json()
        assert [r["product_id"] for r in barcode] == ([4] if matches else [])
        emails = api.get("/customers/search/", params={"email": "MARTIN@example"}).json()
        assert [c["email"] for c in emails] == (["camille.martin@example.com"] if matches else [])
    exact = strict.get("/customers/search/", params={"email": "CAMILLE.martin@example.com"})
    assert [c["customers_id"] for c in exact.json()] == [1]  # emails ignore case either way
