"""Telling a spent month from a busy account when Hiboutik answers 429.

Hiboutik answers 429 both when the month's call quota is spent and when the account has too
many calls in flight (30, shared with the account's other apps), and no real 429 body or header
is known that tells them apart (hiboutik-api.md §3.3, §14). So the words of the answer are never
read. The month is judged spent from two signals only:

- **the call ledger**: once its count reaches the quota it refuses the next attempt, which then
  raises :class:`~hiboutik.errors.HiboutikQuotaExhausted` without any HTTP;
- **repeated 429s on a quiet account**: a 429 says "too many concurrent calls" only if calls
  are in flight. When at least :data:`QUIET_429_STREAK` answers in a row are 429s, each
  received while this process had no other call to the account in flight, spread over at
  least :data:`QUIET_429_SPAN` seconds, and no other answer came in between, the month is
  taken as spent. A 429 received while other calls were in flight says nothing either way; any
  other answer (a success, a 404, a 500) proves the month is not spent and starts again.

Declaring the month spent stops every call of the account until the month changes, so the
evidence must outlast a burst of the account's other apps: one call gives up after a few
seconds (the task queue retries it minutes later), and it is those later retries that complete
the proof. The count is therefore kept per account key for the whole process, across clients
and calls.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

# Three quiet 429s in a row over a minute at least: refusals while Connect alone was calling,
# lasting longer than another app's burst of concurrent calls would.
QUIET_429_STREAK = 3
QUIET_429_SPAN = 60.0
# "Quiet": no other call of this account in flight in this process during the call.
QUIET_IN_FLIGHT = 1


@dataclass(frozen=True)
class Streak:
    """Quiet 429s in a row and the seconds between the first and the last."""

    answers: int = 0
    seconds: float = 0.0

    @property
    def month_spent(self) -> bool:
        return self.answers >= QUIET_429_STREAK and self.seconds >= QUIET_429_SPAN


@dataclass
class CallInFlight:
    """One HTTP attempt; ``peak`` is the most calls of its account seen in flight meanwhile."""

    peak: int = 0


class AccountActivity:
    """Calls in flight and the quiet-429 streak of every account key, thread-safe."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._active: dict[str, set[int]] = {}
        self._calls: dict[int, CallInFlight] = {}
        self._streaks: dict[str, tuple[int, float, float]] = {}  # answers, first, last

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

    def answered(self, key: str, status: int, call: CallInFlight) -> Streak:
        """Note one HTTP answer; returns the account's current quiet-429 streak."""
        now = self.clock()
        with self._lock:
            if status != 429:
                self._streaks.pop(key, None)
            elif call.peak <= QUIET_IN_FLIGHT:
                answers, first, _ = self._streaks.get(key, (0, now, now))
                self._streaks[key] = (answers + 1, first, now)
            return self._streak(key)

    def streak(self, key: str) -> Streak:
        with self._lock:
            return self._streak(key)

    def _streak(self, key: str) -> Streak:
        answers, first, last = self._streaks.get(key, (0, 0.0, 0.0))
        return Streak(answers, last - first)


ACTIVITY = AccountActivity()
