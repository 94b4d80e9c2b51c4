"""The Django admin writes products and customers through the domain services: their checks
apply, only real changes are saved, and nothing is deleted behind their back."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

import inventory.admin
import sales.admin
from inventory.models import Product
from sales.models import Customer
from tests.factories import make_customer, make_product

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    return client


PRODUCT = {
    "sku": "MUG-01",
    "name": "  Mug émaillé ",
    "description": "",
    "price": "10.5",
    "tax_rate": "20",
    "barcode": " 3700000000017 ",
    "cost": "4",
    "enabled": "on",
}


def inline_management(prefix_counts: dict[str, int]) -> dict[str, str]:
    data = {}
    for prefix, total in prefix_counts.items():
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(total),
                f"{prefix}-INITIAL_FORMS": str(total),
                f"{prefix}-MIN_NUM_FORMS": "0",
                f"{prefix}-MAX_NUM_FORMS": "1000",
            }
        )
    return data


INLINES = {"stock_items": 0, "images": 0}


def test_a_product_added_in_the_admin_goes_through_product_create(admin_client, monkeypatch):
    calls = []
    real = inventory.admin.product_create
    monkeypatch.setattr(
        inventory.admin, "product_create", lambda **values: calls.append(values) or real(**values)
    )
    response = admin_client.post(
        reverse("admin:inventory_product_add"), {**PRODUCT, **inline_management(INLINES)}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    product = Product.objects.get(sku="MUG-01")
    assert len(calls) == 1
    # The service's rules: names and barcodes trimmed.
    assert (product.name, product.barcode, product.price) == (
        "Mug émaillé",
        "3700000000017",
        Decimal("10.5"),
    )


def test_a_product_changed_in_the_admin_saves_only_real_changes(admin_client, monkeypatch):
    product = make_product("MUG-01", name="Mug", price=Decimal("10"))
    stamp = product.updated_at
    changes = []
    real = inventory.admin.product_update
    monkeypatch.setattr(
        inventory.admin,
        "product_update",
        lambda **kwargs: changes.append(real(**kwargs)),
    )
    url = reverse("admin:inventory_product_change", args=[product.pk])
    data = {**PRODUCT, "name": "Mug", "price": "10.0000", "barcode": "", "cost": "0"}
    data["enabled"] = "on"
    admin_client.post(url, {**data, **inline_management(INLINES)})
    product.refresh_from_db()
    assert changes == [[]] and product.updated_at == stamp  # nothing changed: nothing saved

    admin_client.post(url, {**data, "price": "12", **inline_management(INLINES)})
    product.refresh_from_db()
    assert changes[-1] == ["price"] and product.price == Decimal("12")


def test_the_services_checks_refuse_a_bad_product(admin_client):
    response = admin_client.post(
        reverse("admin:inventory_product_add"),
        {**PRODUCT, "tax_rate": "120", **inline_management(INLINES)},
    )
    assert response.status_code == 200
    assert not Product.objects.exists()


def test_the_sku_is_fixed_and_products_and_customers_cannot_be_deleted(admin_client):
    product = make_product("MUG-01")
    page = admin_client.get(reverse("admin:inventory_product_change", args=[product.pk]))
    assert 'name="sku"' not in page.text
    customer = make_customer()
    assert (
        admin_client.get(reverse("admin:inventory_product_delete", args=[product.pk])).status_code
        == 403
    )
    assert (
        admin_client.get(reverse("admin:sales_customer_delete", args=[customer.pk])).status_code
        == 403
    )


CUSTOMER = {
    "email": " Lea@Example.FR ",
    "first_name": "Léa",
    "last_name": "Durand",
    "company": "",
    "phone": "",
    "group": "",
    "address_line1": "",
    "address_line2": "",
    "postcode": "",
    "city": "",
    "region": "",
    "country": "fr",
}


def test_a_customer_added_in_the_admin_goes_through_customer_create(admin_client, monkeypatch):
    calls = []
    real = sales.admin.customer_create
    monkeypatch.setattr(
        sales.admin, "customer_create", lambda **values: calls.append(values) or real(**values)
    )
    response = admin_client.post(reverse("admin:sales_customer_add"), CUSTOMER)
    assert response.status_code == 302
    customer = Customer.objects.get()
    assert len(calls) == 1
    assert (customer.email, customer.country) == ("lea@example.fr", "FR")


def test_a_customer_with_a_bad_country_or_a_taken_email_is_refused(admin_client):
    make_customer(email="lea@example.fr")
    for data in ({**CUSTOMER, "email": "new@example.fr", "country": "FRA"}, CUSTOMER):
        response = admin_client.post(reverse("admin:sales_customer_add"), data)
        assert response.status_code == 200
    assert Customer.objects.count() == 1


def test_a_customer_changed_in_the_admin_goes_through_customer_update(admin_client, monkeypatch):
    customer = make_customer(email="lea@example.fr", first_name="Léa", last_name="Durand")
    calls = []
    real = sales.admin.customer_update
    monkeypatch.setattr(
        sales.admin, "customer_update", lambda **kwargs: calls.append(real(**kwargs))
    )
    admin_client.post(
        reverse("admin:sales_customer_change", args=[customer.pk]),
        {**CUSTOMER, "email": "lea@example.fr", "city": "Lyon", "country": ""},
    )
    customer.refresh_from_db()
    assert customer.city == "Lyon"
    assert calls == [["city"]]
