"""Searches ignore case and accents on every database, and a phone number typed without its
spaces finds the customer."""

import pytest
from django.urls import reverse

from connect.search import fold
from tests.factories import make_customer, make_ops, make_order, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops_client(client):
    client.force_login(make_ops())
    return client


def test_fold_lowers_and_strips_accents():
    assert fold("CRÈME Brûlée ŒUF") == "creme brulee oeuf"
    assert fold(None) is None


@pytest.mark.parametrize("query", ["crème", "CRÈME", "creme", "Crème"])
def test_products_are_found_whatever_the_case_and_accents(ops_client, query):
    make_product("BEA-CREME-MAINS", name="Crème pour les mains")
    make_product("EPI-SEL", name="Fleur de sel")
    response = ops_client.get(reverse("inventory:product_list"), {"q": query})
    assert [p.sku for p in response.context["object_list"]] == ["BEA-CREME-MAINS"]


@pytest.mark.parametrize("query", ["LÉA", "lea", "Léa Durand", "DURAND léa"])
def test_customers_are_found_whatever_the_case_and_accents(ops_client, query):
    lea = make_customer(first_name="Léa", last_name="Durand", email="l.durand@example.fr")
    make_customer(first_name="Hugo", last_name="Bernard")
    response = ops_client.get(reverse("sales:customer_list"), {"q": query})
    assert list(response.context["object_list"]) == [lea]


@pytest.mark.parametrize("query", ["0628", "06 28", "06.28.45", "+33 6"])
def test_a_phone_number_is_found_without_its_separators(ops_client, query):
    found = make_customer(phone="06 28 45 12 90" if not query.startswith("+") else "+33 6 28 45")
    make_customer(phone="07 11 22 33 44")
    response = ops_client.get(reverse("sales:customer_list"), {"q": query})
    assert list(response.context["object_list"]) == [found]


def test_orders_and_returns_are_found_by_a_name_typed_in_capitals(ops_client):
    lea = make_customer(first_name="Léa", last_name="Durand")
    order = make_order(customer=lea)
    make_order()
    response = ops_client.get(reverse("sales:order_list"), {"q": "LÉA"})
    assert [o.number for o in response.context["object_list"]] == [order.number]
