from datetime import date

import pytest

from hiboutik.errors import HiboutikPayloadError
from hiboutik.mappers.customers import customer_create_payload, customer_from_payload
from hiboutik.types import NewCustomer


def test_read_shape_uses_unprefixed_names():
    customer = customer_from_payload(
        {
            "customers_id": 12,
            "last_name": "Martin",
            "first_name": "Léa",
            "email": "lea@example.fr",
            "phone": "0600000000",
            "country": "FRA",
            "date_of_birth": "0000-00-00",
            "customers_ref_ext": "C-1",
        }
    )
    assert customer.customer_id == 12
    assert customer.email == "lea@example.fr"
    assert customer.country == "FRA"  # alpha-3 accepted on read
    assert customer.date_of_birth is None
    assert customer.ref_ext == "C-1"


def test_create_payload_uses_prefixed_names_and_skips_blanks():
    payload = customer_create_payload(
        NewCustomer(
            first_name="Léa",
            last_name="Martin",
            email="lea@example.fr",
            country="fr",
            date_of_birth=date(1990, 5, 17),
        )
    )
    assert payload == {
        "customers_first_name": "Léa",
        "customers_last_name": "Martin",
        "customers_email": "lea@example.fr",
        "customers_country": "FR",
        "customers_birth_date": "1990-05-17",
    }


def test_create_payload_refuses_an_anonymous_customer_or_alpha3_country():
    with pytest.raises(HiboutikPayloadError, match="at least"):
        customer_create_payload(NewCustomer(phone="0600000000"))
    with pytest.raises(HiboutikPayloadError, match="alpha-2"):
        customer_create_payload(NewCustomer(last_name="Martin", country="FRA"))
