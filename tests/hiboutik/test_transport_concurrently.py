"""Independent calls sent side by side (the lines of a stock order): within the account's cap,
handed back in order, in the caller's context, and stopped cleanly."""

import contextvars
import json
import re
import threading
import time
from urllib.parse import parse_qs

import pytest
import responses

from hiboutik.concurrency import AccountGate
from hiboutik.errors import HiboutikValidationError
from tests.hiboutik.test_transport_paging import BASE, make_client

RUN = contextvars.ContextVar("run", default=None)
LINES = re.compile(rf"{re.escape(BASE)}/inventory_input_details/\d+")


class LineServer:
    """Stock order lines that take a little while to add; records how many were in flight at
    once, which products were sent and in which context. Refuses the products in `refuse`."""

    def __init__(self, *, refuse: frozenset[int] = frozenset(), seconds: float = 0.02) -> None:
        self.lock = threading.Lock()
        self.in_flight = self.peak = 0
        self.received: list[int] = []
        self.runs: set[object] = set()
        self.refuse = refuse
        self.seconds = seconds

    def __call__(self, request):
        product = int(parse_qs(request.body)["product_id"][0])
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.received.append(product)
            self.runs.add(RUN.get())
        time.sleep(self.seconds)
        with self.lock:
            self.in_flight -= 1
        if product in self.refuse:
            return 422, {}, json.dumps({"error": "quantity", "details": {"quantity": "no"}})
        return 201, {}, json.dumps({"inventory_input_detail_id": product * 10})


@pytest.fixture
def mocked():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as rsps:
        yield rsps


def serve(mocked, server: LineServer) -> None:
    mocked.add_callback(responses.POST, LINES, callback=server)


def add_line(client):
    return lambda product: client.add_inventory_input_detail(7, product_id=product, quantity=1)


def test_calls_go_out_side_by_side_within_the_cap_and_come_back_in_order(mocked):
    server = LineServer()
    serve(mocked, server)
    client = make_client(max_concurrency=3)
    RUN.set("run 7")
    outcomes = list(client.concurrently(add_line(client), range(1, 31)))
    assert [item for item, _ in outcomes] == list(range(1, 31))
    assert [future.result() for _, future in outcomes] == [n * 10 for n in range(1, 31)]
    assert server.peak == 3  # side by side, never beyond the cap
    assert server.runs == {"run 7"}  # every call counted for the caller's run
    assert client.ledger.count(client.ledger_key) == 30


def test_with_a_cap_of_one_calls_go_one_after_another(mocked):
    server = LineServer(seconds=0.001)
    serve(mocked, server)
    client = make_client(max_concurrency=1)
    outcomes = list(client.concurrently(add_line(client), range(1, 6)))
    assert [future.result() for _, future in outcomes] == [10, 20, 30, 40, 50]
    assert server.peak == 1


def test_an_error_is_handed_back_with_its_item_and_the_others_still_go(mocked):
    serve(mocked, LineServer(refuse=frozenset({4})))
    client = make_client(max_concurrency=4)
    outcomes = dict(client.concurrently(add_line(client), range(1, 11)))
    assert isinstance(outcomes[4].exception(), HiboutikValidationError)
    others = [n for n in range(1, 11) if n != 4]
    assert [outcomes[n].result() for n in others] == [n * 10 for n in others]


def test_once_stopped_no_other_call_starts_and_those_in_flight_are_handed_back(mocked):
    server = LineServer(refuse=frozenset({2}))
    serve(mocked, server)
    client = make_client(max_concurrency=4)
    refused: list[int] = []
    outcomes = []
    for item, future in client.concurrently(
        add_line(client), range(1, 41), stop=lambda: bool(refused)
    ):
        outcomes.append((item, future))
        if future is not None and future.exception() is not None:
            refused.append(item)
    assert [item for item, _ in outcomes] == list(range(1, 41))  # every item accounted for
    never_sent = [item for item, future in outcomes if future is None]
    sent = [item for item, future in outcomes if future is not None]
    assert never_sent
    assert max(sent) <= 2 + 2 * 4  # only what was under way when item 2 failed: a window
    assert sorted(server.received) == sent  # what came back None was never sent
    assert all(future.done() for _, future in outcomes if future is not None)


def test_leaving_early_waits_for_the_calls_in_flight(mocked):
    server = LineServer()
    serve(mocked, server)
    client = make_client(max_concurrency=4)
    for item, _future in client.concurrently(add_line(client), range(1, 101)):
        if item == 3:
            break
    assert server.in_flight == 0
    assert len(server.received) < 20


def test_the_ledger_counts_a_call_only_once_it_holds_a_slot(mocked):
    # A worker killed while its calls wait for a slot must leave none counted and unsent. The
    # account's gate has 2 slots (other clients of the account hold the rest), this client's
    # pool 4 workers: two of them wait.
    release = threading.Event()
    held: list[int] = []
    client = make_client(max_concurrency=4, gate=AccountGate(2))

    def slow_line(request):
        held.append(1)
        release.wait(5)
        return 201, {}, json.dumps({"inventory_input_detail_id": 1})

    mocked.add_callback(responses.POST, LINES, callback=slow_line)
    results: list = []
    consumer = threading.Thread(
        target=lambda: results.extend(client.concurrently(add_line(client), range(1, 9)))
    )
    consumer.start()
    deadline = time.monotonic() + 5
    while len(held) < 2 and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # the pool's other workers are now waiting for a slot
    assert len(held) == 2
    assert client.ledger.count(client.ledger_key) == 2
    release.set()
    consumer.join(10)
    assert len(results) == 8
    assert client.ledger.count(client.ledger_key) == 8
