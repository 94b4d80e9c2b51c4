"""The webhook endpoint, with the Hiboutik type's parser (PHP bracket forms)."""

import json
import threading
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from hiboutik.simulator.webhook_form import encode
from integrations.models import FlowRun, IntegrationEvent
from integrations.services.integrations import webhook_token_rotate, webhook_url
from tests.integrations.conftest import hiboutik_integration_for

FORM = "application/x-www-form-urlencoded"


def sale(sale_id: int = 1001, lines: int = 1) -> dict:
    return {
        "sale_id": str(sale_id),
        "store_id": "1",
        "customer_id": "0",
        "total": "10.00",
        "line_items": [
            {
                "line_item_id": str(n),
                "product_id": str(n),
                "quantity": "1",
                "product_price": "10.0000",
                "tags": "",
                "stock_available": [{"warehouse_id": "1", "stock_available": "3"}],
            }
            for n in range(1, lines + 1)
        ],
    }


@pytest.fixture
def integration(simulator):
    return hiboutik_integration_for(simulator)


def path_of(integration) -> str:
    return urlsplit(webhook_url(integration)).path


@pytest.mark.django_db
def test_a_sale_is_stored_and_answered_with_an_alert_for_the_cashier(client, integration):
    response = client.post(path_of(integration), encode(sale()), content_type=FORM)
    assert response.status_code == 200
    assert response.json() == {
        "alerte": '<div class="alert alert-success">Vente 1001 reçue par Connect.</div>'
    }
    event = IntegrationEvent.objects.get()
    assert (event.type, event.external_id, event.done, event.deliveries) == (
        "sale",
        "1001",
        False,
        1,
    )
    assert event.payload["line_items"][0]["stock_available"][0]["warehouse_id"] == "1"


@pytest.mark.django_db
def test_a_re_delivery_is_counted_not_stored_again(client, integration):
    for _ in range(3):
        client.post(path_of(integration), encode(sale()), content_type=FORM)
    event = IntegrationEvent.objects.get()
    assert event.deliveries == 3
    IntegrationEvent.objects.update(done=True)
    changed = sale()
    changed["total"] = "12.00"
    client.post(path_of(integration), encode(changed), content_type=FORM)
    event.refresh_from_db()
    assert (event.deliveries, event.done, event.payload["total"]) == (4, False, "12.00")


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_delivery_new_or_not_costs_the_token_look_up_and_one_statement(client, integration):
    for total in ("10.00", "10.00", "12.00"):
        body = sale()
        body["total"] = total
        with CaptureQueriesContext(connection) as queries:
            response = client.post(path_of(integration), encode(body), content_type=FORM)
        assert response.status_code == 200
        assert len(queries) == 2, [query["sql"] for query in queries]
    event = IntegrationEvent.objects.get()
    assert (event.deliveries, event.payload["total"]) == (3, "12.00")


@pytest.mark.django_db
def test_a_200_line_sale_is_stored_whole(client, integration):
    body = encode(sale(lines=200))
    response = client.post(path_of(integration), body, content_type=FORM)
    assert response.status_code == 200
    lines = IntegrationEvent.objects.get().payload["line_items"]
    assert len(lines) == 200
    assert [line["line_item_id"] for line in lines] == [str(n) for n in range(1, 201)]


@pytest.mark.django_db
def test_an_unknown_token_is_a_404_and_stores_nothing(client, integration):
    good = path_of(integration)
    token = good.rstrip("/").rsplit("/", 1)[1]
    for path in (
        reverse("webhook", kwargs={"type_key": "hiboutik", "token": "x" * len(token)}),
        reverse("webhook", kwargs={"type_key": "hiboutik", "token": token[:-1]}),
        reverse("webhook", kwargs={"type_key": "other", "token": token}),
        reverse("webhook", kwargs={"type_key": "hiboutik", "token": token + "a" * 200}),
    ):
        assert client.post(path, encode(sale()), content_type=FORM).status_code == 404
    assert client.get(good).status_code == 405
    assert not IntegrationEvent.objects.exists()


