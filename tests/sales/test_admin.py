from io import BytesIO

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth.models import User
from django.urls import reverse
from PIL import Image

from inventory.models import StockMovement
from inventory.services import product_image_add
from sales.models import CustomerGroup, Order, RmaStatus
from sales.services import (
    LineSpec,
    PaymentSpec,
    RmaLineSpec,
    customer_create,
    order_import_complete,
    refund_create,
    rma_create,
)
from tests.factories import make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    client.force_login(User.objects.create_superuser("root", "root@example.com", "x"))
    return client


@pytest.fixture
def full_order(store, mug, card, pickup, placed_at, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    buffer = BytesIO()
    Image.new("RGB", (4, 4), "green").save(buffer, "PNG")
    product_image_add(product=mug, content=buffer.getvalue())
    group = CustomerGroup.objects.create(code="vip", name="VIP")
    customer = customer_create(email="a@b.fr", last_name="MUG fan", group=group)
    order = order_import_complete(
        store=store,
        lines=[LineSpec(product=mug, quantity=2)],
        payments=[PaymentSpec(method=card, amount="24")],
        customer=customer,
        shipping_method=pickup,
        integration=make_source("pos"),
        external_reference="1",
        placed_at=placed_at,
    )
    line = order.lines.get()
    rma = rma_create(
        order=order,
        lines=[RmaLineSpec(order_line=line, quantity=1, back_to_stock=True)],
        status=RmaStatus.RECEIVED,
    )
    refund_create(order=order, amount="12", rma=rma)
    return order


@pytest.mark.parametrize("app_label", ["inventory", "sales"])
def test_every_model_is_in_the_admin_directly_or_as_an_inline(app_label):
    registered = {model for model in admin.site._registry if model._meta.app_label == app_label}
    inlined = {
        inline.model
        for model_admin in admin.site._registry.values()
        for inline in model_admin.inlines
    }
    assert set(apps.get_app_config(app_label).get_models()) <= registered | inlined


@pytest.mark.parametrize("app_label", ["inventory", "sales"])
def test_every_registered_model_has_a_working_list_and_detail_page(
    admin_client, full_order, app_label
):
    for model in admin.site._registry:
        if model._meta.app_label != app_label:
            continue
        name = f"admin:{app_label}_{model._meta.model_name}"
        listing = admin_client.get(reverse(f"{name}_changelist"), {"q": "MUG"})
        assert listing.status_code == 200, model
        first = model.objects.first()
        assert first is not None, model
        detail = admin_client.get(reverse(f"{name}_change", args=[first.pk]))
        assert detail.status_code == 200, model


def test_orders_and_movements_are_read_only(admin_client, full_order):
    assert admin_client.get(reverse("admin:sales_order_add")).status_code == 403
    url = reverse("admin:inventory_stockmovement_delete", args=[StockMovement.objects.first().pk])
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Order.objects.count() == 1
    assert admin_client.get(reverse("admin:sales_store_add")).status_code == 200


def test_admin_shows_order_events_in_the_reader_language(admin_client, full_order):
    event = full_order.events.get(kind="created")
    listing = reverse("admin:sales_orderevent_changelist")
    change = reverse("admin:sales_orderevent_change", args=[event.pk])
    order_page = reverse("admin:sales_order_change", args=[full_order.pk])
    for language, text in (("fr", "Commande créée."), ("en", "Order created.")):
        headers = {"accept-language": language}
        for url in (listing, change, order_page):
            response = admin_client.get(url, headers=headers)
            assert response.status_code == 200
            assert text in response.text, (language, url)
