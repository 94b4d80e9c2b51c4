from datetime import time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from hiboutik.errors import HiboutikPayloadError, HiboutikTimeZoneUnknown
from hiboutik.mappers.reference import (
    payment_type_from_payload,
    store_from_payload,
    tax_from_payload,
    warehouse_from_payload,
)
from hiboutik.mappers.webhooks import webhook_from_payload
from hiboutik.types import TIME_ZONE_UNKNOWN, PaymentType, Store, Warehouse, Webhook


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
    assert store == Store(1, "Lyon", True, 2, "EUR", "Europe/Paris", None)
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


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"store_time_zone": "Indian/Reunion"}, "Indian/Reunion"),
        ({"store_timezone": "Europe/Paris"}, "Europe/Paris"),
        ({}, TIME_ZONE_UNKNOWN),
        ({"store_time_zone": ""}, TIME_ZONE_UNKNOWN),
        ({"store_time_zone": "+04:00"}, TIME_ZONE_UNKNOWN),
        ({"store_time_zone": "Paris"}, TIME_ZONE_UNKNOWN),
        ({"store_time_zone": "../../etc/passwd"}, TIME_ZONE_UNKNOWN),
    ],
)
def test_a_store_time_zone_is_never_guessed(given, expected):
    store = store_from_payload({"store_id": 3, "store_name": "Saint-Denis", **given})
    assert store.time_zone == expected
    assert store.time_zone_known is (expected != TIME_ZONE_UNKNOWN)
    if store.time_zone_known:
        assert store.zone() == ZoneInfo(expected)
    else:
        with pytest.raises(HiboutikTimeZoneUnknown, match="configuration") as caught:
            store.zone()
        assert caught.value.store_id == 3


def test_store_day_start():
    assert store_from_payload({"store_id": 1, "store_day_start": "04:00"}).day_start == time(4)
    assert store_from_payload({"store_id": 1, "store_day_start": "garbage"}).day_start is None
    assert store_from_payload({"store_id": 1}).day_start is None


def test_payment_type_enabled_flag():
    assert payment_type_from_payload({"payment_type": "CB", "enabled": 0}).enabled is False
    assert payment_type_from_payload({"payment_type": "CB", "enabled": "1"}).enabled is True
    assert payment_type_from_payload({"payment_type": "CB"}).enabled is True
