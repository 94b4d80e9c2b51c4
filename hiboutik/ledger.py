"""The call ledger: how the client counts Hiboutik calls against the account's monthly quota.

Hiboutik allows 10,000 calls per month per shop, shared by every app on the account, and locks
the account out once they are spent. The client therefore reports every HTTP attempt (retries
included) to a ledger and asks it before each attempt whether the month's quota is spent.

The protocol is deliberately small so the integration layer can back it with a database table
(one row per account and month, incremented with an ``F()`` expression):

- ``record(key, n)`` — count ``n`` attempts for ``key`` in the current month;
- ``is_exhausted(key, essential=...)`` — whether a call may be made now; ``essential`` calls
  (those the merchant cannot do without, e.g. importing sales) may use a reserve the others
  may not, and are never refused merely because Hiboutik said the quota was reached;
- ``mark_exhausted(key)`` — Hiboutik answered 429 "monthly quota reached": refuse
  non-essential calls until the month changes, whatever the local count says.

``key`` identifies the account (the Hiboutik account label or the integration id).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

DEFAULT_MONTHLY_QUOTA = 10_000
_PARIS = ZoneInfo("Europe/Paris")


@runtime_checkable
class CallLedger(Protocol):
    def record(self, key: str, n: int = 1) -> None: ...

    def is_exhausted(self, key: str, *, essential: bool = False) -> bool: ...

    def mark_exhausted(self, key: str) -> None: ...


def current_month() -> str:
    """Hiboutik is a French service: its month turns over in Paris time."""
    return datetime.now(_PARIS).strftime("%Y-%m")


class InMemoryCallLedger:
    """A thread-safe ledger held in memory: for tests, the simulator's demo and scripts.

    Non-essential calls are refused once ``quota - essential_reserve`` calls are counted in the
    month, or once Hiboutik said the quota is reached. Essential calls are never refused here:
    other apps share the account's quota without being counted, so only Hiboutik's own answer
    is authoritative for them, and the reserve keeps room for them.
    """

    def __init__(
        self,
        quota: int = DEFAULT_MONTHLY_QUOTA,
        *,
        essential_reserve: int = 0,
        month: Callable[[], str] = current_month,
    ) -> None:
        if quota < 0:
            raise ValueError(f"quota must be zero or more, got {quota}")
        if not 0 <= essential_reserve <= quota:
            raise ValueError(
                f"essential_reserve must be between 0 and quota, got {essential_reserve}"
            )
        self.quota = quota
        self.essential_reserve = essential_reserve
        self._month = month
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}
        self._exhausted: set[tuple[str, str]] = set()

    def record(self, key: str, n: int = 1) -> None:
        if n < 0:
            raise ValueError(f"cannot record a negative number of calls: {n}")
        slot = (key, self._month())
        with self._lock:
            self._counts[slot] = self._counts.get(slot, 0) + n

    def is_exhausted(self, key: str, *, essential: bool = False) -> bool:
        if essential:
            return False
        slot = (key, self._month())
        with self._lock:
            if slot in self._exhausted:
                return True
            return self._counts.get(slot, 0) >= self.quota - self.essential_reserve

    def mark_exhausted(self, key: str) -> None:
        with self._lock:
            self._exhausted.add((key, self._month()))

    def count(self, key: str) -> int:
        """Calls recorded for ``key`` this month."""
        with self._lock:
            return self._counts.get((key, self._month()), 0)
