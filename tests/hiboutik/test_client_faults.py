"""Acceptance tests of the client against a misbehaving simulator: injected faults during a
2,000-product paginated read, and the monthly quota running out."""

import itertools
import time
import uuid

import pytest
import requests

from hiboutik.client import HiboutikClient
from hiboutik.errors import HiboutikQuotaExhausted, HiboutikThrottled
from hiboutik.ledger import InMemoryCallLedger
from hiboutik.throttling import ACTIVITY

USER = "demo@connect.test"
KEY = "DEMOKEY"


class RecordingSleep(list):
    """Really sleeps, and remembers each delay the client asked for."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        time.sleep(seconds)


def make_client(sim, **kwargs) -> HiboutikClient:
    options = {
        "base_url": sim.base_url,
        "user": USER,
        "api_key": KEY,
        "ledger": InMemoryCallLedger(),
        "ledger_key": f"demo-{uuid.uuid4()}",
        **kwargs,
    }
    return HiboutikClient(**options)


def set_faults(sim, **faults) -> None:
    response = requests.post(f"{sim.root_url}/_sim/faults", json=faults, timeout=5)
    assert response.status_code == 200, response.text


def retried_faults(caplog) -> dict[str, int]:
    """What the client retried, by kind, from its own warnings."""
    messages = [r.getMessage() for r in caplog.records if "retrying in" in r.getMessage()]
    return {
        "503": sum("HTTP 503" in m for m in messages),
        "reset": sum("ConnectionError" in m for m in messages),
        "slow": sum("ReadTimeout" in m for m in messages),
    }


def test_faulty_paginated_read_returns_every_row_exactly_once(simulator_factory, caplog):
    sim = simulator_factory(seed="demo")
    sim.add_products(2000)
    sleeps = RecordingSleep()
    # The read timeout sits well above a normal page, even on a busy machine, and well below a
    # slow one (4 s).
    client = make_client(sim, timeout=(2.0, 2.5), backoff_base=0.05, backoff_cap=0.2, sleep=sleeps)
    truth = [product.product_id for product in client.iter_products()]
    assert len(truth) == len(set(truth)) >= 2000

    # Seeded dice make the run repeatable; with this seed every fault kind fires during the
    # read (checked below from what the client saw, so the test cannot pass vacuously).
    # The exactly-once assertion holds whatever the dice.
    sim.rng.seed(678)
    set_faults(
        sim,
        error_rate=0.10,
        status=503,
        retry_after=1,
        reset_rate=0.02,
        slow_rate=0.01,
        slow_ms=4000,
    )
    started = time.monotonic()
    assert [product.product_id for product in client.iter_products()] == truth
    elapsed = time.monotonic() - started

    seen = retried_faults(caplog)
    assert seen["503"] >= 1 and seen["reset"] >= 1 and seen["slow"] >= 1, seen
    # Every 503 came with Retry-After: 1 and the client waited exactly that; the other
    # faults used the jittered backoff, under its 0.2 s cap.
    assert sleeps.count(1.0) == seen["503"]
    assert all(delay == 1.0 or delay <= 0.2 for delay in sleeps)
    assert client.ledger.count(client.ledger_key) == sim.stats()["calls_this_month"]
    assert elapsed < 45  # generous: the machine may be busy


@pytest.mark.parametrize(
    ("faults", "kind"),
    [
        ({"reset_rate": 0.3}, "reset"),
        ({"slow_rate": 0.3, "slow_ms": 4000}, "slow"),
        ({"error_rate": 0.3, "status": 503, "retry_after": 0}, "503"),
    ],
    ids=["connection resets", "slow responses", "503 with Retry-After"],
)
def test_each_fault_kind_alone_is_survived(simulator_factory, caplog, faults, kind):
    sim = simulator_factory(seed="demo")
    sim.add_products(500)
    sleeps = RecordingSleep()
    client = make_client(sim, timeout=(2.0, 2.5), backoff_base=0.02, backoff_cap=0.1, sleep=sleeps)
    truth = [product.product_id for product in client.iter_products()]
    sim.rng.seed(1)  # a seed that makes this kind fire within the read
    set_faults(sim, **faults)
    assert [product.product_id for product in client.iter_products()] == truth
    assert retried_faults(caplog)[kind] >= 1


def test_quota_reached_stops_the_client_and_the_ledger_agrees(simulator_factory, monkeypatch):
    # The simulator's 429 says nothing of the month (the default --quota-message): the client
    # concludes from 429s in a row over a minute while it was the only caller.
    sim = simulator_factory(seed="demo", quota=50)
    sleeps = RecordingSleep()
    clock = [1000.0]
    monkeypatch.setattr(ACTIVITY, "clock", lambda: clock[0])
    client = make_client(sim, sleep=sleeps, backoff_base=0.01, max_retries=2)

    calls = 0
    with pytest.raises(HiboutikThrottled):
        for calls in itertools.count(1):  # noqa: B007 - the count is the point
            client.list_taxes()
    assert calls == 51
    assert len(sleeps) == 2  # two short backoffs, then the step is left to the task queue
    assert sim.stats()["calls_this_month"] == 53

    clock[0] += 60  # the task queue's countdown
    with pytest.raises(HiboutikQuotaExhausted) as caught:
        client.list_taxes()
    assert caught.value.status == 429

    # The client now refuses on its own: no more HTTP, the simulator count stays put.
    with pytest.raises(HiboutikQuotaExhausted, match="no request was sent"):
        list(client.iter_products())
    stats = sim.stats()
    assert stats["calls_this_month"] == 54
    assert client.ledger.count(client.ledger_key) == stats["calls_this_month"]

    # Once the month is known spent, essential calls stay home too.
    with pytest.raises(HiboutikQuotaExhausted, match="no request was sent"):
        client.list_taxes(essential=True)
    assert client.ledger.count(client.ledger_key) == sim.stats()["calls_this_month"] == 54
