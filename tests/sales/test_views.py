"""Sales pages through the Django test client: rights, filters, tabs, languages, query counts."""

from datetime import UTC, datetime

import pytest
from django.urls import reverse

from sales.models import OrderEvent, OrderStatus
from sales.services import (
    LineSpec,
    PaymentSpec,
    order_cancel,
    order_import_complete,
    order_note_add,
)
from sales.views import OrderListView
from tests.factories import (
    grant,
    make_completed_order,
    make_customer,
    make_ops,
    make_order,
    make_payment_method,
    make_product,
    make_rma,
    make_shipping_method,
    make_source,
    make_store,
    make_user,
    set_stock,
)

pytestmark = pytest.mark.django_db

ORDERS = reverse("sales:order_list")


@pytest.fixture
def ops_client(client):
    client.force_login(make_ops())
    return client


def imported_order(store, reference: str = "1001"):
    product = make_product()
    set_stock(product, store.default_warehouse, 10)
    return order_import_complete(
        store=store,
        lines=[LineSpec(product=product, quantity=2)],
        payments=[PaymentSpec(method=make_payment_method(), amount=product.price_incl_tax * 2)],
        shipping_method=make_shipping_method(),
        integration=make_source("hiboutik"),
        external_reference=reference,
        placed_at=datetime(2026, 3, 14, 15, 30, tzinfo=UTC),
    )


def numbers(response) -> set[str]:
    return {order.number for order in response.context["object_list"]}


# --- Rights ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        ORDERS,
        reverse("sales:order_detail", args=["CMD-1"]),
        reverse("sales:rma_list"),
        reverse("sales:rma_detail", args=["RMA-1"]),
        reverse("sales:customer_list"),
        reverse("sales:customer_detail", args=[1]),
    ],
)
def test_every_sales_page_needs_login_then_the_right_permission(client, url):
    assert client.get(url).status_code == 302
    client.force_login(make_user())
    assert client.get(url).status_code == 403


def test_viewing_customers_does_not_reveal_their_orders_without_the_right(client):
    customer = make_customer()
    make_order(customer=customer)
    client.force_login(grant(make_user(), "sales.view_customer"))
    response = client.get(reverse("sales:customer_detail", args=[customer.pk]))
    assert response.status_code == 200
    assert not response.context["orders"]
    assert "CMD-" not in response.text


# --- Order list --------------------------------------------------------------------------------


def test_order_list_filters_by_search_store_status_and_source(ops_client):
    lyon, paris = make_store(name="Lyon"), make_store(name="Paris")
    lea = make_customer(first_name="Léa", last_name="Durand", email="lea@example.fr")
    native = make_order(lyon, customer=lea)
    canceled = make_order(paris, paid=False)
    order_cancel(order=canceled)
    pos = imported_order(paris, reference="98765")

    assert numbers(ops_client.get(ORDERS)) == {native.number, canceled.number, pos.number}
    assert numbers(ops_client.get(ORDERS, {"q": native.number})) == {native.number}
    assert numbers(ops_client.get(ORDERS, {"q": "LEA@example"})) == {native.number}
    assert numbers(ops_client.get(ORDERS, {"q": "Durand"})) == {native.number}
    assert numbers(ops_client.get(ORDERS, {"q": "98765"})) == {pos.number}
    assert numbers(ops_client.get(ORDERS, {"store": paris.pk})) == {canceled.number, pos.number}
    assert numbers(ops_client.get(ORDERS, {"status": OrderStatus.CANCELED})) == {canceled.number}
    assert numbers(ops_client.get(ORDERS, {"source": pos.integration_id})) == {pos.number}
    assert numbers(ops_client.get(ORDERS, {"source": "connect"})) == {
        native.number,
        canceled.number,
    }
    combined = ops_client.get(ORDERS, {"store": paris.pk, "source": "connect", "q": "CMD"})
    assert numbers(combined) == {canceled.number}


def test_order_list_ignores_only_the_filter_with_a_bad_value(ops_client):
    order = make_order()
    other = make_order()
    response = ops_client.get(ORDERS, {"status": "lost", "store": "abc", "q": order.number})
    assert response.status_code == 200
    assert numbers(response) == {order.number}
    assert other.number not in response.text


def test_order_list_paginates_and_keeps_the_filters(ops_client, monkeypatch):
    monkeypatch.setattr(OrderListView, "paginate_by", 2)
    store = make_store()
    for _ in range(3):
        make_order(store, paid=False)
    first = ops_client.get(ORDERS, {"store": store.pk})
    assert len(first.context["object_list"]) == 2
    assert f"?store={store.pk}&amp;page=2" in first.text
    second = ops_client.get(ORDERS, {"store": store.pk, "page": 2})
    assert len(second.context["object_list"]) == 1


