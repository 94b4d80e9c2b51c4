"""Actions on orders and returns through the Django test client: rights, what each writes,
and refusals shown as messages."""

from decimal import Decimal

import pytest
from django.urls import reverse

from inventory.models import StockItem
from sales.models import OrderEvent, OrderStatus, Refund, Rma, RmaStatus
from tests.factories import (
    grant,
    make_completed_order,
    make_ops,
    make_order,
    make_user,
    make_warehouse,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def ops(client):
    user = make_ops(username="paul")
    client.force_login(user)
    return user


def stock(product, warehouse) -> tuple[int, int]:
    item = StockItem.objects.get(product=product, warehouse=warehouse)
    return item.physical, item.reserved


def url(name: str, number: str) -> str:
    return reverse(f"sales:{name}", args=[number])


@pytest.mark.parametrize(
    ("name", "method", "permission"),
    [
        ("order_cancel", "post", "sales.change_order"),
        ("order_note", "post", "sales.change_order"),
        ("rma_create", "get", "sales.add_rma"),
        ("rma_status", "post", "sales.change_rma"),
        ("rma_receive", "get", "sales.change_rma"),
        ("rma_refund", "post", "sales.add_refund"),
    ],
)
def test_each_action_needs_its_permission(client, name, method, permission):
    make_order()
    response = getattr(client, method)(url(name, "CMD-1"))
    assert response.status_code == 302  # to the login page
    client.force_login(grant(make_user(), "sales.view_order", "sales.view_rma"))
    assert getattr(client, method)(url(name, "CMD-1")).status_code == 403


def test_cancel_frees_the_reservation_and_keeps_the_reason(client, ops):
    order = make_order(quantity=3)
    line = order.lines.get()
    assert stock(line.product, order.warehouse) == (100, 3)
    page = client.get(url("order_detail", order.number))
    assert "Annuler la commande" in page.text

    response = client.post(url("order_cancel", order.number), {"reason": "Client injoignable"})

    assert response["Location"] == url("order_detail", order.number)
    order.refresh_from_db()
    assert order.status == OrderStatus.CANCELED
    assert stock(line.product, order.warehouse) == (100, 0)
    event = order.events.get(kind=OrderEvent.Kind.CANCELED)
    assert (event.message, event.user) == ("Client injoignable", ops)
    page = client.get(response["Location"])
    assert "est annulée" in page.text
    assert "Annuler la commande" not in page.text


def test_an_order_already_shipped_offers_no_cancel_and_refuses_one(client, ops):
    order = make_completed_order()
    assert "Annuler la commande" not in client.get(url("order_detail", order.number)).text
    response = client.post(url("order_cancel", order.number), follow=True)
    assert "elle ne peut pas être annulée" in response.text
    order.refresh_from_db()
    assert order.status == OrderStatus.COMPLETE


def test_a_comment_is_added_to_the_history(client, ops):
    order = make_order()
    response = client.post(url("order_note", order.number), {"message": "  Rappeler demain  "})
    assert response["Location"] == f"{url('order_detail', order.number)}?tab=history"
    event = order.events.get(kind=OrderEvent.Kind.NOTE)
    assert (event.message, event.user) == ("Rappeler demain", ops)
    empty = client.post(url("order_note", order.number), {"message": "   "}, follow=True)
    assert "Écrivez d’abord un commentaire" in empty.text
    assert order.events.filter(kind=OrderEvent.Kind.NOTE).count() == 1


def test_a_return_is_opened_from_the_shipped_lines(client, ops):
    order = make_completed_order(quantity=3)
    line = order.lines.get()
    page = client.get(url("rma_create", order.number))
    assert page.status_code == 200
    assert f'name="qty_{line.pk}"' in page.text

    response = client.post(
        url("rma_create", order.number),
        {f"qty_{line.pk}": "2", f"restock_{line.pk}": "on", "reason": "Trop petit"},
    )

    rma = Rma.objects.get()
    assert response["Location"] == url("rma_detail", rma.number)
    assert (rma.status, rma.reason, rma.user) == (RmaStatus.AUTHORIZED, "Trop petit", ops)
    assert [(rl.quantity, rl.back_to_stock) for rl in rma.lines.all()] == [(2, True)]


@pytest.mark.parametrize(
    ("quantity", "message"),
    [("0", "Indiquez la quantité retournée"), ("4", "inférieure ou égale à 3")],
)
def test_a_return_needs_a_quantity_within_what_was_shipped(client, ops, quantity, message):
    order = make_completed_order(quantity=3)
    line = order.lines.get()
    response = client.post(url("rma_create", order.number), {f"qty_{line.pk}": quantity})
    assert response.status_code == 200
    assert message in response.text
    assert not Rma.objects.exists()


def test_receiving_puts_back_to_the_chosen_warehouse_and_refunds(client, ops):
    order = make_completed_order(quantity=2)
    line = order.lines.get()
    client.post(
        url("rma_create", order.number), {f"qty_{line.pk}": "2", f"restock_{line.pk}": "on"}
    )
    rma = Rma.objects.get()
    rma_line = rma.lines.get()
    back_room = make_warehouse("BACK", name="Réserve")

    page = client.get(url("rma_receive", rma.number))
    assert "Réserve" in page.text
    response = client.post(
        url("rma_receive", rma.number),
        {
            f"restock_{rma_line.pk}": "on",
            f"warehouse_{rma_line.pk}": back_room.pk,
            "refund": "on",
        },
    )

    assert response["Location"] == url("rma_detail", rma.number)
    rma.refresh_from_db()
    assert rma.status == RmaStatus.RECEIVED
    assert stock(line.product, back_room) == (2, 0)
    refund = Refund.objects.get()
    assert (refund.rma, refund.amount) == (rma, Decimal("24.00"))
    detail = client.get(response["Location"])
    assert "2 articles remis en stock" in detail.text
    assert refund.number in detail.text
    # Received: the receipt page now sends back to the return.
    assert client.get(url("rma_receive", rma.number))["Location"] == url("rma_detail", rma.number)


def test_a_received_return_can_be_refunded_later_then_completed(client, ops):
    order = make_completed_order()
    line = order.lines.get()
    client.post(url("rma_create", order.number), {f"qty_{line.pk}": "1"})
    rma = Rma.objects.get()
    rma_line = rma.lines.get()
    client.post(
        url("rma_receive", rma.number),
        {f"warehouse_{rma_line.pk}": order.warehouse.pk},  # not back to stock, no refund
    )
    page = client.get(url("rma_detail", rma.number))
    assert "Rembourser les articles retournés" in page.text

    client.post(url("rma_refund", rma.number))
    client.post(url("rma_refund", rma.number))  # a double click refunds once
    assert Refund.objects.filter(rma=rma).count() == 1
    client.post(url("rma_status", rma.number), {"status": "complete"})
    rma.refresh_from_db()
    assert rma.status == RmaStatus.COMPLETE


def test_status_buttons_refuse_what_the_workflow_forbids(client, ops):
    order = make_completed_order()
    line = order.lines.get()
    client.post(url("rma_create", order.number), {f"qty_{line.pk}": "1"})
    rma = Rma.objects.get()
    forged = client.post(url("rma_status", rma.number), {"status": "received"}, follow=True)
    assert "Choisissez une des actions" in forged.text
    wrong = client.post(url("rma_status", rma.number), {"status": "complete"}, follow=True)
    assert "ne peut pas passer" in wrong.text
    client.post(url("rma_status", rma.number), {"status": "canceled"})
    rma.refresh_from_db()
    assert rma.status == RmaStatus.CANCELED
