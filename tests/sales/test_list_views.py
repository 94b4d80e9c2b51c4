"""The lists of orders, returns and customers: date ranges, sortable columns, the CSV export of
the filtered list, the refund column, and pages out of range."""

import csv
import io
from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.urls import reverse

from sales.models import Order, Rma
from sales.views import OrderListView
from tests.factories import (
    make_completed_order,
    make_customer,
    make_ops,
    make_order,
    make_rma,
    make_store,
)

pytestmark = pytest.mark.django_db

ORDERS = reverse("sales:order_list")
RETURNS = reverse("sales:rma_list")
CUSTOMERS = reverse("sales:customer_list")


@pytest.fixture
def ops_client(client):
    client.force_login(make_ops())
    return client


def placed(order, when: datetime) -> Order:
    Order.objects.filter(pk=order.pk).update(placed_at=when)
    return order


def numbers(response) -> list[str]:
    return [order.number for order in response.context["object_list"]]


def exported(response) -> list[list[str]]:
    assert response.streaming
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def test_orders_between_two_dates_in_the_shops_time_zone(ops_client):
    # 23:30 UTC on 9 March is 00:30 on 10 March in Paris.
    early = placed(make_order(), datetime(2026, 3, 9, 23, 30, tzinfo=UTC))
    middle = placed(make_order(), datetime(2026, 3, 12, 10, 0, tzinfo=UTC))
    late = placed(make_order(), datetime(2026, 3, 15, 10, 0, tzinfo=UTC))

    response = ops_client.get(ORDERS, {"date_from": "2026-03-10", "date_to": "2026-03-12"})

    assert set(numbers(response)) == {early.number, middle.number}
    assert late.number not in numbers(response)
    assert set(numbers(ops_client.get(ORDERS, {"date_from": "2026-03-13"}))) == {late.number}
    # A garbled date drops that filter only.
    assert len(numbers(ops_client.get(ORDERS, {"date_from": "13/03/2026x"}))) == 3


def test_returns_between_two_dates(ops_client):
    first = make_rma(make_completed_order())
    second = make_rma(make_completed_order())
    Rma.objects.filter(pk=first.pk).update(created_at=datetime(2026, 1, 5, 9, tzinfo=UTC))
    response = ops_client.get(RETURNS, {"date_to": "2026-01-31"})
    assert [rma.number for rma in response.context["object_list"]] == [first.number]
    assert second.number not in response.text


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ("total", ["small", "medium", "large"]),
        ("-total", ["large", "medium", "small"]),
        ("date", ["large", "small", "medium"]),
        ("-date", ["medium", "small", "large"]),
        ("nonsense", ["medium", "small", "large"]),  # the default: newest first
    ],
)
def test_orders_sort_by_a_column_either_way(ops_client, sort, expected):
    orders = {}
    for name, quantity, day in (("small", 1, 2), ("medium", 2, 3), ("large", 5, 1)):
        order = make_order(quantity=quantity)
        orders[order.number] = name
        placed(order, datetime(2026, 3, day, 10, tzinfo=UTC))
    response = ops_client.get(ORDERS, {"sort": sort})
    assert [orders[number] for number in numbers(response)] == expected


def test_a_sorted_header_links_to_the_other_way_and_keeps_the_filters(ops_client):
    make_order()
    response = ops_client.get(ORDERS, {"sort": "total", "status": "new", "page": "1"})
    assert 'aria-sort="ascending"' in response.text
    assert 'href="?sort=-total&amp;status=new"' in response.text
    assert 'href="?sort=number&amp;status=new"' in response.text


def test_the_export_is_the_whole_filtered_list_streamed(ops_client, monkeypatch):
    monkeypatch.setattr(OrderListView, "paginate_by", 2)
    lyon, paris = make_store(name="Lyon"), make_store(name="Paris")
    customer = make_customer(first_name="=HYPERLINK(1)", last_name="", email="x@example.fr")
    in_lyon = [make_order(lyon) for _ in range(3)]
    make_order(lyon, customer=customer)
    make_order(paris)

    response = ops_client.get(ORDERS, {"store": lyon.pk, "format": "csv", "sort": "number"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="orders.csv"'
    rows = exported(response)
    assert rows[0][:3] == ["Commande", "Date", "Client"]
    assert len(rows) == 1 + 4  # every Lyon order, not one page
    assert [row[0] for row in rows[1:4]] == sorted(order.number for order in in_lyon)
    assert rows[1][-1] == "12,00"  # French decimals
    assert rows[4][2] == "'=HYPERLINK(1)"  # a formula stays text


def test_the_export_in_english_uses_commas(ops_client):
    make_order()
    response = ops_client.get(ORDERS, {"format": "csv"}, headers={"accept-language": "en"})
    text = b"".join(response.streaming_content).decode("utf-8")
    header, row = list(csv.reader(io.StringIO(text[1:])))
    assert header[0] == "Order" and row[-1] == "12.00"


def test_the_export_needs_the_list_permission(client):
    client.force_login(make_ops())
    assert client.get(ORDERS, {"format": "csv"}).status_code == 200
    client.logout()
    assert client.get(ORDERS, {"format": "csv"}).status_code == 302


def test_returns_show_what_was_refunded(ops_client):
    refunded = make_rma(make_completed_order(), refund=True)
    pending = make_rma(make_completed_order())
    response = ops_client.get(RETURNS)
    rows = {rma.number: rma.refunded for rma in response.context["object_list"]}
    assert rows == {refunded.number: Decimal("12.00"), pending.number: Decimal("0")}
    assert "12,00\u00a0€" in response.text
    sorted_rows = ops_client.get(RETURNS, {"sort": "-refunded"}).context["object_list"]
    assert [rma.number for rma in sorted_rows] == [refunded.number, pending.number]
    export = exported(ops_client.get(RETURNS, {"format": "csv", "sort": "-refunded"}))
    assert export[1][7] == "12,00" and export[2][7] == "0,00"


def test_customers_sort_and_export(ops_client):
    make_customer(first_name="Zoé", last_name="Arnaud", city="Lyon")
    make_customer(first_name="Hugo", last_name="Bernard", city="Brest")
    by_city = ops_client.get(CUSTOMERS, {"sort": "city"}).context["object_list"]
    assert [c.city for c in by_city] == ["Brest", "Lyon"]
    rows = exported(ops_client.get(CUSTOMERS, {"format": "csv"}))
    assert [row[0] for row in rows[1:]] == ["Zoé Arnaud", "Hugo Bernard"]


@pytest.mark.parametrize("url", [ORDERS, RETURNS, CUSTOMERS])
@pytest.mark.parametrize(("page", "shown"), [("abc", 1), ("0", 1), ("-1", 1), ("5", 1)])
def test_a_page_out_of_range_opens_the_nearest_one(ops_client, url, page, shown):
    response = ops_client.get(url, {"page": page})
    assert response.status_code == 200
    assert response.context["page_obj"].number == shown


def test_customers_are_under_sales_in_the_menu(ops_client):
    menu = ops_client.get(ORDERS).context["menu"]
    sales = next(section for section in menu if section["label"] == "Ventes")
    assert [item["label"] for item in sales["items"]] == ["Commandes", "Retours clients", "Clients"]
