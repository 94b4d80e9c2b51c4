import threading

import pytest

from hiboutik.ledger import CallLedger, InMemoryCallLedger


class Month:
    def __init__(self, value: str) -> None:
        self.value = value

    def __call__(self) -> str:
        return self.value


def test_in_memory_ledger_satisfies_the_protocol():
    assert isinstance(InMemoryCallLedger(), CallLedger)


def test_counts_per_key_and_refuses_non_essential_calls_at_the_quota():
    ledger = InMemoryCallLedger(quota=3)
    ledger.record("a", 2)
    ledger.record("b")
    assert ledger.count("a") == 2
    assert not ledger.is_exhausted("a")
    ledger.record("a")
    assert ledger.is_exhausted("a")
    assert not ledger.is_exhausted("a", essential=True)
    assert not ledger.is_exhausted("b")


def test_reserve_keeps_room_for_essential_calls():
    ledger = InMemoryCallLedger(quota=10, essential_reserve=2)
    ledger.record("a", 8)
    assert ledger.is_exhausted("a")
    assert not ledger.is_exhausted("a", essential=True)


def test_marked_exhausted_until_the_month_changes():
    month = Month("2026-11")
    ledger = InMemoryCallLedger(quota=100, month=month)
    ledger.record("a", 5)
    ledger.mark_exhausted("a")
    assert ledger.is_exhausted("a")
    month.value = "2026-12"
    assert not ledger.is_exhausted("a")
    assert ledger.count("a") == 0


def test_concurrent_records_are_not_lost():
    ledger = InMemoryCallLedger()

    def hammer() -> None:
        for _ in range(1000):
            ledger.record("a")

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert ledger.count("a") == 8000


def test_bad_settings_are_refused():
    with pytest.raises(ValueError, match="quota"):
        InMemoryCallLedger(quota=-1)
    with pytest.raises(ValueError, match="essential_reserve"):
        InMemoryCallLedger(quota=5, essential_reserve=6)
    with pytest.raises(ValueError, match="negative"):
        InMemoryCallLedger().record("a", -1)
