"""Customers: created with customers_* names, read and updated with unprefixed names."""

from __future__ import annotations

from tests.hiboutik.simulator.conftest import Api


def test_create_with_prefixed_names_reads_back_unprefixed(api: Api) -> None:
    response = api.post(
        "/customers/",
        data={
            "customers_first_name": "Jeanne",
            "customers_last_name": "Durand",
            "customers_email": "jeanne.durand@example.com",
            "customers_phone_number": "0601020304",
            "customers_country": "FR",
            "customers_birth_date": "1990-05-17",
            "customers_ref_ext": "WEB-77",
        },
    )
    assert response.status_code == 201
    customer_id = response.json()["customers_id"]
    customer = api.get(f"/customer/{customer_id}").json()
    assert len(customer) == 1
    row = customer[0]
    assert (row["customers_id"], row["first_name"], row["last_name"]) == (
        customer_id,
        "Jeanne",
        "Durand",
    )
    assert row["email"] == "jeanne.durand@example.com"
    assert row["phone"] == "0601020304"
    assert row["country"] == "FR"
    assert row["date_of_birth"] == "1990-05-17"
    assert row["customers_ref_ext"] == "WEB-77"
    assert "customers_first_name" not in row


def test_alpha_2_and_alpha_3_countries_are_accepted_others_refused(api: Api) -> None:
    for code in ("BE", "BEL", "deu"):
        response = api.post(
            "/customers/", data={"customers_last_name": "X", "customers_country": code}
        )
        assert response.status_code == 201, code
    bad = api.post("/customers/", data={"customers_last_name": "X", "customers_country": "XX"})
    assert bad.status_code == 422
    assert "customers_country" in bad.json()["details"]


def test_create_needs_a_name_company_or_email_and_valid_fields(api: Api) -> None:
    nobody = api.post("/customers/", data={"customers_phone_number": "0600000000"})
    assert nobody.status_code == 422
    bad = api.post(
        "/customers/",
        json={
            "customers_last_name": "Y",
            "customers_email": "not-an-email",
            "customers_birth_date": "17/05/1990",
            "customers_shoe_size": 42,
        },
    )
    assert bad.status_code == 422
    # An unknown field is dropped silently by default (--unknown-fields ignored).
    assert set(bad.json()["details"]) == {"customers_email", "customers_birth_date"}
    assert len(api.get("/customers/").json()) == 3


def test_list_is_newest_first(api: Api) -> None:
    new_id = api.post("/customers/", data={"customers_company": "ACME"}).json()["customers_id"]
    assert [c["customers_id"] for c in api.get("/customers/").json()] == [new_id, 3, 2, 1]


def test_search_by_email_and_no_match_is_200_empty_list(api: Api) -> None:
    hit = api.get("/customers/search/", params={"email": "LUCAS.BERNARD@example.com"})
    assert [c["customers_id"] for c in hit.json()] == [2]
    none = api.get("/customers/search/", params={"email": "nobody@example.com"})
    assert none.status_code == 200 and none.json() == []


def test_search_filters_are_checked(api: Api) -> None:
    assert api.get("/customers/search/").status_code == 422
    assert api.get("/customers/search/", params={"last_name": "Ma"}).status_code == 422
    assert api.get("/customers/search/", params={"shoe": "42"}).status_code == 422
    names = api.get("/customers/search/", params={"last_name": "mart"}).json()
    assert [c["last_name"] for c in names] == ["Martin"]
    points = api.get("/customers/search/", params={"loyalty_points": ">=0"}).json()
    assert len(points) == 3
    assert api.get("/customers/search/", params={"loyalty_points": ">x"}).status_code == 422


def test_put_updates_one_attribute_with_the_read_name(api: Api) -> None:
    response = api.put(
        "/customer/1", data={"customers_attribute": "email", "new_value": "camille@example.org"}
    )
    assert response.status_code == 200
    assert api.get("/customer/1").json()[0]["email"] == "camille@example.org"
    assert (
        api.put(
            "/customer/1",
            json={"customers_attribute": "country", "new_value": "ITA", "customers_id": 1},
        ).status_code
        == 200
    )
    assert api.get("/customer/1").json()[0]["country"] == "ITA"


def test_put_refuses_prefixed_or_unknown_attributes_and_bad_values(api: Api) -> None:
    prefixed = api.put(
        "/customer/1", data={"customers_attribute": "customers_email", "new_value": "a@b.cd"}
    )
    assert prefixed.status_code == 422
    assert (
        api.put("/customer/1", data={"customers_attribute": "gender", "new_value": "7"}).status_code
        == 422
    )
    assert api.put("/customer/1", data={"customers_attribute": "email"}).status_code == 422
    assert (
        api.put(
            "/customer/99", data={"customers_attribute": "email", "new_value": "a@b.cd"}
        ).status_code
        == 404
    )
    mismatch = api.put(
        "/customer/1",
        json={"customers_attribute": "email", "new_value": "a@b.cd", "customers_id": 2},
    )
    assert mismatch.status_code == 422
    assert api.get("/customer/1").json()[0]["email"] == "camille.martin@example.com"


def test_clearing_the_last_identity_field_is_refused(api: Api) -> None:
    customer_id = api.post("/customers/", data={"customers_email": "solo@example.com"}).json()[
        "customers_id"
    ]
    cleared = api.put(
        f"/customer/{customer_id}", data={"customers_attribute": "email", "new_value": ""}
    )
    assert cleared.status_code == 422


def test_customer_sales_and_delete(api: Api) -> None:
    sale = api.sale(
        store_id=1, customer_id=2, payment="CB", lines=[{"product_id": 4, "quantity": 1}]
    )
    rows = api.get("/customer/2/sales/").json()
    assert [r["sale_id"] for r in rows] == [sale["sale_id"]]
    assert api.get("/customer/2").json()[0]["last_order_date"] == sale["completed_at"][:10]
    assert api.delete("/customer/3").status_code == 200
    assert api.get("/customer/3").status_code == 404