def test_order_list_renders_money_and_labels_per_language(ops_client):
    make_order()  # one line at 12.00 incl. tax
    french = ops_client.get(ORDERS)
    assert "12,00\u00a0€" in french.text and "Commandes" in french.text
    english = ops_client.get(ORDERS, headers={"accept-language": "en"})
    assert "€12.00" in english.text and "Total incl. tax" in english.text


def test_order_list_query_count_does_not_grow_with_the_orders(
    ops_client, django_assert_max_num_queries
):
    store = make_store()
    customer = make_customer()
    for _ in range(12):
        make_order(store, customer=customer, paid=False)
    # session, user, permissions (2), notifications, stores, sources, count, page: 9 however
    # many orders there are.
    with django_assert_max_num_queries(9):
        response = ops_client.get(ORDERS)
    assert len(response.context["object_list"]) == 12


# --- Order detail ------------------------------------------------------------------------------


@pytest.fixture
def full_order():
    """Invoiced, shipped, returned and refunded: every tab has something to show."""
    order = make_completed_order(products=[make_product(), make_product()], quantity=2)
    rma = make_rma(order, refund=True, reason="Trop petit")
    return order, rma


def detail(client, order, tab: str | None = None, **kwargs):
    url = reverse("sales:order_detail", args=[order.number])
    return client.get(url, {"tab": tab} if tab else {}, **kwargs)


def test_order_detail_shows_each_tab(ops_client, full_order):
    order, rma = full_order
    lines = list(order.lines.all())
    expectations = {
        "lines": [lines[0].sku, lines[1].sku, "Total TTC"],
        "payments": ["Carte bancaire", order.refunds.get().number],
        "invoices": [order.invoices.get().number],
        "shipments": [order.shipments.get().number, f"{lines[0].sku}</span> × 2"],
        "rma": [rma.number, "Autorisé"],
        "history": ["<td>Créée</td>", "Clôturée"],
    }
    for tab, snippets in expectations.items():
        response = detail(ops_client, order, tab)
        assert response.status_code == 200
        assert response.context["active_tab"] == tab
        assert f'id="tab-{tab}" aria-controls="tab-panel"\n       aria-selected="true"' in (
            response.text
        )
        for snippet in snippets:
            assert snippet in response.text, (tab, snippet)


def test_order_detail_tab_counts(ops_client, full_order):
    order, _ = full_order
    counts = {tab["key"]: tab["count"] for tab in detail(ops_client, order).context["tabs"]}
    assert counts["lines"] == 2
    assert counts["invoices"] == counts["shipments"] == counts["rma"] == counts["payments"] == 1
    assert counts["history"] == order.events.count() > 3


def test_htmx_tab_request_gets_only_the_tab_bar_and_panel(ops_client, full_order):
    order, _ = full_order
    response = detail(ops_client, order, "invoices", headers={"hx-request": "true"})
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="order-tabs">')
    assert "<html" not in response.text
    assert order.invoices.get().number in response.text


def test_unknown_order_or_tab_is_404(ops_client, full_order):
    order, _ = full_order
    assert detail(ops_client, order, "secrets").status_code == 404
    missing = reverse("sales:order_detail", args=["CMD-999999"])
    assert ops_client.get(missing).status_code == 404


def test_order_detail_in_english(ops_client, full_order):
    order, _ = full_order
    response = detail(ops_client, order, "history", headers={"accept-language": "en"})
    assert f"Order {order.number}" in response.text
    assert "<td>Created</td>" in response.text
    assert "Complete → Closed" in response.text


