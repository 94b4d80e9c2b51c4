import threading

import pytest
from django.db import connection, transaction

from sales.models import Sequence
from sales.services.numbers import next_number

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


def value_of(number: str) -> int:
    return int(number.split("-")[1])


def test_invoices_and_credit_notes_are_numbered_from_one_without_gaps():
    assert [next_number("invoice") for _ in range(3)] == ["FAC-000001", "FAC-000002", "FAC-000003"]
    assert next_number("refund") == "AVO-000001"
    assert Sequence.objects.get(name="invoice").last_value == 3


@pytest.mark.parametrize(
    ("kind", "prefix"), [("order", "CMD"), ("shipment", "EXP"), ("rma", "RMA")]
)
def test_orders_shipments_and_returns_have_their_prefix_and_increasing_numbers(kind, prefix):
    first, second = next_number(kind), next_number(kind)
    assert first.startswith(f"{prefix}-") and second.startswith(f"{prefix}-")
    assert value_of(second) > value_of(first) > 0


def test_a_rolled_back_invoice_gives_its_number_back():
    assert next_number("invoice") == "FAC-000001"
    with pytest.raises(Rollback), transaction.atomic():
        assert next_number("invoice") == "FAC-000002"
        raise Rollback
    assert next_number("invoice") == "FAC-000002"


def test_unknown_kind_is_a_programming_error():
    with pytest.raises(KeyError):
        next_number("receipt")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_an_order_number_never_waits_for_a_transaction_that_took_one():
    """Order numbers may skip one (a rolled-back import keeps its number) but never make two
    imports queue; an invoice number waits for the transaction holding the previous one, so
    the invoices' series has no gap."""
    taken, release = threading.Event(), threading.Event()
    held: dict[str, str] = {}

    def open_transaction() -> None:
        try:
            with transaction.atomic():
                held["order"] = next_number("order")
                held["invoice"] = next_number("invoice")
                taken.set()
                release.wait(timeout=10)
                raise Rollback
        except Rollback:
            pass
        finally:
            connection.close()

    other = threading.Thread(target=open_transaction)
    other.start()
    try:
        assert taken.wait(timeout=10)
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '500ms'")
            order = next_number("order")
        assert value_of(order) > value_of(held["order"])
        with pytest.raises(Exception, match="lock timeout"), transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '200ms'")
            next_number("invoice")
    finally:
        release.set()
        other.join()
    # Rolled back: the invoice number is given again, the order number is not.
    assert next_number("invoice") == held["invoice"]
    assert value_of(next_number("order")) > value_of(order)
