import pytest
from django.db import IntegrityError, transaction

from sales.models import Order, OrderEvent, Rma
from sales.services import LineSpec, order_create
from tests.factories import make_source
from tests.sales.helpers import event_texts

pytestmark = pytest.mark.django_db


def _copy(order: Order, **changes) -> Order:
    fields = {
        "number": order.number + "-copy",
        "store": order.store,
        "warehouse": order.warehouse,
        "integration": order.integration,
        "external_reference": order.external_reference,
    }
    return Order(**{**fields, **changes})


def test_database_refuses_a_second_order_for_one_external_reference(store, mug):
    order = order_create(
        store=store,
        lines=[LineSpec(product=mug, quantity=1)],
        integration=make_source("hiboutik"),
        external_reference="12",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        _copy(order).save()
    _copy(order, number="other-source", integration=make_source("shop")).save()


def test_orders_without_external_reference_do_not_collide(store, mug):
    first = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    _copy(first, number="manual-2").save()
    assert Order.objects.filter(external_reference="").count() == 2


def test_database_refuses_a_second_rma_for_one_external_reference(store, mug):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    Rma.objects.create(
        number="R1", order=order, integration=make_source("pos"), external_reference="x"
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Rma.objects.create(
            number="R2", order=order, integration=make_source("pos"), external_reference="x"
        )
    Rma.objects.create(number="R3", order=order)
    Rma.objects.create(number="R4", order=order)


def test_order_line_quantities_stay_coherent_in_the_database(store, mug):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=2)])
    line = order.lines.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        type(line).objects.filter(pk=line.pk).update(qty_shipped=3)
    with pytest.raises(IntegrityError), transaction.atomic():
        type(line).objects.filter(pk=line.pk).update(qty_returned=1)
    assert str(line) == f"{order.number} · MUG-BLANC × 2"
    assert str(order) == order.number


# --- Order events: text in the reader's language -----------------------------------------------


@pytest.fixture
def order(store, mug):
    return order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])


def _event(order: Order, message: str, data: dict | None = None, **fields) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, kind="status", message=message, data=data or {}, **fields
    )


def test_event_message_id_is_translated_for_each_reader(order):
    event = _event(order, "Order created.", {"params": {}})
    assert event_texts(event) == ("Commande créée.", "Order created.")


def test_event_status_codes_become_labels_of_the_reader(order):
    event = _event(
        order,
        "Status changed from %(old_status)s to %(new_status)s.",
        {"params": {"old_status": "new", "new_status": "processing"}},
    )
    assert event_texts(event) == (
        "Statut passé de Nouvelle à En cours.",
        "Status changed from New to Processing.",
    )


def test_event_return_status_codes_use_the_return_labels(order):
    event = _event(
        order,
        "Return %(number)s: %(old_rma_status)s → %(new_rma_status)s.",
        {
            "params": {
                "number": "RMA-1",
                "old_rma_status": "authorized",
                "new_rma_status": "received",
            }
        },
    )
    assert event_texts(event) == (
        "Retour RMA-1 : Autorisé → Reçu.",
        "Return RMA-1: Authorized → Received.",
    )


def test_event_amounts_are_formatted_for_the_reader(order):
    event = _event(
        order,
        "Payment of %(amount)s by %(method)s.",
        {"params": {"amount": "1234.5", "currency": "EUR", "method": "Carte bancaire"}},
    )
    assert event_texts(event) == (
        "Paiement de 1\u202f234,50\u00a0€ par Carte bancaire.",
        "Payment of €1,234.50 by Carte bancaire.",
    )


def test_event_free_text_is_shown_verbatim_even_when_it_looks_like_a_message_id(order):
    # Without params the message is text someone typed: never looked up in the catalogue,
    # never %-formatted.
    for typed in ("Order created.", "Remise 10 % — voir %(note)s", "Client injoignable"):
        event = _event(order, typed)
        assert event_texts(event) == (typed, typed)


def test_event_written_before_message_ids_is_shown_as_stored(order):
    event = _event(order, "Statut passé de Nouvelle à En cours.", {"payment_id": 3})
    assert event.params is None
    assert event_texts(event) == ("Statut passé de Nouvelle à En cours.",) * 2


def test_event_unknown_status_code_is_shown_as_the_code(order):
    event = _event(
        order,
        "Status changed from %(old_status)s to %(new_status)s.",
        {"params": {"old_status": "new", "new_status": "on_hold"}},
    )
    assert event_texts(event)[1] == "Status changed from New to on_hold."


def test_event_with_params_that_do_not_fit_shows_its_message_id_and_never_fails(order):
    event = _event(order, "Invoice %(number)s created (%(total)s).", {"params": {"total": "1"}})
    assert event_texts(event) == ("Invoice %(number)s created (%(total)s).",) * 2


@pytest.mark.parametrize("data", [[], {"params": ["x"]}, {"params": None}, "text"])
def test_event_with_malformed_data_shows_its_message_as_stored(order, data):
    event = _event(order, "Order created.", data)
    assert event.params is None
    assert event_texts(event) == ("Order created.", "Order created.")


def test_empty_event_message_stays_empty(order):
    # gettext("") would return the catalogue's header.
    assert event_texts(_event(order, "", {"params": {}})) == ("", "")
