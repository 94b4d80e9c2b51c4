"""Retry policy and backoff delays.

Every client call states its policy explicitly:

- :attr:`Retry.NEVER` — calls that create something (new product, customer, inventory input
  or line, validation, image, webhook). If the answer is lost, Hiboutik may have acted, and a
  second POST would make a duplicate; the error is raised and the caller looks the record up
  by its reference before trying again.
- :attr:`Retry.IDEMPOTENT` — PUT and DELETE: sending them twice leaves the same state, so
  throttling (429 concurrency, 503, timeouts, dropped connections) is retried.
- :attr:`Retry.READ` — GET: like IDEMPOTENT, and a 500 is retried too, but at most
  ``max_server_error_retries`` times (default 1). A 500 is usually deterministic (Hiboutik
  answers 500 on some routes in demo mode, for instance), so retrying it more only spends the
  monthly quota; one retry covers a genuine hiccup.

Delays use exponential backoff with full jitter (a random delay between 0 and
``min(cap, base * 2**attempt)``) so that workers throttled together do not come back together,
except when the server says how long to wait with ``Retry-After``, which is obeyed as given.
"""

from __future__ import annotations

import enum
import random
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


class Retry(enum.Enum):
    NEVER = "never"
    IDEMPOTENT = "idempotent"
    READ = "read"


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Full-jitter delay before retry number ``attempt`` (0 for the first retry)."""
    ceiling = min(cap, base * (2**attempt))
    return rng.uniform(0, ceiling)


def parse_retry_after(value: str | None, *, now: datetime | None = None) -> float | None:
    """``Retry-After`` as seconds: delta-seconds (``"2"``, ``"0.5"``) or an HTTP date.
    Unreadable or negative values → ``None`` (fall back to backoff)."""
    if value is None:
        return None
    raw = value.strip()
    if not raw:
        return None
    try:
        seconds = float(raw)
    except ValueError:
        try:
            when = parsedate_to_datetime(raw)
        except (TypeError, ValueError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - (now or datetime.now(UTC))).total_seconds()
        return max(seconds, 0.0)
    if seconds != seconds or seconds < 0:  # NaN or negative
        return None
    return seconds
