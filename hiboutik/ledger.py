"""The call ledger: how the client counts Hiboutik calls against the account's monthly quota.

Hiboutik allows 10,000 calls per month per shop, shared by every app on the account, and locks
the account out once they are spent. The client therefore asks the ledger for each HTTP attempt
(retries included) *before* sending it, and the ledger answers and counts in one atomic step,
so two workers can never both take the last call:

- ``try_consume(key, n, essential=...)`` — count ``n`` calls for ``key`` in the current month
  and return ``True``, or count nothing and return ``False`` when the calls may not be made:
  non-essential calls are refused from 95 % of the quota (the rest is kept for what the
  merchant cannot do without, such as importing sales and exporting stock), every call at
  100 % or once the account is marked exhausted;
- ``mark_exhausted(key)`` — Hiboutik answered 429 "monthly quota reached" (other apps share
  the quota without being counted here): refuse every call until the month changes;
- ``count(key)`` — calls counted for ``key`` this month.

``key`` identifies the account (the Hiboutik account label, or the base URL for a simulator).
The integration layer backs this protocol with a database table shared by every process
(``integrations.ledger.DatabaseCallLedger``); :class:`InMemoryCallLedger` serves tests, scripts
and benchmarks.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime
from typing import Protocol, runtime_checkable
from zoneinfo import ZoneInfo

DEFAULT_MONTHLY_QUOTA = 10_000
# Share of the quota that non-essential calls may use; the rest is the essential reserve.
NON_ESSENTIAL_PERCENT = 95
_PARIS = ZoneInfo("Europe/Paris")


@runtime_checkable
class CallLedger(Protocol):
    def try_consume(self, key: str, n: int = 1, *, essential: bool = False) -> bool: ...

    def mark_exhausted(self, key: str) -> None: ...

    def count(self, key: str) -> int: ...


def current_month() -> str:
    """Hiboutik is a French service: its month turns over in Paris time."""
    return datetime.now(_PARIS).strftime("%Y-%m")


def allowance(quota: int, *, essential: bool) -> int:
    """How many calls of the month a call of this kind may bring the count up to."""
    if essential:
        return quota
    return quota * NON_ESSENTIAL_PERCENT // 100


def check_consume(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise ValueError(f"can only consume a positive number of calls, got {n!r}")


def check_quota(quota: int) -> None:
    if isinstance(quota, bool) or not isinstance(quota, int) or quota < 0:
        raise ValueError(f"quota must be zero or more, got {quota!r}")


class InMemoryCallLedger:
    """A thread-safe ledger held in memory, for tests, scripts and benchmarks."""

    def __init__(
        self,
        quota: int = DEFAULT_MONTHLY_QUOTA,
        *,
        month: Callable[[], str] = current_month,
    ) -> None:
        check_quota(quota)
        self.quota = quota
        self._month = month
        self._lock = threading.Lock()
        self._counts: dict[tuple[str, str], int] = {}
        self._exhausted: set[tuple[str, str]] = set()

    def try_consume(self, key: str, n: int = 1, *, essential: bool = False) -> bool:
        check_consume(n)
        slot = (key, self._month())
        with self._lock:
            count = self._counts.get(slot, 0)
            if slot in self._exhausted or count + n > allowance(self.quota, essential=essential):
                return False
            self._counts[slot] = count + n
            return True

    def mark_exhausted(self, key: str) -> None:
        with self._lock:
            self._exhausted.add((key, self._month()))

    def is_exhausted(self, key: str) -> bool:
        """Whether the month was marked spent (what Hiboutik said), whatever the count."""
        with self._lock:
            return (key, self._month()) in self._exhausted

    def count(self, key: str) -> int:
        with self._lock:
            return self._counts.get((key, self._month()), 0)
