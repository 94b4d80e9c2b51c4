"""Independent calls sent side by side (the lines of a stock order): within the account's cap,
handed back in order, in the caller's context, and stopped cleanly."""

import contextvars
import threading
import time

from tests.hiboutik.test_transport_paging import make_client

RUN = contextvars.ContextVar("run", default=None)


class Recorder:
    """A call that takes a little while and records how many ran at once, and in which
    context."""

    def __init__(self, *, fail_on: set[int] = frozenset(), seconds: float = 0.02) -> None:
        self.lock = threading.Lock()
        self.in_flight = self.peak = 0
        self.called: list[int] = []
        self.runs: set[object] = set()
        self.fail_on = fail_on
        self.seconds = seconds

    def __call__(self, item: int) -> int:
        with self.lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            self.called.append(item)
            self.runs.add(RUN.get())
        try:
            time.sleep(self.seconds)
            if item in self.fail_on:
                raise ValueError(f"item {item} refused")
            return item * 10
        finally:
            with self.lock:
                self.in_flight -= 1


def test_calls_go_out_side_by_side_within_the_cap_and_come_back_in_order():
    call = Recorder()
    RUN.set("run 7")
    outcomes = list(make_client(max_concurrency=3).concurrently(call, range(30)))
    assert [item for item, _ in outcomes] == list(range(30))
    assert [future.result() for _, future in outcomes] == [n * 10 for n in range(30)]
    assert call.peak == 3
    assert call.runs == {"run 7"}  # every call counted for the caller's run


def test_with_a_cap_of_one_calls_go_one_after_another():
    call = Recorder(seconds=0.001)
    outcomes = list(make_client(max_concurrency=1).concurrently(call, range(5)))
    assert [future.result() for _, future in outcomes] == [0, 10, 20, 30, 40]
    assert call.peak == 1


def test_an_error_is_handed_back_with_its_item_and_the_others_still_go():
    call = Recorder(fail_on={4})
    outcomes = dict(make_client(max_concurrency=4).concurrently(call, range(10)))
    assert isinstance(outcomes[4].exception(), ValueError)
    assert [outcomes[n].result() for n in range(10) if n != 4] == [
        n * 10 for n in range(10) if n != 4
    ]


def test_once_stopped_no_other_call_starts_and_those_in_flight_are_handed_back():
    call = Recorder(fail_on={2})
    refused: list[int] = []
    outcomes = []
    for item, future in make_client(max_concurrency=4).concurrently(
        call, range(40), stop=lambda: bool(refused)
    ):
        outcomes.append((item, future))
        if future is not None and future.exception() is not None:
            refused.append(item)
    assert [item for item, _ in outcomes] == list(range(40))  # every item accounted for
    never_sent = [item for item, future in outcomes if future is None]
    sent = [item for item, future in outcomes if future is not None]
    assert never_sent
    assert max(sent) <= 2 + 2 * 4  # only what was under way when item 2 failed: a window
    assert sorted(call.called) == sent  # what came back None was never called
    assert all(future.done() for _, future in outcomes if future is not None)


def test_leaving_early_waits_for_the_calls_in_flight():
    call = Recorder()
    for item, _future in make_client(max_concurrency=4).concurrently(call, range(100)):
        if item == 3:
            break
    assert call.in_flight == 0
    assert len(call.called) < 20
