"""The pager of the transport against canned answers: lists that end, lists that would not,
and the concurrent fetch of pages when the first one announces the total."""

import json
import random
import threading
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
import responses

from hiboutik.client import HiboutikClient
from hiboutik.errors import HiboutikPaginationError, HiboutikThrottled
from hiboutik.ledger import InMemoryCallLedger

BASE = "https://acme.hiboutik.com/api"
STOCK = f"{BASE}/stock_available/warehouse_id/1"


def stock_row(n: int) -> dict:
    return {"product_id": n, "product_size": 0, "stock_available": n % 7, "warehouse_id": 1}


def make_client(**kwargs) -> HiboutikClient:
    options = {
        "base_url": BASE,
        "user": "ops@acme.test",
        "api_key": "K1",
        "ledger": InMemoryCallLedger(),
        "ledger_key": f"acme-{uuid.uuid4()}",
        "sleep": lambda _seconds: None,
        "rng": random.Random(1),
        **kwargs,
    }
    return HiboutikClient(**options)


def requested_page(request) -> int:
    return int(parse_qs(urlsplit(request.url).query).get("p", ["1"])[0])


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def test_a_server_ignoring_p_that_sends_everything_costs_one_call(mocked):
    everything = [stock_row(n) for n in range(1, 3001)]
    mocked.get(STOCK, json=everything)
    rows = list(make_client().iter_stock(1))
    assert [row.product_id for row in rows] == list(range(1, 3001))
    assert len(mocked.calls) == 1


def test_a_server_ignoring_p_with_exactly_one_page_of_rows_costs_two_calls(mocked):
    mocked.get(STOCK, json=[stock_row(n) for n in range(1, 251)])
    rows = list(make_client().iter_stock(1))
    assert [row.product_id for row in rows] == list(range(1, 251))
    assert len(mocked.calls) == 2


def test_a_server_that_keeps_sending_full_pages_hits_the_page_cap(mocked):
    def full_page(request):
        page = requested_page(request)
        return 200, {}, json.dumps([stock_row(page * 1000 + n) for n in range(250)])

    mocked.add_callback(responses.GET, STOCK, callback=full_page)
    client = make_client(max_pages=20)
    with pytest.raises(HiboutikPaginationError, match="within 20 pages") as caught:
        list(client.iter_stock(1))
    assert caught.value.path == "/stock_available/warehouse_id/1"
    assert len(mocked.calls) == 20


def test_a_total_beyond_the_page_cap_is_refused_before_reading_on(mocked):
    mocked.get(
        STOCK,
        json=[stock_row(n) for n in range(250)],
        headers={"Content-Range": "0-249/1000000"},
    )
    with pytest.raises(HiboutikPaginationError, match="1000000 rows"):
        list(make_client(max_pages=100).iter_stock(1))
    assert len(mocked.calls) == 1


class PagedServer:
    """Answers pages of ``rows`` like the simulator, Content-Range included, after ``delay``
    seconds, and records how many calls were in flight at once.

    With ``hold_until_peak``, calls after the first page wait (5 s at most) until that many are
    in flight, so a busy machine that starts the threads late cannot hide the concurrency."""

    def __init__(
        self,
        total: int,
        delay: float = 0.01,
        fail_page: int | None = None,
        hold_until_peak: int | None = None,
    ) -> None:
        self.rows = [stock_row(n) for n in range(1, total + 1)]
        self.delay = delay
        self.fail_page = fail_page
        self.hold_until_peak = hold_until_peak
        self.lock = threading.Condition()
        self.in_flight = self.peak = 0
        self.pages: list[int] = []

    def __call__(self, request):
        page = requested_page(request)
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.pages.append(page)
            self.lock.notify_all()
            if self.hold_until_peak and page != 1:
                self.lock.wait_for(lambda: self.peak >= self.hold_until_peak, timeout=5)
        time.sleep(self.delay)
        with self.lock:
            self.in_flight -= 1
        if page == self.fail_page:
            return 503, {"Retry-After": "60"}, "{}"
        chunk = self.rows[(page - 1) * 250 : page * 250]
        start = (page - 1) * 250
        headers = {"Content-Range": f"{start}-{start + len(chunk) - 1}/{len(self.rows)}"}
        return 200, headers, json.dumps(chunk)


def test_pages_announced_by_content_range_come_concurrently_and_in_order(mocked):
    server = PagedServer(total=2_400, hold_until_peak=4)  # 10 pages
    mocked.add_callback(responses.GET, STOCK, callback=server)
    rows = list(make_client(max_concurrency=4).iter_stock(1))
    assert [row.product_id for row in rows] == list(range(1, 2_401))
    assert sorted(server.pages) == list(range(1, 11))
    assert server.peak == 4


def test_without_a_total_pages_are_read_one_after_another(mocked):
    server = PagedServer(total=1_000)

    def without_total(request):
        status, _headers, body = server(request)
        return status, {}, body

    mocked.add_callback(responses.GET, STOCK, callback=without_total)
    rows = list(make_client(max_concurrency=4).iter_stock(1))
    assert len(rows) == 1_000
    assert server.pages == [1, 2, 3, 4, 5]  # four full pages, then an empty one
    assert server.peak == 1


def test_a_failing_page_raises_after_the_rows_before_it(mocked):
    server = PagedServer(total=2_400, fail_page=4)
    mocked.add_callback(responses.GET, STOCK, callback=server)
    seen = []
    with pytest.raises(HiboutikThrottled) as caught:
        for row in make_client(max_concurrency=4).iter_stock(1):
            seen.append(row.product_id)
    assert seen == list(range(1, 751))
    assert caught.value.retry_after == 60
    # The pages fetched ahead are bounded by the window (twice the cap).
    assert max(server.pages) <= 4 + 2 * 4


def test_a_reader_that_stops_early_leaves_few_calls_behind(mocked):
    server = PagedServer(total=25_000)  # 100 pages
    mocked.add_callback(responses.GET, STOCK, callback=server)
    reader = make_client(max_concurrency=4).iter_stock(1)
    first = [next(reader).product_id for _ in range(300)]
    reader.close()
    assert first == list(range(1, 301))
    assert len(server.pages) <= 2 + 2 * 4
