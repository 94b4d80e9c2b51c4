"""Which flow run the current API calls belong to.

The runner enters :func:`metered` around a flow; the database ledger reads :func:`current_meter`
to attribute each call to the run's flow (the Quota tab's breakdown), to let an essential flow
use the last 5 % of the quota, and to count the run's calls. A context variable, so the client
stays free of Django and of any idea of runs, and threads or tasks started outside a run count
as "no flow".
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class Meter:
    flow_key: str
    essential: bool
    calls: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, n: int) -> None:
        with self._lock:
            self.calls += n


_current: ContextVar[Meter | None] = ContextVar("integrations_meter", default=None)


def current_meter() -> Meter | None:
    return _current.get()


@contextmanager
def metered(flow_key: str, *, essential: bool) -> Iterator[Meter]:
    meter = Meter(flow_key=flow_key, essential=essential)
    token = _current.set(meter)
    try:
        yield meter
    finally:
        _current.reset(token)
