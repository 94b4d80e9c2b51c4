import threading

import pytest

from hiboutik.ledger import CallLedger, InMemoryCallLedger, allowance


class Month:
    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self) -> str:
        return self.value


def test_in_memory_ledger_satisfies_the_protocol():
    assert isinstance(InMemoryCallLedger(), CallLedger)


def test_non_essential_calls_stop_at_95_percent_and_essential_ones_at_the_quota():
    assert allowance(10_000, essential=False) == 9_500
    assert allowance(10_000, essential=True) == 10_000
    ledger = InMemoryCallLedger(quota=100)
    assert ledger.try_consume("a", 94)
    assert ledger.try_consume("a")
    assert not ledger.try_consume("a")
    assert ledger.count("a") == 95  # a refused call is not counted
    assert ledger.try_consume("a", 5, essential=True)
    assert not ledger.try_consume("a", essential=True)
    assert ledger.count("a") == 100
    assert ledger.try_consume("b")  # per key


def test_a_batch_that_would_cross_the_limit_is_refused_whole():
    ledger = InMemoryCallLedger(quota=10)
    assert ledger.try_consume("a", 8, essential=True)
    assert not ledger.try_consume("a", 3, essential=True)
    assert ledger.count("a") == 8


def test_marked_exhausted_refuses_everything_until_the_month_changes():
    month = Month("2026-11")
    ledger = InMemoryCallLedger(quota=100, month=month)
    ledger.try_consume("a", 5)
    ledger.mark_exhausted("a")
    assert not ledger.try_consume("a")
    assert not ledger.try_consume("a", essential=True)
    assert ledger.count("a") == 5
    month.value = "2026-12"
    assert ledger.count("a") == 0
    assert ledger.try_consume("a")


def test_concurrent_consumers_never_pass_the_quota():
    ledger = InMemoryCallLedger(quota=5000)
    granted = []

    def hammer() -> None:
        mine = sum(ledger.try_consume("a", essential=True) for _ in range(1000))
        granted.append(mine)

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(granted) == ledger.count("a") == 5000


@pytest.mark.parametrize("n", [0, -1, True, 1.5])
def test_bad_amounts_are_refused(n):
    with pytest.raises(ValueError, match="positive"):
        InMemoryCallLedger().try_consume("a", n)


def test_bad_quota_is_refused():
    with pytest.raises(ValueError, match="quota"):
        InMemoryCallLedger(quota=-1)
