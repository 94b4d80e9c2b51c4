"""A per-account cap on concurrent Hiboutik calls, shared by every client of the account.

Hiboutik refuses more than 30 concurrent calls per account (shared with the account's other
apps), so Connect keeps well below: 4 by default. A gate is anything with a ``slot()`` context
manager (:class:`ConcurrencyGate`); the transport holds a slot for one HTTP attempt.

:class:`AccountGate` is the in-process gate: every client built for the same account key in this
process goes through the same one, whatever thread it runs in, and the limit can change at run
time. Across processes (several Celery workers) the integration layer injects a gate that holds
across them (``integrations.concurrency``: a Redis semaphore, or lock files on one machine).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Protocol, runtime_checkable

HIBOUTIK_MAX_CONCURRENCY = 30
DEFAULT_CONCURRENCY = 4


@runtime_checkable
class ConcurrencyGate(Protocol):
    def slot(self) -> AbstractContextManager[None]:
        """Wait for a free slot and hold it for the duration of the ``with`` block."""
        ...


class AccountGate:
    """A counting gate whose limit may be changed while threads wait on it."""

    def __init__(self, limit: int) -> None:
        self._condition = threading.Condition()
        self._limit = capped(limit)
        self._active = 0
        self.peak = 0  # highest number of calls seen in flight, for tests and diagnostics

    @property
    def limit(self) -> int:
        return self._limit

    def set_limit(self, limit: int) -> None:
        with self._condition:
            self._limit = capped(limit)
            self._condition.notify_all()

    @contextmanager
    def slot(self) -> Iterator[None]:
        with self._condition:
            self._condition.wait_for(lambda: self._active < self._limit)
            self._active += 1
            self.peak = max(self.peak, self._active)
        try:
            yield
        finally:
            with self._condition:
                self._active -= 1
                self._condition.notify()


def capped(limit: int) -> int:
    """``limit`` checked (at least 1) and capped at Hiboutik's 30."""
    if limit < 1:
        raise ValueError(f"max_concurrency must be at least 1, got {limit}")
    return min(limit, HIBOUTIK_MAX_CONCURRENCY)


_gates: dict[str, AccountGate] = {}
_gates_lock = threading.Lock()


def gate_for(key: str, limit: int = DEFAULT_CONCURRENCY) -> AccountGate:
    """The process-wide gate of account ``key``, set to ``limit`` (capped at 30)."""
    with _gates_lock:
        gate = _gates.get(key)
        if gate is None:
            gate = _gates[key] = AccountGate(limit)
        elif gate.limit != min(limit, HIBOUTIK_MAX_CONCURRENCY):
            gate.set_limit(limit)
        return gate
