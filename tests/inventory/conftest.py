import pytest
from django.utils import translation

from tests.inventory.factories import make_product, make_warehouse


@pytest.fixture
def warehouse():
    return make_warehouse("MAIN", "Dépôt principal")


@pytest.fixture
def other_warehouse():
    return make_warehouse("SHOP", "Réserve boutique")


@pytest.fixture
def product(warehouse):
    return make_product("TSHIRT-BLEU-M", price="12.5000", stock={warehouse: 10})


@pytest.fixture(autouse=True)
def english_messages():
    """Error messages are asserted in English (the msgids); French is the site default."""
    with translation.override("en"):
        yield
