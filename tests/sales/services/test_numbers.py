import pytest

from sales.models import Sequence
from sales.services.numbers import next_number

pytestmark = pytest.mark.django_db


def test_each_kind_has_its_own_counter_and_prefix():
    assert next_number("order") == "CMD-000001"
    assert next_number("order") == "CMD-000002"
    assert next_number("invoice") == "FAC-000001"
    assert Sequence.objects.get(name="order").last_value == 2


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(KeyError):
        next_number("receipt")
