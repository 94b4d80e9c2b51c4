"""Events written before message ids: recognised ones follow the reader's language, the rest
stay exactly as stored."""

from importlib import import_module

import pytest
from django.apps import apps

from sales.models import OrderEvent
from sales.services import LineSpec, order_create
from tests.sales.helpers import event_texts

migration = import_module("sales.migrations.0002_orderevent_message_ids")

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(store, mug):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    order.events.all().delete()
    return order


def old_event(order, kind: str, message: str, data: dict | None = None, **fields) -> OrderEvent:
    return OrderEvent.objects.create(
        order=order, kind=kind, message=message, data=data or {}, **fields
    )


def migrate(event: OrderEvent) -> OrderEvent:
    migration.to_message_ids(apps, None)
    event.refresh_from_db()
    return event


@pytest.mark.parametrize(
    ("kind", "message", "data", "fields", "message_id", "params", "texts"),
    [
        (
            "created",
            "Commande créée.",
            {"external_source": ""},
            {},
            "Order created.",
            {},
            ("Commande créée.", "Order created."),
        ),
        (
            "status",
            "Status changed from New to Processing.",
            {},
            {"old_status": "new", "new_status": "processing"},
            "Status changed from %(old_status)s to %(new_status)s.",
            {"old_status": "new", "new_status": "processing"},
            ("Statut passé de Nouvelle à En cours.", "Status changed from New to Processing."),
        ),
        (
            "canceled",
            "Commande annulée.",
            {},
            {"old_status": "new", "new_status": "canceled"},
            "Order canceled.",
            {"old_status": "new", "new_status": "canceled"},
            ("Commande annulée.", "Order canceled."),
        ),
        (
            "payment",
            "Paiement de 12.00 par Chèque par courrier.",
            {"payment_id": 4, "amount": "12.00"},
            {},
            "Payment of %(amount)s by %(method)s.",
            {"amount": "12.00", "currency": "EUR", "method": "Chèque par courrier"},
            (
                "Paiement de 12,00\u00a0€ par Chèque par courrier.",
                "Payment of €12.00 by Chèque par courrier.",
            ),
        ),
        (
            "invoiced",
            "Invoice FAC-000001 created (1234.50).",
            {"invoice": "FAC-000001"},
            {},
            "Invoice %(number)s created (%(total)s).",
            {"number": "FAC-000001", "total": "1234.50", "currency": "EUR"},
            (
                "Facture FAC-000001 créée (1\u202f234,50\u00a0€).",
                "Invoice FAC-000001 created (€1,234.50).",
            ),
        ),
        (
            "shipped",
            "Expédition EXP-000001 depuis Dépôt principal (MAIN).",
            {},
            {},
            "Shipment %(number)s from %(warehouse)s.",
            {"number": "EXP-000001", "warehouse": "Dépôt principal (MAIN)"},
            (
                "Expédition EXP-000001 depuis Dépôt principal (MAIN).",
                "Shipment EXP-000001 from Dépôt principal (MAIN).",
            ),
        ),
        (
            "stock_forced",
            "Missing stock added to import the order: MUG +1, LIVRE +2.",
            {"forced": {"MUG": 1, "LIVRE": 2}},
            {},
            "Missing stock added to import the order: %(skus)s.",
            {"skus": "MUG +1, LIVRE +2"},
            (
                "Stock manquant ajouté pour importer la commande : MUG +1, LIVRE +2.",
                "Missing stock added to import the order: MUG +1, LIVRE +2.",
            ),
        ),
        (
            "rma",
            "Retour RMA-000001 créé (Autorisé).",
            {"rma_id": 1, "status": "authorized"},
            {},
            "Return %(number)s created (%(rma_status)s).",
            {"number": "RMA-000001", "rma_status": "authorized"},
            ("Retour RMA-000001 créé (Autorisé).", "Return RMA-000001 created (Authorized)."),
        ),
        (
            "rma",
            "Return RMA-000001: Authorized → Received.",
            {"rma_id": 1, "old_status": "authorized", "new_status": "received"},
            {},
            "Return %(number)s: %(old_rma_status)s → %(new_rma_status)s.",
            {"number": "RMA-000001", "old_rma_status": "authorized", "new_rma_status": "received"},
            ("Retour RMA-000001 : Autorisé → Reçu.", "Return RMA-000001: Authorized → Received."),
        ),
        (
            "refund",
            "Remboursement AVO-000001 de 11.57.",
            {"refund_id": 1, "amount": "11.57"},
            {},
            "Refund %(number)s of %(amount)s.",
            {"number": "AVO-000001", "amount": "11.57", "currency": "EUR"},
            ("Remboursement AVO-000001 de 11,57\u00a0€.", "Refund AVO-000001 of €11.57."),
        ),
    ],
)
def test_old_messages_become_message_ids_in_either_language(
    order, kind, message, data, fields, message_id, params, texts
):
    event = migrate(old_event(order, kind, message, data, **fields))
    assert event.message == message_id
    assert event.data == {**data, "params": params}
    assert event_texts(event) == texts


@pytest.mark.parametrize(
    ("kind", "message", "data"),
    [
        ("note", "Commande créée.", {}),  # a note is free text, whatever it says
        ("canceled", "Client injoignable", {}),  # a cancel reason
        ("rma", "Retour RMA-1 créé (Autorisé).", {}),  # the status code is nowhere to be found
        ("invoiced", "Invoice FAC-1 created (beaucoup).", {}),  # not an amount we wrote
        ("refund", "Refund AVO-1 of 1.00", {}),  # final full stop missing: not our wording
        ("status", "Statut passé de Nouvelle à En cours.", {}),  # no status codes on the row
        ("created", "Order created.", {"params": {"x": "y"}}),  # already rewritten
    ],
)
def test_other_old_messages_stay_as_stored(order, kind, message, data):
    event = old_event(order, kind, message, data)
    migrated = migrate(event)
    assert (migrated.message, migrated.data) == (message, data)


def test_many_events_are_rewritten_in_batches(order, monkeypatch):
    monkeypatch.setattr(migration, "BATCH", 3)
    OrderEvent.objects.bulk_create(
        OrderEvent(order=order, kind="created", message="Commande créée.") for _ in range(7)
    )
    migration.to_message_ids(apps, None)
    assert set(order.events.values_list("message", flat=True)) == {"Order created."}
    assert all(event.params == {} for event in order.events.all())


def test_going_back_leaves_readable_english_without_params(order):
    new = old_event(
        order,
        "refund",
        "Refund %(number)s of %(amount)s.",
        {"refund_id": 1, "params": {"number": "AVO-1", "amount": "5.00", "currency": "EUR"}},
    )
    broken = old_event(order, "invoiced", "Invoice %(number)s.", {"params": {}})
    note = old_event(order, "note", "Appeler le client", {})
    migration.to_stored_text(apps, None)
    for event in (new, broken, note):
        event.refresh_from_db()
    assert (new.message, new.data) == ("Refund AVO-1 of 5.00.", {"refund_id": 1})
    assert (broken.message, broken.data) == ("Invoice %(number)s.", {})
    assert (note.message, note.data) == ("Appeler le client", {})