@pytest.mark.django_db
def test_a_body_over_2_mb_is_refused_with_413(client, integration):
    body = b"sale_id=1&pad=" + b"x" * (3 * 1024 * 1024)
    response = client.post(path_of(integration), body, content_type=FORM)
    assert response.status_code == 413
    assert not IntegrationEvent.objects.exists()


@pytest.mark.django_db
def test_an_unreadable_body_is_kept_and_answered_400_with_why(client, integration):
    response = client.post(path_of(integration), b"a[b=1&a=2", content_type=FORM)
    assert response.status_code == 400
    assert "alert-danger" in response.json()["alerte"]
    event = IntegrationEvent.objects.get()
    assert event.type == "unreadable" and not event.done and event.failed
    assert event.payload["raw"] == "a[b=1&a=2"
    assert "bracket" in event.result()
    missing = client.post(path_of(integration), b"total=3", content_type=FORM)
    assert missing.status_code == 400
    assert IntegrationEvent.objects.count() == 2


@pytest.mark.django_db
def test_rotating_the_token_invalidates_the_old_url(client, integration):
    old = path_of(integration)
    webhook_token_rotate(integration)
    new = path_of(integration)
    assert new != old
    assert client.post(old, encode(sale()), content_type=FORM).status_code == 404
    assert client.post(new, encode(sale()), content_type=FORM).status_code == 200


@pytest.mark.django_db
def test_a_disabled_integration_still_keeps_the_sale(client, integration):
    integration.enabled = False
    integration.save()
    assert client.post(path_of(integration), encode(sale()), content_type=FORM).status_code == 200
    assert IntegrationEvent.objects.count() == 1


@pytest.mark.django_db
def test_events_start_the_flows_that_process_them(
    client, make_integration, django_capture_on_commit_callbacks, eager_tasks
):
    integration = make_integration()
    path = urlsplit(webhook_url(integration)).path
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(path, b"ping=42", content_type=FORM)
    assert response.json() == {"received": ["42"]}
    event = IntegrationEvent.objects.get()
    assert event.done  # the counting flow ran (eagerly here) and processed it
    assert FlowRun.objects.get().trigger == FlowRun.Trigger.WEBHOOK


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_the_same_sale_posted_three_times_at_once_is_one_event(live_server, simulator):
    integration = hiboutik_integration_for(simulator)
    url = live_server.url + path_of(integration)
    body = encode(sale(lines=20))
    start = threading.Barrier(3)
    answers = []

    def post() -> None:
        start.wait()
        answers.append(requests.post(url, data=body, headers={"Content-Type": FORM}, timeout=30))

    threads = [threading.Thread(target=post) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [answer.status_code for answer in answers] == [200, 200, 200]
    event = IntegrationEvent.objects.get()
    assert event.deliveries == 3


@pytest.mark.django_db(transaction=True)
def test_the_simulator_delivers_a_200_line_sale_to_the_registered_url(live_server, simulator):
    from integrations.services.webhooks import webhook_register

    integration = hiboutik_integration_for(simulator)
    assert webhook_register(integration, base_url=live_server.url) == "registered"
    assert webhook_register(integration, base_url=live_server.url) == "already registered"
    products = simulator.add_products(200)
    rung = requests.post(
        f"{simulator.root_url}/_sim/sales",
        json={
            "store_id": 1,
            "payment": "CB",
            "lines": [{"product_id": p, "quantity": 1} for p in products],
        },
        timeout=60,
    )
    assert rung.status_code == 201, rung.text
    delivery = simulator.stats()["webhook_deliveries"][-1]
    assert delivery["status"] == 200
    assert "reçue par Connect" in delivery["alerte"]
    event = IntegrationEvent.objects.get()
    assert event.external_id == str(rung.json()["sale_id"])
    assert len(event.payload["line_items"]) == 200
    assert json.dumps(event.payload)  # stored as JSON