def test_history_tab_speaks_the_reader_language_whoever_wrote_the_events(ops_client, full_order):
    order, rma = full_order
    # Typed by someone: looks like a message id and carries markup, yet is shown as typed.
    order_note_add(order=order, message="Order created. <fragile> & 100 %")
    refund = order.refunds.get()
    total = f"{order.grand_total:.2f}"
    french = detail(ops_client, order, "history", headers={"accept-language": "fr"}).text
    english = detail(ops_client, order, "history", headers={"accept-language": "en"}).text
    for snippet in (
        "<br>Commande créée.</td>",
        f"Paiement de {total.replace('.', ',')}\u00a0€ par Carte bancaire.",
        f"Facture {order.invoices.get().number} créée ({total.replace('.', ',')}\u00a0€).",
        "Statut passé de Terminée à Clôturée.",
        f"Retour {rma.number} créé (Autorisé).",
        f"Remboursement {refund.number} de {total.replace('.', ',')}\u00a0€.",
        "<td>Order created. &lt;fragile&gt; &amp; 100 %</td>",
    ):
        assert snippet in french, snippet
    for snippet in (
        "<br>Order created.</td>",
        f"Payment of €{total} by Carte bancaire.",
        f"Invoice {order.invoices.get().number} created (€{total}).",
        "Status changed from Complete to Closed.",
        f"Return {rma.number} created (Authorized).",
        f"Refund {refund.number} of €{total}.",
        "<td>Order created. &lt;fragile&gt; &amp; 100 %</td>",
    ):
        assert snippet in english, snippet
    assert "Commande créée" not in english
    assert "Status changed" not in french


def test_history_tab_follows_the_language_cookie(ops_client, full_order, settings):
    order, _ = full_order
    ops_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Status changed from Complete to Closed." in detail(ops_client, order, "history").text
    ops_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "fr"
    assert "Statut passé de Terminée à Clôturée." in detail(ops_client, order, "history").text


def test_history_tab_shows_events_written_before_message_ids_as_stored(ops_client, full_order):
    order, _ = full_order
    OrderEvent.objects.create(order=order, kind="status", message="Statut passé de A à B.")
    response = detail(ops_client, order, "history", headers={"accept-language": "en"})
    assert "<td>Statut passé de A à B.</td>" in response.text


@pytest.mark.parametrize("tab", ["lines", "payments", "invoices", "shipments", "rma", "history"])
def test_order_detail_query_count_is_bounded_per_tab(
    ops_client, full_order, tab, django_assert_max_num_queries
):
    order, _ = full_order
    # session, user, permissions (2), notifications, the order with its counts, whether a
    # shipped line remains to return, the tab's rows (two tables for payments, a prefetch for
    # shipment lines).
    with django_assert_max_num_queries(9):
        assert detail(ops_client, order, tab).status_code == 200


# --- Returns -----------------------------------------------------------------------------------


def test_rma_list_search_and_status_filter(ops_client):
    first = make_rma(make_completed_order())
    second = make_rma(make_completed_order(), status="received")
    url = reverse("sales:rma_list")

    everything = ops_client.get(url)
    assert {r.number for r in everything.context["object_list"]} == {first.number, second.number}
    by_order = ops_client.get(url, {"q": first.order.number})
    assert [r.number for r in by_order.context["object_list"]] == [first.number]
    received = ops_client.get(url, {"status": "received"})
    assert [r.number for r in received.context["object_list"]] == [second.number]
    assert "Retours clients" in everything.text


def test_rma_detail_shows_lines_restocking_and_refunds(ops_client):
    order = make_completed_order(quantity=3)
    rma = make_rma(order, refund=True, status="received", reason="Colis abîmé")
    response = ops_client.get(reverse("sales:rma_detail", args=[rma.number]))
    assert response.status_code == 200
    assert "Colis abîmé" in response.text
    assert order.lines.get().sku in response.text
    assert "Remis en stock" in response.text
    assert order.refunds.get().number in response.text
    assert "36,00\u00a0€" in response.text


# --- Customers ---------------------------------------------------------------------------------


def test_customer_list_search_and_group_filter(ops_client):
    from sales.models import CustomerGroup

    pros = CustomerGroup.objects.create(code="PRO", name="Professionnels")
    marie = make_customer(first_name="Marie", last_name="Curie", group=pros)
    paul = make_customer(first_name="Paul", last_name="Langevin", phone="0601020304")
    url = reverse("sales:customer_list")

    def found(params):
        return {c.pk for c in ops_client.get(url, params).context["object_list"]}

    assert found({}) == {marie.pk, paul.pk}
    assert found({"q": "marie curie"}) == {marie.pk}
    assert found({"q": "0601"}) == {paul.pk}
    assert found({"group": pros.pk}) == {marie.pk}


def test_customer_detail_lists_the_customers_orders(ops_client):
    customer = make_customer(first_name="Hugo", last_name="Bernard", city="Nantes")
    order = make_order(customer=customer)
    make_order()  # someone else's
    response = ops_client.get(reverse("sales:customer_detail", args=[customer.pk]))
    assert [o.number for o in response.context["orders"]] == [order.number]
    assert "Nantes" in response.text and "1 commande" in response.text
