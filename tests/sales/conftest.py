from datetime import UTC, datetime

import pytest
from django.utils import translation

from sales.models import PaymentMethod, ShippingMethod, Store
from tests.inventory.factories import make_product, make_warehouse


@pytest.fixture
def warehouse():
    return make_warehouse("MAIN", "Dépôt principal")


@pytest.fixture
def other_warehouse():
    return make_warehouse("SHOP", "Réserve boutique")


@pytest.fixture
def store(warehouse):
    return Store.objects.create(code="PARIS", name="Boutique Paris", default_warehouse=warehouse)


@pytest.fixture
def mug(warehouse):
    """12.00 incl. tax (20 %), 10 in stock."""
    return make_product("MUG-BLANC", price="10", tax_rate="20", stock={warehouse: 10})


@pytest.fixture
def book(warehouse):
    """5.275 excl. tax at 5.5 % = 5.57 incl. tax, 4 in stock."""
    return make_product("LIVRE-POCHE", price="5.2750", tax_rate="5.5", stock={warehouse: 4})


@pytest.fixture
def card():
    return PaymentMethod.objects.create(code="card", name="Carte bancaire")


@pytest.fixture
def cash():
    return PaymentMethod.objects.create(code="cash", name="Espèces")


@pytest.fixture
def pickup():
    return ShippingMethod.objects.create(code="pickup", name="Retrait en magasin")


@pytest.fixture
def placed_at():
    return datetime(2026, 3, 14, 10, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english_messages():
    """Error messages are asserted in English (the msgids); French is the site default."""
    with translation.override("en"):
        yield
