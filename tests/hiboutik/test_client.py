"""Unit tests of the client against canned answers (``responses``): Hiboutik's quirks, the
error family, retries, the ledger and the concurrency cap."""

import base64
import io
import json
import logging
import random
import threading
import time
import uuid
from datetime import date
from decimal import Decimal

import pytest
import requests
import responses
from PIL import Image
from responses import matchers

from hiboutik.client import HiboutikClient
from hiboutik.errors import (
    HiboutikAuthError,
    HiboutikNotFound,
    HiboutikPayloadError,
    HiboutikQuotaExhausted,
    HiboutikServerError,
    HiboutikThrottled,
    HiboutikValidationError,
)
from hiboutik.ledger import InMemoryCallLedger
from hiboutik.throttling import ACTIVITY
from hiboutik.types import NewCustomer, NewProduct, StockChange, StockPush

BASE = "https://acme.hiboutik.com/api"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
USER = "ops@acme.test"
KEY = "S3CRETKEY0123456789"


def product(pid: int, price: str = "10.00") -> dict:
    return {
        "product_id": pid,
        "product_model": f"P{pid}",
        "product_price": price,
        "product_vat": 1,
        "product_stock_management": 1,
        "product_arch": 0,
    }


class Clock:
    """The monotonic clock the quiet-429 streak is timed with, moved by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class Sleeps(list):
    """A fake ``time.sleep`` that remembers the delays and moves the clock on."""

    def __init__(self, clock: Clock) -> None:
        super().__init__()
        self.clock = clock

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        self.clock.advance(seconds)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    fake = Clock()
    monkeypatch.setattr(ACTIVITY, "clock", fake)
    return fake


@pytest.fixture
def sleeps(clock) -> Sleeps:
    return Sleeps(clock)


@pytest.fixture
def ledger() -> InMemoryCallLedger:
    return InMemoryCallLedger(quota=1000)


@pytest.fixture
def make_client(sleeps, ledger):
    def make(**kwargs) -> HiboutikClient:
        options = {
            "base_url": BASE,
            "user": USER,
            "api_key": KEY,
            "ledger": ledger,
            "ledger_key": f"acme-{uuid.uuid4()}",  # a fresh concurrency gate per test
            "sleep": sleeps,
            "rng": random.Random(1),
            **kwargs,
        }
        return HiboutikClient(**options)

    return make


@pytest.fixture
def client(make_client) -> HiboutikClient:
    return make_client()


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def page(p: int):
    return matchers.query_param_matcher({"p": str(p)}, strict_match=False)


# --- requests as sent ----------------------------------------------------------------------


def test_basic_auth_accept_header_and_timeouts_on_every_call(client, mocked):
    mocked.get(f"{BASE}/taxes/", json=[{"tax_id": 1, "tax_value": "0.20000"}])
    client.list_taxes()
    request = mocked.calls[0].request
    expected = base64.b64encode(f"{USER}:{KEY}".encode()).decode()
    assert request.headers["Authorization"] == f"Basic {expected}"
    assert request.headers["Accept"] == "application/json"
    assert request.req_kwargs["timeout"] == (5.0, 30.0)


def test_oauth_token_is_sent_as_bearer(make_client, mocked):
    client = make_client(api_key=None, user=None, oauth_token="tok123", timeout=(1, 2))
    mocked.get(f"{BASE}/stores/", json=[])
    client.list_stores()
    assert mocked.calls[0].request.headers["Authorization"] == "Bearer tok123"
    assert mocked.calls[0].request.req_kwargs["timeout"] == (1.0, 2.0)


def test_for_account_builds_the_production_url():
    client = HiboutikClient.for_account("Acme_2", user=USER, api_key=KEY)
    assert client.base_url == "https://acme_2.hiboutik.com/api"
    assert client.ledger_key == "acme_2"
    with pytest.raises(ValueError, match=r"account name, as in moncompte\.hiboutik\.com"):
        HiboutikClient.for_account("acme.evil.com/x", user=USER, api_key=KEY)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"api_key": None}, "exactly one"),
        ({"oauth_token": "t"}, "exactly one"),
        ({"user": None}, "login email"),
        ({"api_key": ""}, "empty"),
        ({"base_url": "acme.hiboutik.com/api"}, "http"),
        ({"timeout": (0, 5)}, "timeout"),
        ({"max_concurrency": 0}, "at least 1"),
        ({"max_retries": -1}, "retry"),
    ],
)
def test_bad_settings_are_refused(kwargs, message):
    options = {"base_url": BASE, "user": USER, "api_key": KEY, **kwargs}
    with pytest.raises(ValueError, match=message):
        HiboutikClient(**options)


def test_concurrency_setting_is_capped_at_30(make_client):
    assert make_client(max_concurrency=100).max_concurrency == 30


def test_create_product_posts_the_form_and_returns_the_id(client, mocked):
    mocked.post(f"{BASE}/products/", status=201, json={"product_id": 77})
    new_id = client.create_product(
        NewProduct(name="Mug", price=Decimal("12.50"), tax_id=2, ref_ext="MUG-1")
    )
    assert new_id == 77
    sent = mocked.calls[0].request.body
    assert "product_model=Mug" in sent
    assert "product_price=12.50" in sent
    assert "products_ref_ext=MUG-1" in sent


def test_create_answer_wrapped_in_an_array_or_with_200(client, mocked):
    mocked.post(f"{BASE}/inventory_inputs", status=200, json=[{"inventory_input_id": "12"}])
    assert client.create_inventory_input(3, label="Connect") == 12
    assert "stock_id=3" in mocked.calls[0].request.body


def test_create_answer_without_the_id_is_a_payload_error(client, mocked):
    mocked.post(f"{BASE}/customers/", status=201, json={"ok": True})
    with pytest.raises(HiboutikPayloadError, match="customers_id"):
        client.create_customer(NewCustomer(email="a@b.fr"))


def test_update_sends_one_attribute(client, mocked):
    mocked.put(
        f"{BASE}/product/5",
        match=[
            matchers.urlencoded_params_matcher(
                {"product_attribute": "product_price", "new_value": "19.90"}
            )
        ],
    )
    client.update_product(5, "product_price", Decimal("19.90"))
    mocked.put(
        f"{BASE}/customer/8",
        body="",
        match=[
            matchers.urlencoded_params_matcher(
                {"customers_attribute": "email", "new_value": "x@y.fr"}
            )
        ],
    )
    client.update_customer(8, "email", "x@y.fr")
    assert len(mocked.calls) == 2


def test_webhook_registration_form(client, mocked):
    mocked.post(
        f"{BASE}/webhooks",
        json={"webhook_id": 4},
        match=[
            matchers.urlencoded_params_matcher(
                {
                    "webhook_label": "Connect",
                    "webhook_url": "https://c.test/h/tok",
                    "webhook_action": "sale",
                    "webhook_app_id_int": "connect",
                }
            )
        ],
    )
    assert client.create_webhook(url="https://c.test/h/tok", label="Connect") == 4
    mocked.post(f"{BASE}/webhooks", json={"webhook_id": 5})
    client.create_webhook(url="https://c.test/h/tok", label="Connect", asynchronous=True)
    assert "webhook_async=1" in mocked.calls[1].request.body


def test_image_upload_is_multipart_field_image_on_both_routes(client, mocked):
    mocked.post(f"{BASE}/products_images/5/", json={})
    mocked.post(f"{BASE}/products_images_1000x1000/5/", status=201, json={"image_id": 9})
    assert (
        client.upload_product_image(5, PNG_MAGIC, filename="a.png", content_type="image/png")
        is None
    )
    assert (
        client.upload_product_image(
            5, b"\xff\xd8\xff...", filename="b.jpg", content_type="image/jpeg", large=True, slot=2
        )
        == 9
    )
    small, large = (call.request for call in mocked.calls)
    assert small.headers["Content-Type"].startswith("multipart/form-data")
    assert b'name="image"; filename="a.png"' in small.body
    assert b'name="image_id"\r\n\r\n2' in large.body


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda c: c.get_product(0), "positive"),
        (lambda c: c.get_product("1/../2"), "integers"),
        (lambda c: c.update_product(1, "product price", 1), "attribute"),
        (lambda c: c.search_products_by_ref_ext("A" * 21), "20"),
        (lambda c: c.search_customers_by_email("nobody"), "email"),
        (lambda c: c.add_inventory_input_detail(1, product_id=2, quantity=0), "quantity 0"),
        (
            lambda c: c.upload_product_image(1, b"", filename="a.png", content_type="image/png"),
            "empty",
        ),
        (
            lambda c: c.upload_product_image(1, b"x", filename="a", content_type="image/png"),
            "extension",
        ),
        (lambda c: c.create_webhook(url="ftp://x", label="C"), "http"),
    ],
)
def test_bad_input_is_refused_before_any_call(client, mocked, call, message):
    with pytest.raises(ValueError, match=message):
        call(client)
    assert len(mocked.calls) == 0


# --- Hiboutik's shapes ---------------------------------------------------------------------


def test_one_element_arrays_are_unwrapped(client, mocked):
    mocked.get(f"{BASE}/products/42", json=[product(42, "62")])
    mocked.get(f"{BASE}/customer/3", json=[{"customers_id": 3, "email": "c@d.fr"}])
    mocked.get(
        f"{BASE}/sales/9",
        json=[{"sale_id": 9, "store_id": 1, "total": "0.2", "line_items": [], "taxes": []}],
    )
    assert client.get_product(42).price == Decimal("62.00")
    assert client.get_customer(3).email == "c@d.fr"
    assert client.get_sale(9).total == Decimal("0.20")


@pytest.mark.parametrize("raw", ["62", "62.0000", "62.00", 62])
def test_decimal_formats(client, mocked, raw):
    mocked.get(f"{BASE}/products/1", json=[{**product(1), "product_price": raw}])
    assert client.get_product(1).price == Decimal("62")


@pytest.mark.parametrize("prefix", ["", "items "])
def test_content_range_pagination(make_client, mocked, prefix):
    client = make_client(page_size=3)
    pages = {1: [1, 2, 3], 2: [4, 5, 6], 3: [7]}
    for p, ids in pages.items():
        first = (p - 1) * 3
        mocked.get(
            f"{BASE}/products/",
            json=[product(i) for i in ids],
            headers={"Content-Range": f"{prefix}{first}-{first + len(ids) - 1}/7"},
            match=[page(p)],
        )
    assert [p.product_id for p in client.iter_products()] == [1, 2, 3, 4, 5, 6, 7]
    assert len(mocked.calls) == 3


def test_content_range_total_stops_without_asking_past_a_full_last_page(make_client, mocked):
    client = make_client(page_size=2)
    mocked.get(
        f"{BASE}/products/",
        json=[product(1), product(2)],
        headers={"Content-Range": "items 0-1/4"},
        match=[page(1)],
    )
    mocked.get(
        f"{BASE}/products/",
        json=[product(3), product(4)],
        headers={"Content-Range": "items 2-3/4"},
        match=[page(2)],
    )
    assert len(list(client.iter_products())) == 4
    assert len(mocked.calls) == 2


def test_link_only_pagination_follows_next_even_on_short_pages(client, mocked):
    def link(p: int, last: int = 3) -> str:
        parts = [f'<https://acme.hiboutik.com/api/products/?p={p}>; rel="current"']
        if p < last:
            parts.append(f'<https://acme.hiboutik.com/api/products/?p={p + 1}>; rel="next"')
        parts.append(f'<https://acme.hiboutik.com/api/products/?p={last}>; rel="last"')
        return ", ".join(parts)

    for p in (1, 2, 3):
        mocked.get(
            f"{BASE}/products/",
            json=[product(10 * p), product(10 * p + 1)],
            headers={"Link": link(p)},
            match=[page(p)],
        )
    assert [p.product_id for p in client.iter_products()] == [10, 11, 20, 21, 30, 31]
    # Pages are asked from our base URL, not from the host in the Link header.
    assert all(call.request.url.startswith(BASE) for call in mocked.calls)


def test_short_page_without_headers_is_the_last(make_client, mocked):
    client = make_client(page_size=3)
    mocked.get(f"{BASE}/products/", json=[product(1), product(2), product(3)], match=[page(1)])
    mocked.get(f"{BASE}/products/", json=[product(4)], match=[page(2)])
    assert len(list(client.iter_products())) == 4
    assert len(mocked.calls) == 2


@pytest.mark.parametrize("past_end", [{"json": []}, {"status": 404, "json": {"code": 5}}])
def test_a_page_past_the_end_ends_the_list(make_client, mocked, past_end):
    client = make_client(page_size=2)
    mocked.get(
        f"{BASE}/stock_available/warehouse_id/1",
        json=[{"product_id": 1, "stock_available": 3}, {"product_id": 2, "stock_available": "4"}],
        match=[page(1)],
    )
    mocked.get(f"{BASE}/stock_available/warehouse_id/1", match=[page(2)], **past_end)
    rows = list(client.iter_stock(1))
    assert [(r.product_id, r.quantity, r.warehouse_id) for r in rows] == [(1, 3, 1), (2, 4, 1)]


def test_404_on_the_first_page_of_a_listing_is_raised(client, mocked):
    mocked.get(
        f"{BASE}/stock_available/warehouse_id/99",
        status=404,
        json={"error": "not_found", "code": 5, "error_description": "Unknown warehouse"},
    )
    with pytest.raises(HiboutikNotFound, match="Unknown warehouse"):
        list(client.iter_stock(99))


@pytest.mark.parametrize("empty", [{"json": []}, {"status": 404, "json": {"code": 5}}])
def test_empty_searches(client, mocked, empty):
    mocked.get(f"{BASE}/products/search/barcode/123%2F4/", **empty)
    mocked.get(f"{BASE}/products/search/", **empty)
    mocked.get(f"{BASE}/customers/search/", **empty)
    assert client.search_products_by_barcode("123/4") == []
    assert client.search_products_by_ref_ext("SKU-1") == []
    assert client.search_customers_by_email("a@b.fr") == []
    assert mocked.calls[1].request.params == {"products_ref_ext": "SKU-1", "p": "1"}
    assert mocked.calls[2].request.params == {"email": "a@b.fr", "p": "1"}


def test_barcode_search_hit_names_the_size(client, mocked):
    mocked.get(
        f"{BASE}/products/search/barcode/2430020000427/",
        json=[{"product_id": 42, "product_size": 2}],
    )
    (match,) = client.search_products_by_barcode("2430020000427")
    assert (match.product_id, match.size_id) == (42, 2)


def test_closed_sales_path_and_rows(client, mocked):
    mocked.get(
        f"{BASE}/closed_sales/1/2026/03/07", json=[{"sale_id": 5, "store_id": 1, "total": "39.00"}]
    )
    (row,) = client.iter_closed_sales(1, date(2026, 3, 7))
    assert (row.sale_id, row.total) == (5, Decimal(39))


def test_a_list_route_answering_an_object_is_a_payload_error(client, mocked):
    mocked.get(f"{BASE}/warehouses/", json={"warehouse_id": 1})
    with pytest.raises(HiboutikPayloadError, match="expected a list"):
        client.list_warehouses()


def test_a_non_json_success_is_a_payload_error(client, mocked):
    mocked.get(f"{BASE}/taxes/", body="<html>maintenance</html>")
    with pytest.raises(HiboutikPayloadError, match="not JSON"):
        client.list_taxes()


# --- errors --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "payload", "cls"),
    [
        (
            401,
            {"error": "unauthorized", "code": 1, "error_description": "Bad key"},
            HiboutikAuthError,
        ),
        (403, {"error": "forbidden", "code": 2}, HiboutikAuthError),
        (404, {"error": "not_found", "code": 5}, HiboutikNotFound),
        (422, {"error": "invalid_data", "code": 6, "details": {"x": "y"}}, HiboutikValidationError),
        (429, {"error": "too_many_requests", "code": 7}, HiboutikThrottled),
        (500, {"error": "internal", "code": 9}, HiboutikServerError),
    ],
)
def test_each_error_class(client, mocked, status, payload, cls):
    # A PUT: its 429 and 500 are raised at once by the policy tested here (no 5xx retry, and
    # max_retries=0 below), so each status meets its class.
    client.max_retries = 0
    mocked.put(f"{BASE}/product/1", status=status, json=payload)
    with pytest.raises(cls) as caught:
        client.update_product(1, "product_model", "x")
    assert caught.value.status == status
    assert caught.value.code == payload.get("code")


def test_validation_error_carries_details(client, mocked):
    mocked.post(
        f"{BASE}/inventory_input_details/4",
        status=422,
        json={"error": "invalid_data", "code": 6, "details": {"product_id": "unknown"}},
    )
    with pytest.raises(HiboutikValidationError) as caught:
        client.add_inventory_input_detail(4, product_id=999, quantity=-2)
    assert caught.value.details == {"product_id": "unknown"}
    assert "quantity=-2" in mocked.calls[0].request.body


# --- retries -------------------------------------------------------------------------------


def test_retry_after_is_honoured(client, mocked, sleeps, ledger):
    mocked.get(f"{BASE}/taxes/", status=503, headers={"Retry-After": "2"}, json={})
    mocked.get(
        f"{BASE}/taxes/",
        status=429,
        headers={"Retry-After": "0.5"},
        json={"error": "too_many_requests", "error_description": "Too many concurrent requests"},
    )
    mocked.get(f"{BASE}/taxes/", json=[{"tax_id": 1, "tax_value": "0.2"}])
    assert client.list_taxes()[0].rate == Decimal("0.2")
    assert sleeps == [2.0, 0.5]
    assert ledger.count(client.ledger_key) == 3


def test_timeouts_and_resets_back_off_with_full_jitter(make_client, mocked, sleeps):
    client = make_client(backoff_base=1.0, backoff_cap=3.0)
    mocked.get(f"{BASE}/stores/", body=requests.exceptions.ReadTimeout("slow"))
    mocked.get(f"{BASE}/stores/", body=requests.exceptions.ConnectionError("reset"))
    mocked.get(f"{BASE}/stores/", body=requests.exceptions.ChunkedEncodingError("cut"))
    mocked.get(f"{BASE}/stores/", json=[{"store_id": 1, "store_name": "Lyon"}])
    assert client.list_stores()[0].name == "Lyon"
    expected = random.Random(1)
    assert sleeps == [expected.uniform(0, ceiling) for ceiling in (1.0, 2.0, 3.0)]


def test_throttling_gives_up_after_max_retries(make_client, mocked, sleeps, ledger):
    client = make_client(max_retries=2)
    mocked.get(f"{BASE}/warehouses/", status=503, json={})
    with pytest.raises(HiboutikThrottled):
        client.list_warehouses()
    assert len(mocked.calls) == 3
    assert len(sleeps) == 2
    assert ledger.count(client.ledger_key) == 3


def test_a_retry_after_longer_than_allowed_is_raised_at_once(make_client, mocked, sleeps):
    client = make_client(max_throttle_wait=10)
    mocked.get(f"{BASE}/warehouses/", status=503, headers={"Retry-After": "3600"}, json={})
    with pytest.raises(HiboutikThrottled) as caught:
        client.list_warehouses()
    assert caught.value.retry_after == 3600
    assert sleeps == []
    assert len(mocked.calls) == 1


def test_one_call_waits_a_few_seconds_in_all_then_defers_to_the_task_queue(
    make_client, mocked, sleeps
):
    # Each Retry-After is short, but together they would keep a worker for 15 s.
    client = make_client(max_throttle_wait=10, max_retries=10)
    mocked.get(f"{BASE}/warehouses/", status=503, headers={"Retry-After": "3"}, json={})
    with pytest.raises(HiboutikThrottled) as caught:
        client.list_warehouses()
    assert sleeps == [3.0, 3.0, 3.0]
    assert sum(sleeps) <= 10
    assert caught.value.retry_after == 3.0
    assert len(mocked.calls) == 4


def test_the_default_wait_budget_is_ten_seconds_at_most(client):
    assert 0 < client.max_throttle_wait <= 10


@pytest.mark.parametrize(
    "failure",
    [
        {"status": 503, "headers": {"Retry-After": "1"}, "json": {}},
        {"status": 429, "json": {"error_description": "Too many concurrent requests"}},
        {"body": requests.exceptions.ConnectionError("reset")},
        {"body": requests.exceptions.ReadTimeout("slow")},
    ],
)
def test_creates_are_never_retried(client, mocked, sleeps, ledger, failure):
    mocked.post(f"{BASE}/products/", **failure)
    mocked.post(f"{BASE}/products/", status=201, json={"product_id": 1})
    with pytest.raises(HiboutikThrottled):
        client.create_product(NewProduct(name="Mug", price=Decimal(1), tax_id=1))
    assert len(mocked.calls) == 1
    assert sleeps == []
    assert ledger.count(client.ledger_key) == 1


def test_other_creates_are_not_retried_either(client, mocked, sleeps):
    for path in (
        "/customers/",
        "/inventory_inputs",
        "/inventory_input_details/1",
        "/inventory_input_validate",
        "/webhooks",
        "/products_images/1/",
    ):
        mocked.post(f"{BASE}{path}", status=503, json={})
    calls = [
        lambda: client.create_customer(NewCustomer(email="a@b.fr")),
        lambda: client.create_inventory_input(1),
        lambda: client.add_inventory_input_detail(1, product_id=1, quantity=1),
        lambda: client.validate_inventory_input(1),
        lambda: client.create_webhook(url="https://c.test/h", label="Connect"),
        lambda: client.upload_product_image(
            1, PNG_MAGIC, filename="a.png", content_type="image/png"
        ),
    ]
    for call in calls:
        with pytest.raises(HiboutikThrottled):
            call()
    assert len(mocked.calls) == len(calls)
    assert sleeps == []


def test_put_and_delete_are_retried_on_throttling(client, mocked, sleeps):
    mocked.put(f"{BASE}/product/1", body=requests.exceptions.ConnectionError("reset"))
    mocked.put(f"{BASE}/product/1", json={"message": "ok"})
    mocked.delete(f"{BASE}/webhooks/3", status=503, headers={"Retry-After": "1"}, json={})
    mocked.delete(f"{BASE}/webhooks/3", json={})
    client.update_product(1, "product_model", "New")
    client.delete_webhook(3)
    assert len(mocked.calls) == 4
    assert len(sleeps) == 2


def test_a_500_is_retried_once_on_get_and_never_on_put(client, mocked, sleeps):
    mocked.get(f"{BASE}/products/1", status=500, json={"error": "internal"})
    # Repeated on a retry, it is handed to the task queue to try again later.
    with pytest.raises(HiboutikThrottled) as caught:
        client.get_product(1)
    assert caught.value.status == 500
    assert caught.value.retry_after is None
    assert isinstance(caught.value.__cause__, HiboutikServerError)
    assert len(mocked.calls) == 2
    mocked.put(f"{BASE}/product/1", status=500, json={})
    with pytest.raises(HiboutikServerError):
        client.update_product(1, "product_model", "x")
    assert len(mocked.calls) == 3


def test_a_500_then_success_on_get(client, mocked):
    mocked.get(f"{BASE}/products/1", status=500, json={})
    mocked.get(f"{BASE}/products/1", json=[product(1)])
    assert client.get_product(1).product_id == 1


def test_paginated_read_retries_a_page_without_repeating_rows(make_client, mocked, sleeps):
    client = make_client(page_size=2)
    mocked.get(f"{BASE}/products/", json=[product(1), product(2)], match=[page(1)])
    mocked.get(
        f"{BASE}/products/", status=503, headers={"Retry-After": "1"}, json={}, match=[page(2)]
    )
    mocked.get(f"{BASE}/products/", json=[product(3)], match=[page(2)])
    assert [p.product_id for p in client.iter_products()] == [1, 2, 3]
    assert sleeps == [1.0]


# --- ledger --------------------------------------------------------------------------------


def test_ledger_counts_every_attempt(client, mocked, ledger):
    mocked.get(f"{BASE}/taxes/", status=503, json={})
    mocked.get(f"{BASE}/taxes/", body=requests.exceptions.ConnectTimeout("x"))
    mocked.get(f"{BASE}/taxes/", json=[])
    mocked.get(f"{BASE}/stores/", json=[])
    client.list_taxes()
    client.list_stores()
    assert ledger.count(client.ledger_key) == 4 == len(mocked.calls)


def test_refuses_without_http_when_the_ledger_refuses(make_client, mocked):
    ledger = InMemoryCallLedger(quota=20)
    client = make_client(ledger=ledger)
    mocked.get(f"{BASE}/taxes/", json=[])
    for _ in range(19):  # 95 % of 20
        client.list_taxes()
    with pytest.raises(HiboutikQuotaExhausted, match="no request was sent") as caught:
        client.list_taxes()
    assert caught.value.status is None
    assert len(mocked.calls) == 19
    # Essential calls may use the last 5 %, then nothing goes out.
    client.list_taxes(essential=True)
    assert len(mocked.calls) == 20
    with pytest.raises(HiboutikQuotaExhausted, match="no request was sent"):
        client.list_taxes(essential=True)
    assert ledger.count(client.ledger_key) == 20 == len(mocked.calls)


QUOTA_WORDS = {"error": "quota_exceeded", "error_description": "Monthly quota reached"}


def test_a_429_saying_month_is_retried_like_any_429(client, mocked, ledger, sleeps):
    mocked.get(f"{BASE}/taxes/", status=429, json=QUOTA_WORDS)
    mocked.get(f"{BASE}/taxes/", json=[])
    assert client.list_taxes() == []
    assert len(sleeps) == 1
    assert not ledger.is_exhausted(client.ledger_key)


def test_repeated_429s_over_a_minute_on_a_quiet_account_mean_the_month_is_spent(
    client, mocked, ledger, sleeps, clock
):
    mocked.get(f"{BASE}/taxes/", status=429, json={"error": "too_many_requests"})
    # Refused for the few seconds one call may wait: that could be another app's burst.
    with pytest.raises(HiboutikThrottled):
        client.list_taxes()
    first_call = len(mocked.calls)
    assert first_call >= 3 and sum(sleeps) <= client.max_throttle_wait
    assert not ledger.is_exhausted(client.ledger_key)
    clock.advance(60)  # the task queue retries the step later
    with pytest.raises(HiboutikQuotaExhausted, match="in a row over") as caught:
        client.list_taxes()
    assert caught.value.status == 429
    assert len(mocked.calls) == first_call + 1
    assert ledger.is_exhausted(client.ledger_key)
    with pytest.raises(HiboutikQuotaExhausted, match="no request was sent"):
        client.list_stores()
    assert len(mocked.calls) == first_call + 1


def test_the_quiet_429_streak_adds_up_across_calls(make_client, mocked, ledger, clock):
    client = make_client(max_retries=0)
    mocked.get(f"{BASE}/taxes/", status=429, json={})
    for _ in range(2):
        with pytest.raises(HiboutikThrottled):
            client.list_taxes()
        clock.advance(30)
    with pytest.raises(HiboutikQuotaExhausted):
        client.list_taxes()
    assert ledger.is_exhausted(client.ledger_key)


def test_a_short_burst_of_quiet_429s_is_not_the_month(make_client, mocked, ledger, clock):
    client = make_client(max_retries=0)
    mocked.get(f"{BASE}/taxes/", status=429, json={})
    for _ in range(10):
        with pytest.raises(HiboutikThrottled):
            client.list_taxes()
        clock.advance(5)
    assert not ledger.is_exhausted(client.ledger_key)


def test_any_other_answer_breaks_the_streak(make_client, mocked, ledger, clock):
    client = make_client(max_retries=0)
    mocked.get(f"{BASE}/taxes/", status=429, json={})
    mocked.get(f"{BASE}/stores/", status=404, json={})
    for _ in range(4):
        with pytest.raises(HiboutikThrottled):
            client.list_taxes()
        clock.advance(60)
        with pytest.raises(HiboutikNotFound):
            client.list_stores()
    assert not ledger.is_exhausted(client.ledger_key)


def test_429s_while_other_calls_are_in_flight_prove_nothing(make_client, mocked, ledger, clock):
    # Four calls at once, all refused: that is what a concurrency limit looks like.
    key = f"busy-{uuid.uuid4()}"
    clients = [make_client(ledger_key=key, max_retries=0, max_concurrency=4) for _ in range(4)]
    barrier = threading.Barrier(4)

    def refused(request):
        barrier.wait(timeout=5)
        return 429, {}, "{}"

    mocked.add_callback(responses.GET, f"{BASE}/taxes/", callback=refused)
    errors = []

    def call(client):
        try:
            client.list_taxes()
        except Exception as exc:
            errors.append(exc)

    for _ in range(2):
        threads = [threading.Thread(target=call, args=(c,)) for c in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        clock.advance(60)
    assert len(errors) == 8
    assert all(type(error) is HiboutikThrottled for error in errors)
    assert not ledger.is_exhausted(key)


def test_a_429_when_the_ledger_reaches_the_quota_stops_without_more_http(make_client, mocked):
    ledger = InMemoryCallLedger(quota=3)  # 2 calls for non-essential ones (95 %)
    client = make_client(ledger=ledger)
    mocked.get(f"{BASE}/taxes/", json=[])
    client.list_taxes()
    mocked.get(f"{BASE}/stores/", status=429, json={})
    with pytest.raises(HiboutikQuotaExhausted, match="no request was sent"):
        client.list_stores()
    assert len(mocked.calls) == 2


def test_clients_of_one_account_share_the_ledger(make_client, mocked, ledger):
    first = make_client(ledger_key="shared-" + str(uuid.uuid4()))
    second = make_client(ledger_key=first.ledger_key)
    mocked.get(f"{BASE}/taxes/", json=[])
    first.list_taxes()
    second.list_taxes()
    assert ledger.count(first.ledger_key) == 2


# --- concurrency ---------------------------------------------------------------------------


def test_concurrency_cap_holds_across_threads_and_clients(make_client, mocked):
    key = f"capped-{uuid.uuid4()}"
    clients = [make_client(ledger_key=key, max_concurrency=3) for _ in range(2)]
    lock = threading.Lock()
    in_flight = peak = 0

    def slow_answer(request):
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        time.sleep(0.02)
        with lock:
            in_flight -= 1
        return 200, {}, json.dumps([])

    mocked.add_callback(responses.GET, f"{BASE}/taxes/", callback=slow_answer)
    threads = [threading.Thread(target=clients[i % 2].list_taxes) for i in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(mocked.calls) == 16
    assert peak == 3


def test_a_backoff_sleep_does_not_hold_a_slot(make_client, mocked):
    key = f"single-{uuid.uuid4()}"
    held_during_sleep = []

    def sleep(_seconds):
        held_during_sleep.append(client._gate._active)

    client = make_client(ledger_key=key, max_concurrency=1, sleep=sleep)
    mocked.get(f"{BASE}/taxes/", status=503, headers={"Retry-After": "1"}, json={})
    mocked.get(f"{BASE}/taxes/", json=[])
    client.list_taxes()
    assert held_during_sleep == [0]


# --- secrets -------------------------------------------------------------------------------


def test_secrets_are_never_logged_or_shown(make_client, mocked, caplog):
    caplog.set_level(logging.DEBUG)
    client = make_client(max_retries=1)
    basic = base64.b64encode(f"{USER}:{KEY}".encode()).decode()
    mocked.get(f"{BASE}/taxes/", status=503, json={})
    mocked.get(
        f"{BASE}/taxes/",
        status=401,
        json={"error": "unauthorized", "code": 1, "error_description": "Bad key"},
    )
    with pytest.raises(HiboutikAuthError) as caught:
        client.list_taxes()
    mocked.get(f"{BASE}/stores/", body=requests.exceptions.ConnectionError("reset"))
    with pytest.raises(HiboutikThrottled) as reset:
        client.list_stores()
    assert "Hiboutik GET /taxes/" in caplog.text  # the client does log at DEBUG
    for shown in (caplog.text, str(caught.value), str(reset.value), repr(client)):
        assert KEY not in shown
        assert basic not in shown
        assert "Authorization" not in shown


def test_searches_keep_exact_matches_only(client, mocked):
    # Hiboutik's searches may match substrings and ignore case (a real one did).
    mocked.get(
        f"{BASE}/products/search/",
        json=[
            {**product(1), "products_ref_ext": "SKU-1"},
            {**product(2), "products_ref_ext": "SKU-11"},
            {**product(3), "products_ref_ext": "sku-1"},
        ],
    )
    mocked.get(
        f"{BASE}/products/search/barcode/2430020000427/",
        json=[
            {"product_id": 42, "product_size": 0, "product_barcode": "2430020000427"},
            {"product_id": 43, "product_size": 0, "product_barcode": "12430020000427"},
            {
                "product_id": 44,
                "product_size": 2,
                "product_barcode": "2430000000443",
                "product_size_details": [
                    {"size_id": 1, "barcode": "2430010000444"},
                    {"size_id": 2, "barcode": "2430020000427"},
                ],
            },
            {
                "product_id": 45,
                "product_size": 1,
                "product_barcode": "2430020000427",  # the product's, not the size's
                "product_size_details": [{"size_id": 1, "barcode": "2430010000451"}],
            },
        ],
    )
    mocked.get(
        f"{BASE}/customers/search/",
        json=[
            {"customers_id": 1, "email": "Ann@Example.fr"},
            {"customers_id": 2, "email": "joann@example.fr"},
            {"customers_id": 3, "email": "ann@example.fr.evil"},
        ],
    )
    assert [p.product_id for p in client.search_products_by_ref_ext("SKU-1")] == [1]
    assert [
        (m.product_id, m.size_id) for m in client.search_products_by_barcode("2430020000427")
    ] == [
        (42, 0),
        (44, 2),
    ]
    assert [c.customer_id for c in client.search_customers_by_email(" ann@example.fr ")] == [1]


# --- tolerance -----------------------------------------------------------------------------


def test_a_put_or_delete_answered_without_json_succeeds(client, mocked):
    mocked.put(f"{BASE}/product/1", body="OK")
    mocked.delete(f"{BASE}/webhooks/3", body="<p>deleted</p>")
    mocked.post(f"{BASE}/inventory_inputs", status=201, body="OK")
    client.update_product(1, "product_model", "New")
    client.delete_webhook(3)
    with pytest.raises(HiboutikPayloadError, match="not JSON"):
        client.create_inventory_input(1)  # a create's answer carries the id: it must be read


def gif() -> bytes:
    buffer = io.BytesIO()
    Image.new("P", (4, 3), 1).save(buffer, format="GIF")
    return buffer.getvalue()


def test_images_go_as_jpeg_or_png_only(client, mocked):
    mocked.post(f"{BASE}/products_images/1/", status=201, json={"image_id": 5})
    jpeg = io.BytesIO()
    Image.new("RGB", (2, 2)).save(jpeg, format="JPEG")
    client.upload_product_image(1, jpeg.getvalue(), filename="cap.png", content_type="image/png")
    client.upload_product_image(1, gif(), filename="cap.gif", content_type="image/gif")
    sent = [call.request.body for call in mocked.calls]
    assert b'filename="cap.jpg"' in sent[0] and b"Content-Type: image/jpeg" in sent[0]
    assert b'filename="cap.png"' in sent[1] and b"\x89PNG" in sent[1]
    with pytest.raises(ValueError, match="JPEG or PNG"):
        client.upload_product_image(1, b"%PDF-1.4", filename="cap.pdf", content_type="image/png")
    assert len(mocked.calls) == 2  # refused before any call


def test_confirm_product_sets_what_the_create_dropped(client, mocked, ledger):
    new = NewProduct(name="Mug", price=Decimal("9.00"), tax_id=1, supply_price=Decimal("3.00"))
    mocked.post(f"{BASE}/products/", status=201, json={"product_id": 8})
    # Hiboutik kept everything but the cost price.
    mocked.get(f"{BASE}/products/8", json=[{**product(8, "9.00"), "product_model": "Mug"}])
    mocked.put(f"{BASE}/product/8", json={"product_id": 8})
    product_id = client.create_product(new)
    confirmed = client.confirm_product(product_id, new)
    assert confirmed.supply_price == Decimal("3.00")
    assert (confirmed.name, confirmed.price) == ("Mug", Decimal("9.00"))
    put = mocked.calls[2].request
    assert "product_attribute=product_supply_price" in put.body and "new_value=3.00" in put.body
    assert ledger.count(client.ledger_key) == 3


def test_confirm_product_costs_one_call_when_all_was_stored(client, mocked):
    new = NewProduct(name="P8", price=Decimal("10.00"), tax_id=1)
    mocked.get(f"{BASE}/products/8", json=[product(8)])
    assert client.confirm_product(8, new).name == "P8"
    assert len(mocked.calls) == 1


# --- stock changes -------------------------------------------------------------------------


def test_push_stock_changes_sends_increases_first_and_stops_at_a_refused_decrease(client, mocked):
    mocked.post(f"{BASE}/inventory_inputs", status=201, json={"inventory_input_id": 3})
    mocked.post(
        f"{BASE}/inventory_input_details/3", status=201, json={"inventory_input_detail_id": 1}
    )
    mocked.post(f"{BASE}/inventory_input_validate", json={})
    pushed = client.push_stock_changes(
        1, [StockChange(7, -1), StockChange(4, 2), StockChange(8, -3)], label="Connect"
    )
    bodies = [call.request.body for call in mocked.calls[1:]]
    assert "product_id=4" in bodies[0] and "received=2" in bodies[0]
    assert pushed.inventory_input_id == 3
    assert len(pushed.applied) == 3


def test_a_refused_decrease_is_reported_not_applied(client, mocked):
    mocked.post(f"{BASE}/inventory_inputs", status=201, json={"inventory_input_id": 3})
    mocked.post(
        f"{BASE}/inventory_input_details/3", status=201, json={"inventory_input_detail_id": 1}
    )
    mocked.post(
        f"{BASE}/inventory_input_details/3",
        status=422,
        json={"error": "invalid_data", "code": 6, "details": {"quantity": "must be positive"}},
    )
    mocked.post(f"{BASE}/inventory_input_validate", json={})
    decreases = [StockChange(7, -1), StockChange(8, -3)]
    pushed = client.push_stock_changes(1, [StockChange(4, 2), *decreases])
    assert pushed.applied == (StockChange(4, 2),)
    assert pushed.refused == tuple(decreases)
    # The second decrease was not sent once the first was refused; the increase was validated.
    paths = [call.request.path_url for call in mocked.calls]
    assert paths.count("/api/inventory_input_details/3") == 2
    assert paths[-1] == "/api/inventory_input_validate"


def test_other_refusals_of_a_stock_line_are_raised(client, mocked):
    mocked.post(f"{BASE}/inventory_inputs", status=201, json={"inventory_input_id": 3})
    mocked.post(
        f"{BASE}/inventory_input_details/3",
        status=422,
        json={"error": "invalid_data", "code": 6, "details": {"product_id": "unknown"}},
    )
    with pytest.raises(HiboutikValidationError):
        client.push_stock_changes(1, [StockChange(999, -1)])


def test_push_stock_changes_without_anything_to_send_makes_no_call(client, mocked):
    assert client.push_stock_changes(1, []) == StockPush(None)
    only_down = client.push_stock_changes(1, [StockChange(4, -2)], decreases_allowed=False)
    assert only_down == StockPush(None, refused=(StockChange(4, -2),))
    with pytest.raises(ValueError, match="twice"):
        client.push_stock_changes(1, [StockChange(4, 1), StockChange(4, 2)])
    with pytest.raises(ValueError, match="0 changes nothing"):
        client.push_stock_changes(1, [StockChange(4, 0)])
    assert len(mocked.calls) == 0
