"""Telling a spent month from a busy account when Hiboutik answers 429.

Hiboutik answers 429 both when the month's call quota is spent and when the account has too
many calls in flight (30, shared with the account's other apps), and no real 429 body or header
is known that tells them apart (hiboutik-api.md §3.3, §14). So the words of the answer are never
read. The month is judged spent from two signals only:

- **the call ledger**: once its count reaches the quota it refuses the next attempt, which then
  raises :class:`~hiboutik.errors.HiboutikQuotaExhausted` without any HTTP;
- **repeated 429s on a quiet account**: a 429 says "too many concurrent calls" only if calls
  are in flight. When :data:`QUIET_429_STREAK` answers in a row are 429s, each received while
  this process had no other call to the account in flight, and no other answer came in between,
  the month is taken as spent. A 429 received while other calls were in flight says nothing
  either way; any other answer (a success, a 404, a 500) proves the month is not spent and
  starts the count again.

The count is kept per account key for the whole process, across clients and calls, because a
throttled call ends quickly (the task queue retries it later) and the evidence must add up over
those retries.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# Three quiet 429s in a row: with the client's backoff this takes at least a second or two of
# refusals while Connect alone was calling, which a concurrency limit of 30 cannot explain.
QUIET_429_STREAK = 3
# "Quiet": no other call of this account in flight in this process during the call.
QUIET_IN_FLIGHT = 1


@dataclass
class CallInFlight:
    """One HTTP attempt; ``peak`` is the most calls of its account seen in flight meanwhile."""

    peak: int = 0


class AccountActivity:
    """Calls in flight and the quiet-429 streak of every account key, thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, set[int]] = {}
        self._calls: dict[int, CallInFlight] = {}
        self._streaks: dict[str, int] = {}

    @contextmanager
    def calling(self, key: str) -> Iterator[CallInFlight]:
        call = CallInFlight()
        with self._lock:
            active = self._active.setdefault(key, set())
            active.add(id(call))
            self._calls[id(call)] = call
            for other in active:
                self._calls[other].peak = max(self._calls[other].peak, len(active))
        try:
            yield call
        finally:
            with self._lock:
                self._active[key].discard(id(call))
                del self._calls[id(call)]

    def answered(self, key: str, status: int, call: CallInFlight) -> int:
        """Note one HTTP answer; returns the account's current quiet-429 streak."""
        with self._lock:
            if status != 429:
                self._streaks[key] = 0
            elif call.peak <= QUIET_IN_FLIGHT:
                self._streaks[key] = self._streaks.get(key, 0) + 1
            return self._streaks.get(key, 0)

    def streak(self, key: str) -> int:
        with self._lock:
            return self._streaks.get(key, 0)


ACTIVITY = AccountActivity()
