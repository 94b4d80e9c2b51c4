"""Hiboutik time stamps: naive ``YYYY-MM-DD HH:MM:SS`` strings in the store's time zone.

The time comes from the real clock unless the simulator serving the request was given a
simulated one (``POST /_sim/clock``): a benchmark then plays a whole month in minutes, with
sales, fiscal days, the quota month and webhook stamps all on the simulated calendar. The
serving simulator's clock is found through a context variable set for each request, so the
route code keeps calling :func:`local_now` without knowing which simulator it serves.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

DEFAULT_TIME_ZONE = "Europe/Paris"
ZERO_DATETIME = "0000-00-00 00:00:00"
STAMP_FORMAT = "%Y-%m-%d %H:%M:%S"


class Clock:
    """The real clock, or a simulated one: set to a moment, then either frozen there (it moves
    only when set again) or running on from it at the real pace."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._set_at: datetime | None = None  # aware, UTC
        self._set_monotonic = 0.0
        self._frozen = True

    def now(self) -> datetime:
        """Now, aware, in UTC."""
        with self._lock:
            if self._set_at is None:
                return datetime.now(UTC)
            if self._frozen:
                return self._set_at
            return self._set_at + timedelta(seconds=time.monotonic() - self._set_monotonic)

    def set(self, moment: datetime | None, *, frozen: bool = True) -> None:
        """Simulate ``moment`` (aware) from now on; None goes back to the real clock."""
        if moment is not None and moment.tzinfo is None:
            raise ValueError("a simulated time needs its UTC offset")
        with self._lock:
            self._set_at = moment.astimezone(UTC) if moment is not None else None
            self._set_monotonic = time.monotonic()
            self._frozen = frozen

    @property
    def simulated(self) -> bool:
        return self._set_at is not None

    def as_dict(self) -> dict[str, object]:
        return {
            "now": self.now().isoformat(timespec="seconds"),
            "simulated": self.simulated,
            "frozen": self.simulated and self._frozen,
        }


_REAL = Clock()
_CURRENT: ContextVar[Clock] = ContextVar("hiboutik_simulator_clock", default=_REAL)


@contextmanager
def using(clock: Clock) -> Iterator[Clock]:
    """Serve with ``clock`` until the block ends (one request, one control call)."""
    token = _CURRENT.set(clock)
    try:
        yield clock
    finally:
        _CURRENT.reset(token)


def utc_now() -> datetime:
    return _CURRENT.get().now()


def local_now(time_zone: str = DEFAULT_TIME_ZONE) -> datetime:
    """Current wall-clock time in ``time_zone``, without tzinfo, as Hiboutik stores it."""
    return utc_now().astimezone(ZoneInfo(time_zone)).replace(tzinfo=None, microsecond=0)


def stamp(moment: datetime) -> str:
    return moment.strftime(STAMP_FORMAT)


def parse_stamp(text: str) -> datetime:
    return datetime.strptime(text, STAMP_FORMAT)


def current_month(time_zone: str = DEFAULT_TIME_ZONE) -> str:
    """The quota month, ``YYYY-MM`` on the account's clock."""
    return local_now(time_zone).strftime("%Y-%m")
