import threading
import time
import uuid

import pytest

from hiboutik.concurrency import AccountGate, gate_for


def occupy(gate: AccountGate, threads: int, hold: float = 0.02) -> None:
    def work() -> None:
        with gate.slot():
            time.sleep(hold)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()


def test_gate_never_lets_more_than_the_limit_through():
    gate = AccountGate(3)
    occupy(gate, 12)
    assert gate.peak == 3


def test_gates_are_shared_per_key_and_capped_at_30():
    key = f"acc-{uuid.uuid4()}"
    first = gate_for(key, 4)
    assert gate_for(key, 4) is first
    assert gate_for(f"other-{uuid.uuid4()}", 4) is not first
    assert gate_for(key, 100).limit == 30
    assert gate_for(key, 2).limit == 2  # the newest setting applies


def test_limit_below_one_is_refused():
    with pytest.raises(ValueError, match="at least 1"):
        AccountGate(0)
    with pytest.raises(ValueError, match="at least 1"):
        gate_for(f"acc-{uuid.uuid4()}", 0)
