from decimal import Decimal

import pytest

from sales.exceptions import InvalidOrder, NothingToInvoice
from sales.models import OrderStatus
from sales.services import LineSpec, order_cancel, order_create, order_invoice
from tests.sales.helpers import event_texts
from tests.sales.services.query_counts import queries_of, stocked

pytestmark = pytest.mark.django_db


def test_invoice_everything(store, mug, book):
    order = order_create(
        store=store,
        lines=[LineSpec(product=mug, quantity=2), LineSpec(product=book, quantity=1)],
        shipping_amount="4.80",
    )
    invoice = order_invoice(order=order)
    assert invoice.number.startswith("FAC-")
    assert invoice.grand_total == order.grand_total
    assert invoice.subtotal == order.subtotal
    assert invoice.tax_total == order.tax_total
    assert invoice.shipping_amount == order.shipping_amount == Decimal("4.00")
    assert [line.qty_invoiced for line in order.lines.all()] == [2, 1]
    assert order.status == OrderStatus.PROCESSING
    assert list(order.events.values_list("kind", flat=True)) == ["created", "invoiced", "status"]


def test_partial_invoices_add_up_to_the_order_exactly(store, book):
    order = order_create(
        store=store,
        lines=[LineSpec(product=book, quantity=3, unit_price_incl_tax="3.33")],
        shipping_amount="2",
    )
    line = order.lines.get()
    first = order_invoice(order=order, quantities={line: 1})
    second = order_invoice(order=order, quantities={line.pk: 1})
    third = order_invoice(order=order)
    invoices = [first, second, third]
    assert sum(invoice.grand_total for invoice in invoices) == order.grand_total
    assert sum(invoice.tax_total for invoice in invoices) == order.tax_total
    assert [invoice.shipping_amount > 0 for invoice in invoices] == [True, False, False]
    with pytest.raises(NothingToInvoice):
        order_invoice(order=order)


def test_invoice_quantities_are_checked(store, mug, book):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=2)])
    other = order_create(store=store, lines=[LineSpec(product=book, quantity=1)])
    line = order.lines.get()
    with pytest.raises(InvalidOrder):
        order_invoice(order=order, quantities={line: 3})
    with pytest.raises(InvalidOrder):
        order_invoice(order=order, quantities={other.lines.get(): 1})
    with pytest.raises(NothingToInvoice):
        order_invoice(order=order, quantities={line: 0})
    assert not order.invoices.exists()


def test_a_line_given_twice_is_refused(store, mug):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=2)])
    line = order.lines.get()
    with pytest.raises(InvalidOrder, match="Line MUG-BLANC is given twice"):
        order_invoice(order=order, quantities={line: 1, line.pk: 1})
    assert not order.invoices.exists()
    line.refresh_from_db()
    assert line.qty_invoiced == 0


def test_canceled_order_cannot_be_invoiced(store, mug):
    order = order_create(store=store, lines=[LineSpec(product=mug, quantity=1)])
    order_cancel(order=order)
    with pytest.raises(NothingToInvoice):
        order_invoice(order=order)


def test_invoice_event_shows_the_total_and_statuses_for_the_reader(store, mug):
    order = order_create(
        store=store, lines=[LineSpec(product=mug, quantity=100)], reserve_stock=False
    )
    invoice = order_invoice(order=order)
    invoiced, status = order.events.filter(kind__in=["invoiced", "status"]).order_by("pk")
    assert invoiced.message == "Invoice %(number)s created (%(total)s)."
    assert invoiced.params == {"number": invoice.number, "total": "1200.00", "currency": "EUR"}
    assert event_texts(invoiced) == (
        f"Facture {invoice.number} créée (1\u202f200,00\u00a0€).",
        f"Invoice {invoice.number} created (€1,200.00).",
    )
    assert event_texts(status) == (
        "Statut passé de Nouvelle à En cours.",
        "Status changed from New to Processing.",
    )


def test_invoicing_queries_do_not_grow_with_the_lines(
    store, warehouse, django_assert_max_num_queries
):
    products = stocked(warehouse, 10)
    orders = [
        order_create(store=store, lines=[LineSpec(product=p, quantity=2) for p in chosen])
        for chosen in (products[:1], products[:1], products)
    ]
    order_invoice(order=orders[0])  # warm-up
    one = queries_of(lambda: order_invoice(order=orders[1]))
    with django_assert_max_num_queries(13) as ten:
        invoice = order_invoice(order=orders[2])
    assert len(ten) == len(one)
    assert invoice.lines.count() == 10
    assert set(orders[2].lines.values_list("qty_invoiced", flat=True)) == {2}
