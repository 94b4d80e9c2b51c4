"""The order history writers: message ids with parameters, or free text, never translated text."""

from decimal import Decimal

import pytest
from django.utils import translation

from sales.models import OrderEvent, OrderStatus
from sales.services import LineSpec, order_create
from sales.services.common import event_add, lines_add, status_set
from tests.sales.helpers import event_texts, table_counts

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store, mug):
    return order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])


def test_event_stores_the_message_id_and_params_whatever_language_is_active(order):
    for language in ("fr", "en"):
        with translation.override(language):
            event = event_add(
                order=order,
                kind=OrderEvent.Kind.SHIPPED,
                message="Shipment %(number)s from %(warehouse)s.",
                params={"number": "EXP-000001", "warehouse": "Dépôt (MAIN)"},
                data={"shipment_id": 1},
            )
        event.refresh_from_db()
        assert event.message == "Shipment %(number)s from %(warehouse)s."
        assert event.data == {
            "shipment_id": 1,
            "params": {"number": "EXP-000001", "warehouse": "Dépôt (MAIN)"},
        }
        assert event_texts(event) == (
            "Expédition EXP-000001 depuis Dépôt (MAIN).",
            "Shipment EXP-000001 from Dépôt (MAIN).",
        )


def test_message_without_params_still_gets_translated(order):
    event = event_add(order=order, kind=OrderEvent.Kind.CREATED, message="Order created.")
    assert event.data == {"params": {}}
    assert event_texts(event) == ("Commande créée.", "Order created.")


def test_note_is_stored_as_typed_without_params(order):
    event = event_add(order=order, kind=OrderEvent.Kind.NOTE, note="Order created. 100 %")
    event.refresh_from_db()
    assert (event.message, event.data) == ("Order created. 100 %", {})
    assert event_texts(event) == ("Order created. 100 %",) * 2


@pytest.mark.parametrize(
    ("arguments", "error"),
    [
        ({"message": "Order created.", "note": "typed"}, "not both"),
        ({"note": "typed", "params": {"amount": "1"}}, "no parameters"),
        ({"message": "Refund %(number)s of %(amount)s.", "params": {"number": "R1"}}, "amount"),
        ({"message": "Refund %(number)s of %(amount)s.", "params": None}, "number"),
        (
            {
                "message": "Refund %(number)s of %(amount)s.",
                "params": {"number": "R1", "amount": Decimal("1.50")},
            },
            "Decimal",
        ),
        ({"message": "Order created.", "data": {"params": {}}}, "reserved"),
    ],
)
def test_bad_events_are_refused_and_write_nothing(order, arguments, error):
    before = table_counts()
    with pytest.raises(ValueError, match=error):
        event_add(order=order, kind=OrderEvent.Kind.REFUND, **arguments)
    assert table_counts() == before


def test_status_change_stores_codes_shown_as_labels_of_the_reader(order):
    with translation.override("fr"):
        assert status_set(order, OrderStatus.PROCESSING)
    event = order.events.get(kind=OrderEvent.Kind.STATUS)
    assert event.message == "Status changed from %(old_status)s to %(new_status)s."
    assert event.data == {"params": {"old_status": "new", "new_status": "processing"}}
    assert (event.old_status, event.new_status) == ("new", "processing")
    assert event_texts(event) == (
        "Statut passé de Nouvelle à En cours.",
        "Status changed from New to Processing.",
    )


def test_status_change_with_a_note_keeps_the_codes_and_shows_the_note(order):
    status_set(order, OrderStatus.CANCELED, kind=OrderEvent.Kind.CANCELED, note="Rupture")
    event = order.events.get(kind=OrderEvent.Kind.CANCELED)
    assert (event.message, event.data) == ("Rupture", {})
    assert (event.old_status, event.new_status) == ("new", "canceled")
    assert event_texts(event) == ("Rupture", "Rupture")


def test_unchanged_status_records_nothing(order):
    assert not status_set(order, OrderStatus.NEW)
    assert order.events.count() == 1


def test_lines_add_gives_each_line_its_own_quantity_in_one_update(
    store, mug, book, django_assert_num_queries
):
    order = order_create(
        store=store, lines=[LineSpec(product=mug, quantity=3), LineSpec(product=book, quantity=2)]
    )
    mug_line, book_line = order.lines.order_by("position")
    with django_assert_num_queries(1):
        lines_add("qty_invoiced", {mug_line.pk: 2, book_line.pk: 1})
    with django_assert_num_queries(1):
        lines_add("qty_invoiced", {mug_line.pk: -1, book_line.pk: 0})
    with django_assert_num_queries(0):
        lines_add("qty_invoiced", {book_line.pk: 0})
    assert list(order.lines.order_by("position").values_list("qty_invoiced", flat=True)) == [1, 1]
