"""How long a task waits before retrying a run the other side refused for now.

Exponential backoff with "equal jitter": the n-th retry waits between half and all of
`min(cap, base * 2**n)`, so workers throttled together do not come back together and a retry
is never immediate; a `Retry-After` longer than that is obeyed (up to the cap).
"""

import random

from django.conf import settings


def retry_delay(
    retries: int,
    retry_after: float | None = None,
    *,
    rng: random.Random | None = None,
) -> float:
    """Seconds before retry number `retries` (0 for the first)."""
    cap = float(settings.CELERY_MAX_RETRY_DELAY)
    ceiling = min(cap, settings.FLOW_RETRY_BASE_SECONDS * 2.0**retries)
    delay = ceiling / 2 + (rng or random).uniform(0, ceiling / 2)
    if retry_after is not None and retry_after > delay:
        delay = min(float(retry_after), cap)
    return delay
