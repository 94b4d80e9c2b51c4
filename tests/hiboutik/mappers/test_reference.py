from decimal import Decimal

import pytest

from hiboutik.errors import HiboutikPayloadError
from hiboutik.mappers.reference import (
    payment_type_from_payload,
    store_from_payload,
    tax_from_payload,
    warehouse_from_payload,
)
from hiboutik.mappers.webhooks import webhook_from_payload
from hiboutik.types import PaymentType, Store, Warehouse, Webhook


def test_tax_rate_is_a_fraction():
    tax = tax_from_payload(
        {"tax_id": 3, "tax_value": "0.05500", "tax_name": "TVA 5,5", "tax_enabled": 1}
    )
    assert tax.rate == Decimal("0.055")
    assert tax.percent == Decimal("5.5")
    assert tax.enabled
    assert not tax.default


def test_tax_without_value_is_refused():
    with pytest.raises(HiboutikPayloadError, match="tax_value"):
        tax_from_payload({"tax_id": 3})


def test_store_warehouse_and_payment_type():
    store = store_from_payload(
        {
            "store_id": 1,
            "store_name": "Lyon",
            "store_enabled": 1,
            "warehouse_id": 2,
            "store_default_currency": "EUR",
            "store_timezone": "Europe/Paris",
        }
    )
    assert store == Store(1, "Lyon", True, 2, "EUR", "Europe/Paris")
    assert warehouse_from_payload({"warehouse_id": "2", "warehouse_name": "Dépôt"}) == Warehouse(
        2, "Dépôt"
    )
    assert payment_type_from_payload({"payment_type": "CB "}) == PaymentType("CB")


def test_webhook_row():
    row = {
        "webhook_id": 4,
        "webhook_label": "Connect",
        "webhook_url": "https://c.example/h/abc",
        "webhook_action": "sale",
        "webhook_app_id_int": "connect",
    }
    assert webhook_from_payload(row) == Webhook(
        4, "https://c.example/h/abc", "sale", "Connect", "connect"
    )
