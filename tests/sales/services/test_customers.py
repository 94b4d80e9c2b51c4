import pytest

from sales.exceptions import InvalidCustomer
from sales.models import Customer, CustomerGroup
from sales.services import customer_create, customer_get_by_email, customer_update

pytestmark = pytest.mark.django_db


def test_create_normalises_email_and_country():
    group = CustomerGroup.objects.create(code="vip", name="VIP")
    customer = customer_create(
        email="  Anne.Martin@Exemple.FR ",
        first_name=" Anne ",
        last_name="Martin",
        country="fr",
        group=group,
    )
    assert (customer.email, customer.first_name, customer.country) == (
        "anne.martin@exemple.fr",
        "Anne",
        "FR",
    )
    assert customer_get_by_email("ANNE.MARTIN@exemple.fr") == customer
    assert customer_get_by_email("") is None
    assert str(customer) == "Anne Martin"


@pytest.mark.parametrize(
    "fields",
    [
        {"email": "pas-un-email"},
        {"email": "a@b.fr", "country": "FRA"},
        {"email": "a@b.fr", "group": "vip"},
        {"email": "a@b.fr", "shoe_size": 42},
        {},
    ],
)
def test_create_rejects_bad_data(fields):
    with pytest.raises(InvalidCustomer):
        customer_create(**fields)
    assert not Customer.objects.exists()


def test_email_is_unique_case_insensitively():
    customer_create(email="a@b.fr", last_name="A")
    with pytest.raises(InvalidCustomer, match="already exists"):
        customer_create(email="A@B.FR", last_name="B")
    other = customer_create(email="c@d.fr", last_name="C")
    with pytest.raises(InvalidCustomer):
        customer_update(customer=other, email="a@b.fr")
    other.refresh_from_db()
    assert other.email == "c@d.fr"


def test_customers_without_email_do_not_collide():
    customer_create(last_name="Sans email")
    customer_create(company="Sans email SARL")
    assert Customer.objects.filter(email="").count() == 2


def test_update_reports_real_changes_only():
    customer = customer_create(email="a@b.fr", city="Lyon")
    stamp = customer.updated_at
    assert customer_update(customer=customer, city="Lyon") == []
    assert customer_update(customer=customer, city="Paris", phone="0102030405") == [
        "city",
        "phone",
    ]
    customer.refresh_from_db()
    assert (customer.city, customer.phone) == ("Paris", "0102030405")
    assert customer.updated_at > stamp
